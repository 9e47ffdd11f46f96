/**
 * The configuration pages in headless Chromium: the security administrator removes a
 * permission in the matrix and the county is refused at once, then gives it back; the province
 * adds and retires a code in 代码表维护, creates a code table of its own (接种情况: 全程/部分/未接种)
 * and reorders it, and is told which calendar field is wrong in 校历与期限.
 */
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { ensurePanelBuilt, launchChromium, submitLogin } from '../helpers/panel';
import { login } from '../helpers/api';

const TIMEOUT = 30_000;

let app: BootedApp;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
    ensurePanelBuilt();
    app = await bootStrapi({ listen: true });
    browser = await launchChromium();
}, 300_000);

afterAll(async () => {
    await browser?.close();
    await app?.stop();
});

beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
    page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
});

afterEach(async () => {
    await context?.close();
});

const signIn = async (username: string) => {
    await submitLogin(page, app.baseUrl, username);
};

const choose = async (testId: string, option: string) => {
    await page.locator(`[data-testid="${testId}"]`).locator('xpath=..').click();
    await page.getByRole('option', { name: option, exact: true }).click();
};

test('the security administrator unticks the county’s export of children: refused at once, then given back', async () => {
    const county = await login(app, 'demo-county');
    await county.get('/api/child-export?format=csv').expect(200);
    await signIn('demo-secadmin');
    await page.getByRole('menuitem', { name: '角色权限' }).click();
    await page.getByTestId('permission-matrix').waitFor();
    await choose('role-select', '县级');
    await page.getByText('范围：本县').waitFor();
    const exportCell = page.getByRole('checkbox', { name: 'children:export' });
    expect(await exportCell.isChecked()).toBe(true);
    // a cell the county does not hold by default is unticked, and 三员 roles are read-only
    expect(await page.getByRole('checkbox', { name: 'children:create' }).isChecked()).toBe(false);
    await exportCell.click();
    await page.getByText('权限已修改，立即生效').waitFor();
    await page.waitForFunction(() => !(document.querySelector('input[aria-label="children:export"]') as HTMLInputElement)?.checked);
    await county.get('/api/child-export?format=csv').expect(403);
    await page.screenshot({ path: '/tmp/permission-matrix.png' });
    await page.getByRole('checkbox', { name: 'children:export' }).click();
    await page.waitForFunction(() => (document.querySelector('input[aria-label="children:export"]') as HTMLInputElement)?.checked);
    await county.get('/api/child-export?format=csv').expect(200);
    await choose('role-select', '审计管理员');
    await page.getByText('此角色的权限在此只读').waitFor();
}, 120_000);

test('the province adds and retires a code, and is told which calendar field is wrong', async () => {
    await signIn('demo-province');
    await page.getByRole('menuitem', { name: '代码表维护' }).click();
    await choose('code-table-select', '健康状况');
    await page.locator('input[name="code"]').fill('95');
    await page.locator('input[name="name"]').fill('浏览器新增');
    await page.getByRole('button', { name: '新增代码' }).click();
    const row = page.locator('tr[data-code="95"]');
    await row.getByText('浏览器新增').waitFor();
    await row.getByText('本地新增').waitFor();
    await row.getByRole('button', { name: '停用' }).click();
    await row.getByText('已停用').waitFor();
    const dictionaries = (await (await login(app, 'demo-kindergarten')).get('/api/dictionaries').expect(200)).body;
    expect(dictionaries.health.find((e: any) => e.code === '95')).toMatchObject({ name: '浏览器新增', retired: true });

    // a table of the province's own: a name and its items, one per line; codes are numbered
    await page.getByRole('button', { name: '新建代码表' }).click();
    await page.locator('input[name="tableName"]').fill('接种情况');
    await page.locator('textarea[name="tableItems"]').fill('全程\n部分\n未接种');
    await page.getByRole('button', { name: '创建' }).click();
    await page.getByText('代码表“接种情况”已创建').waitFor();
    await page.locator('tr[data-code="3"]').getByText('未接种').waitFor();
    await page.locator('tr[data-code="3"]').getByRole('button', { name: '上移' }).click();
    await page.waitForFunction(() => [...document.querySelectorAll('tr[data-code]')].map((row) => row.getAttribute('data-code')).join() === '1,3,2');
    const own = (await (await login(app, 'demo-kindergarten')).get('/api/dictionaries').expect(200)).body.jie_zhong_qing_kuang;
    expect(own.map((e: any) => e.name)).toEqual(['全程', '未接种', '部分']);
    await page.screenshot({ path: '/tmp/code-table-own.png' });

    await page.getByRole('menuitem', { name: '校历与期限' }).click();
    const day = page.locator('input[name="monthlyUpdateDay"]');
    await day.fill('31');
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByText('每月更新日须为 1–28 的整数').first().waitFor();
    await page.locator('input[name="windows.promotion.from"]').fill('07-01');
    await day.fill('20');
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByText('校历与期限已保存，立即生效').waitFor();
    const calendar = (await (await login(app, 'demo-county')).get('/api/calendar-settings').expect(200)).body.data.settings;
    expect(calendar).toMatchObject({ monthlyUpdateDay: 20, windows: { promotion: { from: '07-01', to: '08-31' } } });
    await page.screenshot({ path: '/tmp/calendar-settings.png' });
}, 120_000);
