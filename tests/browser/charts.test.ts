/**
 * An analyst (province user) builds a chart page with two charts in the panel, saves it, reopens
 * it and sees both charts; the province dashboard shows its charts with targets and a PNG button.
 */
import { type Browser, type Page } from 'playwright-core';
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { ensurePanelBuilt, launchChromium, submitLogin } from '../helpers/panel';

let app: BootedApp;
let browser: Browser;

beforeAll(async () => {
    ensurePanelBuilt();
    app = await bootStrapi({ listen: true });
    await app.strapi.documents('api::population.population').create({ data: { countyCode: '350502', year: new Date().getFullYear(), population: 1200 } as any });
    browser = await launchChromium();
}, 300_000);

afterAll(async () => {
    await browser?.close();
    await app?.stop();
});

const session = async (username: string): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', acceptDownloads: true });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    await submitLogin(page, app.baseUrl, username);
    await page.getByRole('menuitem', { name: '仪表盘' }).waitFor();
    return page;
};

let province: Page;

const pick = async (page: Page, id: string, option: string) => {
    await page.locator(`div:has(> input[name="${id}"]) > [role="combobox"]`).click();
    await page.getByRole('option', { name: option, exact: true }).click();
};

test('the province dashboard shows key indicators against targets, drill-down, trend, completeness and overdue charts', async () => {
    const page = (province = await session('demo-province'));
    await page.getByTestId('indicator-grossEnrollmentRate').waitFor();
    expect(await page.getByTestId('indicator-inclusiveCoverage').innerText()).toContain('目标值 ≥ 85%');
    for (const id of ['key-indicators-chart', 'drill-chart', 'trend-chart', 'completeness-chart', 'overdue-chart']) await page.getByTestId(id).waitFor();
    await page.getByTestId('drill-chart').locator('canvas').waitFor();
    expect(await page.getByTestId('drill-chart').getByRole('button', { name: '保存为 PNG' }).count()).toBe(1);
    const download = page.waitForEvent('download');
    await page.getByTestId('drill-chart').getByRole('button', { name: '保存为 PNG' }).click();
    expect((await download).suggestedFilename()).toMatch(/\.png$/);
    await page.waitForTimeout(500);
    await page.screenshot({ path: '/tmp/dashboard-province.png', fullPage: true });
});

test('an analyst builds a page with two charts, saves it, reopens it and sees both', async () => {
    const page = province ?? (await session('demo-province'));
    await page.getByRole('menuitem', { name: '图表页' }).click();
    await page.getByRole('link', { name: '新建' }).click();
    await page.locator('input[name="title"]').fill('全省学前教育概览');
    await page.locator('input[name="charts.0.title"]').fill('各地市幼儿园数');
    await pick(page, 'charts.0.indicator', '幼儿园数（所）');
    await pick(page, 'charts.0.dimension', '地市');
    await pick(page, 'charts.0.type', '柱状图');
    await page.getByRole('button', { name: '添加' }).click();
    await page.locator('input[name="charts.1.title"]').fill('办学性质构成');
    await pick(page, 'charts.1.indicator', '幼儿园数（所）');
    await pick(page, 'charts.1.dimension', '办学性质');
    await pick(page, 'charts.1.type', '饼图');
    await page.screenshot({ path: '/tmp/chart-page-form.png', fullPage: true });
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByTestId('chart-page-title').waitFor();

    const saved = await app.strapi.db.query('api::chart-page.chart-page').findOne({ where: { title: '全省学前教育概览' } });
    expect(saved.charts.map((c) => [c.indicator, c.dimension, c.type])).toEqual([['kindergartens', 'prefecture', 'bar'], ['kindergartens', 'ownership', 'pie']]);
    expect(saved.ownerPrefix).toBe('35');

    // reopen from the list
    await page.getByRole('menuitem', { name: '图表页' }).click();
    await page.locator('table tbody tr').filter({ hasText: '全省学前教育概览' }).click();
    await page.getByTestId('page-chart-0').locator('canvas').waitFor();
    await page.getByTestId('page-chart-1').locator('canvas').waitFor();
    expect(await page.getByTestId('page-chart-0').innerText()).toContain('各地市幼儿园数');
    expect(await page.getByTestId('page-chart-1').innerText()).toContain('办学性质构成');
    const download = page.waitForEvent('download');
    await page.getByTestId('page-chart-1').getByRole('button', { name: '下载数据' }).click();
    expect((await download).suggestedFilename()).toBe('全省学前教育概览-办学性质构成.xlsx');
    await page.waitForTimeout(500);
    await page.screenshot({ path: '/tmp/chart-page-show.png', fullPage: true });
});

test('the province lists the population figures and imports a csv from the panel', async () => {
    const page = province ?? (await session('demo-province'));
    await page.getByRole('menuitem', { name: '适龄人口' }).click();
    // counties by name (the code is on hover)
    await page.locator('table tbody tr').filter({ hasText: '鲤城区' }).first().waitFor();
    await page.locator('input[name="population-file"]').setInputFiles({ name: 'population.csv', mimeType: 'text/csv', buffer: Buffer.from(`区县代码,年份,人口数\n350203,${new Date().getFullYear()},900\n`) });
    await page.getByText('已导入 1 行：新增 1，更新 0').waitFor();
    await page.locator('table tbody tr').filter({ hasText: '思明区' }).filter({ hasText: '900' }).waitFor();
    await page.screenshot({ path: '/tmp/populations.png', fullPage: true });
});
