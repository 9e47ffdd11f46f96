/**
 * The panel follows the server (docs/security/panel-follows-server.md), in headless Chromium: the province
 * takes children × create from the kindergartens in 角色权限 (a core duty: the panel asks first,
 * naming it), and the kindergarten's children list loses its 新建 button and 批量导入 menu on the next
 * page; the province restores the default it changed and the button comes back. An export the
 * server refuses shows its reason.
 */
import { type Browser, type Page } from 'playwright-core';
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { ensurePanelBuilt, launchChromium, openPage, submitLogin } from '../helpers/panel';
import { login } from '../helpers/api';
import { residentId } from '../helpers/ids';

let app: BootedApp;
let browser: Browser;

beforeAll(async () => {
    ensurePanelBuilt();
    app = await bootStrapi({ listen: true });
    browser = await launchChromium();
    // one child in 鲤城区, so the lists show their actions (an empty list shows none)
    const kindergarten = await login(app, 'demo-kindergarten');
    const classes = await kindergarten.get('/api/school-classes').expect(200);
    await kindergarten.post('/api/children', { data: {
        name: '林小禾', idType: '1', idNumber: residentId('350502', '20220404', '041'), birthPlace: '350502', nativePlace: '福建泉州', ethnicity: '01',
        nationality: '156', overseasChinese: '00', health: '10', householdRegion: '350502', householdType: '2', address: '鲤城区', phone: '13800000000',
        enrolledOn: '2025-09-01', enrollmentMode: '1', onlyChild: true, schoolClass: classes.body.data[0].documentId,
        guardians: [{ name: '林父', relation: '1', idType: '1', idNumber: residentId('350502', '19900404', '041') }],
    } }).expect(201);
}, 300_000);

afterAll(async () => {
    await browser?.close();
    await app?.stop();
});

const choose = async (page: Page, testId: string, option: string) => {
    await page.locator(`[data-testid="${testId}"]`).locator('xpath=..').click();
    await page.getByRole('option', { name: option, exact: true }).click();
};

/** Opens the children list through the menu (a navigation: the panel asks /api/me again). */
const openChildren = async (page: Page) => {
    await page.getByRole('menuitem', { name: '班级管理' }).click();
    await page.getByRole('menuitem', { name: '幼儿学籍' }).click();
    await page.getByText('林小禾').waitFor();
    // the export button waits on the same /api/me answer as 新建: once it shows, the answer is in
    await page.getByRole('button', { name: '导出 CSV' }).waitFor();
};

test('a revoke in the matrix hides the kindergarten’s 新建; restoring its own change brings it back', async () => {
    const kindergarten = await openPage(browser);
    await submitLogin(kindergarten, app.baseUrl, 'demo-kindergarten');
    await openChildren(kindergarten);
    await kindergarten.getByRole('link', { name: '新建' }).waitFor();
    await kindergarten.getByRole('menuitem', { name: '批量导入' }).waitFor();

    const province = await openPage(browser);
    await submitLogin(province, app.baseUrl, 'demo-province');
    await province.getByRole('menuitem', { name: '角色权限' }).click();
    await province.getByTestId('permission-matrix').waitFor();
    await choose(province, 'role-select', '学前教育机构');
    await province.getByRole('checkbox', { name: 'children:create' }).click();
    // the last holder of a core duty: the panel asks, naming what stops working
    const dialog = province.getByTestId('confirm-duties');
    await dialog.getByText('幼儿入园建立学籍').waitFor();
    await dialog.getByRole('button', { name: '确认收回' }).click();
    await province.getByText('权限已修改，立即生效').waitFor();
    const cell = province.locator('[data-cell="children:create"]');
    await cell.getByText('demo-province').waitFor();
    await cell.getByText('默认：授予').waitFor();

    await openChildren(kindergarten);
    // (a cached answer may show for a moment while /api/me is asked again: wait for the new one)
    await kindergarten.getByRole('link', { name: '新建' }).waitFor({ state: 'detached' });
    await kindergarten.getByRole('menuitem', { name: '批量导入' }).waitFor({ state: 'detached' });
    await kindergarten.getByRole('button', { name: '导出 CSV' }).waitFor();

    // the province may undo its own change although it does not hold children × create itself
    await cell.getByRole('button', { name: '恢复默认 children:create' }).click();
    await province.getByText('已恢复默认').waitFor();
    await province.waitForFunction(() => (document.querySelector('input[aria-label="children:create"]') as HTMLInputElement)?.checked);
    await openChildren(kindergarten);
    await kindergarten.getByRole('link', { name: '新建' }).waitFor();
}, 180_000);

test('an export the server refuses says why', async () => {
    const page = await openPage(browser, { acceptDownloads: true });
    await submitLogin(page, app.baseUrl, 'demo-county');
    await page.getByRole('menuitem', { name: '幼儿学籍' }).click();
    await page.getByText('林小禾').waitFor();
    await page.getByRole('button', { name: '导出 CSV' }).waitFor();
    // taken away while the page is open: the button is still there, the server refuses
    const secadmin = await login(app, 'demo-secadmin');
    await secadmin.put('/api/permission-matrix', { data: { role: 'county', resource: 'children', action: 'export', granted: false } }).expect(200);
    try {
        await page.getByRole('button', { name: '导出 CSV' }).click();
        await page.getByText('无权执行此操作（权限可能已被收回，请刷新页面）').waitFor();
    } finally {
        await secadmin.put('/api/permission-matrix', { data: { role: 'county', resource: 'children', action: 'export', restore: true } }).expect(200);
    }
}, 120_000);
