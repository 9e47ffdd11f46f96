/**
 * The Ministry's panel on a national deployment (docs/two-level-deployment.md): the dashboard and
 * the page 各省统计数据包 list each province's monthly package of the period — received, late,
 * verified — with its figures and the national total equal to their sum; a refused package is
 * listed with its reason. The packages are stored as the nation stores a verified one
 * (cms/src/exchange/national.ts); their exchange is tested in tests/api/exchange.test.ts.
 */
import crypto from 'node:crypto';
import { type Browser, type Page } from 'playwright-core';
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { ensurePanelBuilt, launchChromium, submitLogin } from '../helpers/panel';

let app: BootedApp;
let browser: Browser;
const run = crypto.randomBytes(4).toString('hex');
const publicKey = () => crypto.generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
/** Last month: due (grace 0 days), so a province without a package is late. */
const period = (() => {
    const now = new Date(Date.now() + 8 * 3600_000);
    const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
    return `${month.getUTCFullYear()}-${String(month.getUTCMonth() + 1).padStart(2, '0')}`;
})();

beforeAll(async () => {
    ensurePanelBuilt();
    Object.assign(process.env, {
        DEPLOYMENT_ROLE: 'national',
        NATIONAL_INDEX_KEY: crypto.randomBytes(32).toString('hex'),
        EXCHANGE_STREAM: `BROWSER_${run}`,
        // a stream reserves its max_bytes on the shared broker: 1 GB, not the production 50 (tests/api/exchange.test.ts)
        EXCHANGE_STREAM_MAX_GB: '1',
        EXCHANGE_SUBJECT_PREFIX: `browser${run}`,
        EXCHANGE_PROVINCE_KEYS: JSON.stringify({ 33: publicKey(), 35: publicKey(), 44: publicKey() }),
        EXCHANGE_PACKAGE_GRACE_DAYS: '0',
    });
    app = await bootStrapi({ listen: true });
    const packages = app.strapi.db.query('api::exchange.national-statistics-package' as any);
    const stored = (province: string, children: number, kindergartens: number) => packages.create({
        data: { province, period, packageId: crypto.randomUUID(), snapshotAt: new Date(`${period}-20T00:00:00Z`), receivedAt: new Date(`${period}-20T00:00:00Z`), signature: 'verified', figures: { children, kindergartens }, counties: [] },
    });
    await stored('35', 1200, 12);
    await stored('33', 3400, 21);
    await app.strapi.db.query('api::exchange.inbox-event' as any).create({
        data: { eventId: crypto.randomUUID(), type: 'statistics.package', source: '35', receivedAt: new Date(), outcome: 'refused', reason: '签名验证未通过（伪造或数据被改动）' },
    });
    browser = await launchChromium();
}, 300_000);

afterAll(async () => {
    await browser?.close();
    await app?.stop();
    // the national deployment made its stream on the machine's broker at start
    const { connect } = require('@nats-io/transport-node');
    const { jetstreamManager } = require('@nats-io/jetstream');
    const connection = await connect({ servers: process.env.EXCHANGE_NATS_URL || 'nats://127.0.0.1:4222' }).catch(() => null);
    if (connection) {
        await (await jetstreamManager(connection)).streams.delete(`BROWSER_${run}`).catch(() => undefined);
        await connection.close();
    }
    for (const name of ['DEPLOYMENT_ROLE', 'NATIONAL_INDEX_KEY', 'EXCHANGE_STREAM', 'EXCHANGE_STREAM_MAX_GB', 'EXCHANGE_SUBJECT_PREFIX', 'EXCHANGE_PROVINCE_KEYS', 'EXCHANGE_PACKAGE_GRACE_DAYS']) delete process.env[name];
});

const rowsOf = async (page: Page) => {
    const rows = page.getByTestId('national-row');
    await rows.nth(2).waitFor();
    return (await rows.allInnerTexts()).map((text) => text.split('\t').map((cell) => cell.trim()));
};

test('the Ministry sees each province’s package, late ones flagged, and the national total equal to the sum, on the dashboard and on its page', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    await submitLogin(page, app.baseUrl, 'demo-ministry');
    // the dashboard of a national deployment: the provinces' packages, not kindergartens it does not hold
    const dashboard = page.getByTestId('national-statistics');
    await dashboard.waitFor();
    const rows = await rowsOf(page);
    expect(rows.map((row) => row.slice(0, 2).concat(row[3], row[4]))).toEqual([
        ['浙江省', '已收到', '按时', '已验签'],
        ['福建省', '已收到', '按时', '已验签'],
        ['广东省', '未收到', '逾期未报', '—'],
    ]);
    const header = (await dashboard.locator('thead tr').innerText()).split('\t').map((cell) => cell.trim());
    const total = (await page.getByTestId('national-total').innerText()).split('\t').map((cell) => cell.trim()).filter(Boolean);
    expect(total[0]).toBe('全国合计');
    // 在园幼儿数 and 幼儿园数: 浙江 + 福建
    expect(rows[0][header.indexOf('在园幼儿数')]).toBe('3,400');
    expect(total).toEqual(expect.arrayContaining(['4,600', '33']));
    expect(await page.getByTestId('national-summary').innerText()).toContain('已收到 2 个省份的数据包，1 个省份逾期未报');

    // the menu opens the page; it also lists the package refused, with its reason
    await page.getByRole('menuitem', { name: '各省统计数据包' }).click();
    await page.getByTestId('national-refused').waitFor();
    expect(await page.getByTestId('national-refused').innerText()).toContain('签名验证未通过');
    expect((await rowsOf(page)).map((row) => row[0])).toEqual(['浙江省', '福建省', '广东省']);
    await context.close();
});
