/**
 * The regional dashboards show the project roll-up saved in a monthly snapshot: the county its own
 * county's projects only, the province every level of its province, by level and by prefecture.
 */
import { type Browser, type Page } from 'playwright-core';
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { ensurePanelBuilt, launchChromium, submitLogin } from '../helpers/panel';

let app: BootedApp;
let browser: Browser;

beforeAll(async () => {
    ensurePanelBuilt();
    app = await bootStrapi({ listen: true });
    // the start's catch-up run came before the demo data; January is saved with the demo projects
    await app.strapi.plugin('archive-snapshot').service('snapshots').run('2026-01', 'test');
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

const chooseMonth = async (page: Page, month: string) => {
    await page.getByTestId('snapshot-projects').getByRole('combobox').click();
    await page.getByRole('option', { name: month, exact: true }).click();
};

const rowsOf = async (page: Page) => {
    const rows = page.getByTestId('snapshot-project-row');
    await rows.first().waitFor();
    return (await rows.allInnerTexts()).map((text) => text.split('\t').map((cell) => cell.trim()));
};

test('a county sees its own projects in the month’s snapshot; the province all of its province', async () => {
    const county = await session('demo-county');
    const card = county.getByTestId('snapshot-projects');
    await card.scrollIntoViewIfNeeded();
    await chooseMonth(county, '2026-01');
    expect(await card.innerText()).toContain('月度存档 · 项目资金');
    // 鲤城区: one county project, 300 allocated, 320 spent, overspent
    expect(await rowsOf(county)).toEqual([['县级', '1', '300', '300', '320', '1', '0'], ['合计', '1', '300', '300', '320', '1', '0']]);

    const province = await session('demo-province');
    await chooseMonth(province, '2026-01');
    expect((await rowsOf(province)).map((r) => [r[0], r[1], r[3]])).toEqual([
        ['省级', '2', '70,000'], ['地市级', '1', '2,600'], ['县级', '1', '300'], ['合计', '4', '72,900'],
    ]);
    await province.getByTestId('snapshot-projects').getByRole('button', { name: '按地市' }).click();
    await province.getByTestId('snapshot-projects').getByText('泉州市').waitFor();
    expect((await rowsOf(province)).map((r) => [r[0], r[3]])).toEqual([['福建省', '70,000'], ['泉州市', '2,900'], ['合计', '72,900']]);
    await province.screenshot({ path: '/tmp/snapshot-projects.png', fullPage: true });
});
