/**
 * 安全管理 in the panel (docs/safety-and-resources.md): the kindergarten rectifies the demo hazard
 * (text and photo) from its page, the county then sees it awaiting its check, verifies it, and its
 * dashboard shows the safety cards; names come from the server's configuration, not raw codes.
 */
import { type Browser, type Page } from 'playwright-core';
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { ensurePanelBuilt, launchChromium, submitLogin } from '../helpers/panel';
import { login } from '../helpers/api';

let app: BootedApp;
let browser: Browser;
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

beforeAll(async () => {
    ensurePanelBuilt();
    app = await bootStrapi({ listen: true });
    browser = await launchChromium();
}, 300_000);

afterAll(async () => {
    await browser?.close();
    await app?.stop();
});

const session = async (username: string): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    await submitLogin(page, app.baseUrl, username);
    await page.getByRole('menuitem', { name: '仪表盘' }).waitFor();
    return page;
};

test('the kindergarten rectifies the demo hazard with a photo; the county verifies it', async () => {
    const kindergarten = await session('demo-kindergarten');
    await kindergarten.getByRole('menuitem', { name: '隐患整改' }).click();
    const row = kindergarten.getByRole('row').filter({ hasText: '灭火器配备充足且在有效期内' });
    await row.waitFor();
    expect(await row.innerText()).toContain('待整改');
    expect(await row.innerText()).toContain('重大隐患');
    await row.click();
    await kindergarten.getByRole('button', { name: '提交整改' }).click();
    await kindergarten.getByLabel('整改情况').fill('已更换二楼走廊灭火器');
    await kindergarten.locator('input[type=file][name=files]').setInputFiles({ name: '整改后.png', mimeType: 'image/png', buffer: PNG });
    await kindergarten.getByRole('button', { name: '确认' }).click();
    await kindergarten.getByText('已整改待验收').first().waitFor();
    expect(await kindergarten.getByRole('button', { name: '提交整改' }).count()).toBe(0);

    const county = await session('demo-county');
    // the dashboard's safety cards
    await county.getByText('安全与配备').waitFor();
    await county.getByText('待审核事故报告').waitFor();
    await county.getByRole('menuitem', { name: '隐患整改' }).click();
    const countyRow = county.getByRole('row').filter({ hasText: '灭火器配备充足且在有效期内' });
    await countyRow.first().waitFor();
    await countyRow.first().click();
    await county.getByText('已更换二楼走廊灭火器').waitFor();
    await county.getByRole('button', { name: '验收通过' }).click();
    await county.getByLabel('意见').fill('现场核验合格');
    await county.getByRole('button', { name: '确认' }).click();
    await county.getByText('已验收').first().waitFor();
    const stored = await app.strapi.db.query('api::safety-finding.safety-finding').findOne({ where: { itemKey: 'extinguishers', institutionCode: '3135050201' } });
    expect(stored).toMatchObject({ state: 'verified', reviewComment: '现场核验合格', rectification: '已更换二楼走廊灭火器' });
    await county.screenshot({ path: '/tmp/safety-verified.png', fullPage: true });
});

test('the dashboards\' 卫生保健 and 安全管理 cards from the server; custom fields on the inspection and incident forms', async () => {
    // the province's custom fields of inspections and incidents (cms/src/domain/custom-fields.ts)
    const province = await login(app, 'demo-province');
    await province.post('/api/custom-fields', { data: { entity: 'incident', key: 'hospital', label: '就诊医院', type: 'text', max: 50 } }).expect(201);
    await province.post('/api/custom-fields', { data: { entity: 'safety-inspection', key: 'fire_drills', label: '本月消防演练次数', type: 'number', min: 0, max: 12 } }).expect(201);

    const county = await session('demo-county');
    const health = county.getByTestId('reach-cards-health');
    await health.waitFor();
    expect(await health.innerText()).toContain('体检率');
    expect(await health.innerText()).toContain('接种证查验率');
    const safety = county.getByTestId('reach-cards-safety');
    expect(await safety.innerText()).toContain('逾期未整改安全隐患数');
    expect(await safety.innerText()).toContain('本学期意外事故数');

    const kindergarten = await session('demo-kindergarten');
    await kindergarten.getByTestId('reach-cards-safety').waitFor();
    await kindergarten.goto(`${app.baseUrl}/#/incidents/create`);
    await kindergarten.getByLabel('就诊医院').waitFor();
    await kindergarten.goto(`${app.baseUrl}/#/safety-inspections/create`);
    await kindergarten.getByLabel('本月消防演练次数').waitFor();
});
