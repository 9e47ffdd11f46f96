/**
 * The regional dashboards chart the project funds of each saved monthly snapshot (项目资金月度趋势):
 * one point and one table row per saved month, with the month's allocated and spent totals and
 * spending rate inside the user's reach (a county its own county's, the province all of its
 * province's), months with overspent projects or late reports marked; no snapshot, the empty state.
 */
import crypto from 'node:crypto';
import { type Browser, type Page } from 'playwright-core';
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { ensurePanelBuilt, launchChromium, openPage, submitLogin } from '../helpers/panel';

const SNAPSHOT = 'plugin::archive-snapshot.snapshot';
let app: BootedApp;
let browser: Browser;

beforeAll(async () => {
    ensurePanelBuilt();
    app = await bootStrapi({ listen: true });
    const snapshots = app.strapi.plugin('archive-snapshot').service('snapshots');
    // the start's catch-up run saved the latest due month: removed, so that the saved months are this test's two
    await app.strapi.db.query(SNAPSHOT).deleteMany({ where: {} });
    const projects = await app.strapi.db.query('api::project.project').findMany({ select: ['documentId', 'name'] });
    const byName = (part: string) => projects.find((p: any) => p.name.includes(part))!.documentId;
    // 鲤城's December report was filed late (written directly: a test cannot file in the past)
    await app.strapi.db.query('api::project-progress.project-progress').create({ data: {
        documentId: `r${crypto.randomBytes(10).toString('hex')}`, projectId: byName('鲤城'), projectName: '鲤城', regionCode: '350502', month: '2025-12',
        progress: 90, late: true, state: 'submitted', submittedAt: new Date('2026-01-20T02:00:00Z'),
    } });
    // January with the demo projects; February after 鲤城 spent 10 more and the central project got 8,000 more
    await snapshots.run('2026-01', 'test');
    await app.strapi.db.query('api::project.project').update({ where: { documentId: byName('鲤城') }, data: { spent: 330 } });
    await app.strapi.db.query('api::project.project').update({ where: { documentId: byName('中央财政') }, data: { allocated: 60000 } });
    await snapshots.run('2026-02', 'test');
    browser = await launchChromium();
}, 300_000);

afterAll(async () => {
    await browser?.close();
    await app?.stop();
});

const dashboard = async (username: string): Promise<Page> => {
    const page = await openPage(browser, { viewport: { width: 1440, height: 900 } });
    await submitLogin(page, app.baseUrl, username);
    await page.getByRole('menuitem', { name: '仪表盘' }).waitFor();
    await page.getByTestId('projects-trend').scrollIntoViewIfNeeded();
    return page;
};

/** The card's table: month, projects, allocated, spent, rate, overspent, late reports, as shown. */
const rowsOf = async (page: Page) => {
    const rows = page.getByTestId('projects-trend-row');
    await rows.first().waitFor();
    return (await rows.allInnerTexts()).map((text) => text.split('\t').map((cell) => cell.trim()));
};

/** The chart's points, as its accessible summary names them: one per month. */
const pointsOf = async (page: Page) => (await page.getByTestId('projects-trend-chart').getAttribute('aria-label'))!.split('；');

test('a county sees one point and one row per saved month with its own county’s figures', async () => {
    const page = await dashboard('demo-county');
    const card = page.getByTestId('projects-trend');
    expect(await rowsOf(page)).toEqual([
        // 鲤城区: its one project, 300 allocated, spent 320 then 330: overspent, its last report late
        ['2026-01', '1', '300', '320', '106.7%', '1', '1'],
        ['2026-02', '1', '300', '330', '110.0%', '1', '1'],
    ]);
    expect(await pointsOf(page)).toEqual([
        '2026-01：已下达 300 万元，已支出 320 万元，支出率 106.7%',
        '2026-02：已下达 300 万元，已支出 330 万元，支出率 110.0%',
    ]);
    const text = await card.innerText();
    for (const label of ['项目资金月度趋势', '已下达（万元）', '已支出（万元）', '支出率', '超支项目', '逾期月报', '保存为 PNG']) expect(text).toContain(label);
    // both months marked (overspent, late report): the month in red, unlike the header
    const colours = await card.locator('tr').evaluateAll((rows) => rows.map((row) => getComputedStyle(row.querySelector('td, th')!).color));
    expect(colours[1]).toBe(colours[2]);
    expect(colours[1]).not.toBe(colours[0]);
});

test('the province sees every level of its province, different from the county’s', async () => {
    const page = await dashboard('demo-province');
    // 52000 + 18000 + 2600 + 300 allocated, 31500 + 9000 + 1200 + 320 spent; February: +8000 and +10
    expect(await rowsOf(page)).toEqual([
        ['2026-01', '4', '72,900', '42,020', '57.6%', '1', '1'],
        ['2026-02', '4', '80,900', '42,030', '52.0%', '1', '1'],
    ]);
    expect((await pointsOf(page))[1]).toBe('2026-02：已下达 80,900 万元，已支出 42,030 万元，支出率 52.0%');
    await page.screenshot({ path: '/tmp/projects-trend.png', fullPage: true });
});

test('with no saved month, the card says so', async () => {
    await app.strapi.db.query(SNAPSHOT).deleteMany({ where: {} });
    const page = await dashboard('demo-prefecture');
    const card = page.getByTestId('projects-trend');
    await card.getByText('暂无月度存档').waitFor();
    expect(await card.getByTestId('projects-trend-row').count()).toBe(0);
});
