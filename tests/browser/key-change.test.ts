/**
 * A kindergarten submits a change of principal (园长) through the panel, and its county approves it
 * from the review inbox, seeing old and new values side by side.
 */
import { type Browser, type Page } from 'playwright-core';
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { ensurePanelBuilt, launchChromium, submitLogin } from '../helpers/panel';

let app: BootedApp;
let browser: Browser;

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
    const context = await browser.newContext({ viewport: { width: 1366, height: 850 }, locale: 'zh-CN' });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    await submitLogin(page, app.baseUrl, username);
    await page.getByRole('menuitem', { name: '仪表盘' }).waitFor();
    return page;
};

test('a kindergarten submits a change of principal; its county approves it; the principal changes', async () => {
    const before = await app.strapi.db.query('api::kindergarten.kindergarten').findOne({ where: { code: '3135050201' } });

    const kindergarten = await session('demo-kindergarten');
    await kindergarten.getByRole('menuitem', { name: '申请变更关键信息' }).click();
    const principal = kindergarten.locator('input[name="principal"]');
    await principal.waitFor();
    expect(await principal.inputValue()).toBe(before.principal);
    await principal.fill('张三');
    await kindergarten.locator('textarea[name="reason"]').fill('原园长调任，新园长到岗');
    await kindergarten.getByRole('button', { name: '提交申请' }).click();
    await kindergarten.getByText('待审核').first().waitFor();
    await kindergarten.getByRole('menuitem', { name: '我的申请' }).click();
    await kindergarten.locator('table').getByText('关键信息变更').waitFor();
    await kindergarten.locator('table').getByText('关键信息变更').click();
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
    await kindergarten.locator('input[name="evidence"]').setInputFiles({ name: 'appointment.png', mimeType: 'image/png', buffer: png });
    await kindergarten.getByRole('link', { name: 'appointment.png' }).waitFor();
    expect((await app.strapi.db.query('api::kindergarten.kindergarten').findOne({ where: { code: '3135050201' } })).principal).toBe(before.principal);

    const county = await session('demo-county');
    await county.getByRole('menuitem', { name: '待审核' }).click();
    const row = county.locator('table tbody tr').filter({ hasText: '泉州市鲤城区实验幼儿园' });
    await row.first().waitFor();
    await county.screenshot({ path: '/tmp/inbox.png', fullPage: true });
    await row.first().click();
    const diff = county.locator('tr[data-field="principal"]');
    await diff.waitFor();
    expect(await diff.innerText()).toContain(before.principal);
    expect(await diff.innerText()).toContain('张三');
    await county.getByRole('link', { name: 'appointment.png' }).waitFor();
    await county.screenshot({ path: '/tmp/diff.png', fullPage: true });
    await county.getByRole('button', { name: '通过' }).click();
    await county.getByRole('button', { name: '确认' }).click();
    await county.getByText('已通过该申请').waitFor();

    const after = await app.strapi.db.query('api::kindergarten.kindergarten').findOne({ where: { code: '3135050201' } });
    expect(after.principal).toBe('张三');
});

test('the prefecture sees overdue reviews and monthly updates per county; a kindergarten manages its classes', async () => {
    const prefecture = await session('demo-prefecture');
    await prefecture.getByRole('menuitem', { name: '逾期与填报' }).click();
    await prefecture.getByText('每月数据更新情况').waitFor();
    const rows = prefecture.locator('table').nth(1).locator('tbody tr');
    await rows.first().waitFor();
    expect(await rows.allInnerTexts()).toEqual(expect.arrayContaining([expect.stringContaining('鲤城区'), expect.stringContaining('丰泽区')]));
    expect((await rows.allInnerTexts()).join()).not.toContain('思明区');
    // Overdue transfers have their own table (none open in the demo data; the API test covers the counts).
    await prefecture.getByTestId('overdue-transfers').getByText('转园逾期情况').waitFor();
    await prefecture.getByTestId('overdue-transfers').getByText('暂无办理中的转园').waitFor();
    await prefecture.screenshot({ path: '/tmp/oversight.png', fullPage: true });

    const kindergarten = await session('demo-kindergarten');
    await kindergarten.getByRole('menuitem', { name: '班级管理' }).click();
    await kindergarten.locator('table').getByText('大一班').waitFor();
    expect(await kindergarten.locator('table tbody tr').count()).toBe(3);

    await kindergarten.getByRole('menuitem', { name: '年度报告' }).click();
    for (const [field, text] of [['conditions', '园舍 12 间'], ['staffing', '专任教师 18 人'], ['quality', '省级示范'], ['finance', '收支平衡']]) {
        await kindergarten.locator(`textarea[name="${field}"]`).fill(text);
    }
    await kindergarten.getByRole('button', { name: '保存' }).click();
    await kindergarten.getByText('待审核').first().waitFor();
    const report = await app.strapi.db.query('api::request.request').findOne({ where: { type: 'annual-report' } });
    expect(report.proposed).toMatchObject({ year: new Date().getFullYear() - 1, staffing: '专任教师 18 人' });
    await kindergarten.screenshot({ path: '/tmp/annual-report.png', fullPage: true });
});
