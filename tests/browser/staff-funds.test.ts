/**
 * Staff, aid and project funds in the panel (headless Chromium, demo data): the kindergarten lists
 * its staff with masked ID numbers and runs its staffing check; the county sees aid totals; the
 * province sees the project roll-up and opens a project. Screenshots go to /tmp.
 */
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { bootStrapi, DEMO_PASSWORD, type BootedApp } from '../helpers/boot';
import { ensurePanelBuilt, launchChromium, submitLogin } from '../helpers/panel';

const TIMEOUT = 30_000;

let app: BootedApp;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

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
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    page.on('pageerror', (error) => pageErrors.push(String(error)));
});

afterEach(async () => {
    await context?.close();
});

const signIn = async (username: string) => {
    await submitLogin(page, app.baseUrl, username);
    await page.getByRole('menuitem', { name: '仪表盘' }).waitFor();
};

test('the kindergarten lists its staff, masked, and sees its staffing check', async () => {
    await signIn('demo-kindergarten');
    await page.getByRole('menuitem', { name: '教职工', exact: true }).click();
    await page.getByText('陈静').waitFor();
    // the rows can come before the code tables: the post's name appears once they are in
    await page.locator('main').getByText('专任教师').first().waitFor();
    const text = await page.locator('main').innerText();
    expect(text).toContain('专任教师');
    expect(text).toMatch(/350502\*{11}[\dX]/);
    expect(text).not.toContain('林晓梅\t350502197803');
    expect(text).not.toContain('周敏'); // kindergarten 2's teacher
    await page.screenshot({ path: '/tmp/staff-list.png', fullPage: true });
    // open 陈静's teacher account from her record: the temporary password is shown once
    await page.getByText('陈静').click();
    await page.getByText('幼儿园教师资格证').first().waitFor();
    await page.getByRole('button', { name: '开通教师账号' }).click();
    await page.getByLabel('用户名').fill('teacher-chenjing');
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByText(/已开通账号 teacher-chenjing，临时密码：/).waitFor();
    await page.screenshot({ path: '/tmp/teacher-account.png' });
    const linked = await app.strapi.db.query('plugin::users-permissions.user').findOne({ where: { username: 'teacher-chenjing' } });
    expect(linked).toMatchObject({ level: 'institution', institutionCode: '3135050201' });
    expect(linked.staffId).toEqual(expect.any(String));
    await page.keyboard.press('Escape');
    await page.getByRole('menuitem', { name: '配备核查' }).click();
    await page.getByText('教职工与幼儿比').waitFor();
    await page.getByText('每班专任教师').waitFor();
    await page.screenshot({ path: '/tmp/staffing-check.png', fullPage: true });
    expect(pageErrors).toEqual([]);
});

test('a teacher sees only 我的档案: own record and training, and asks for a correction', async () => {
    const user = await app.strapi.db.query('plugin::users-permissions.user').findOne({ where: { username: 'teacher-chenjing' } });
    expect(user?.staffId).toEqual(expect.any(String));
    await app.strapi.plugin('users-permissions').service('user').edit(user.id, { password: DEMO_PASSWORD });
    await app.strapi.db.query('plugin::users-permissions.user').update({ where: { id: user.id }, data: { mustChangePassword: false } });
    await page.goto(`${app.baseUrl}/`);
    await page.locator('input[name="username"]').fill('teacher-chenjing');
    await page.locator('input[name="password"]').fill(DEMO_PASSWORD);
    await page.locator('button[type="submit"]').click();
    await page.getByRole('menuitem', { name: '我的档案' }).click();
    await page.getByText('幼儿园游戏化教学').waitFor();
    expect(await page.getByRole('menuitem', { name: '幼儿学籍' }).count()).toBe(0);
    await page.getByLabel('所学专业').fill('学前教育');
    await page.getByLabel('更正理由').fill('专业填写有误');
    await page.getByRole('button', { name: '申请更正' }).click();
    await page.getByText(/所学专业: 学前教育/).waitFor();
    await page.screenshot({ path: '/tmp/teacher-own-record.png', fullPage: true });
    expect(pageErrors).toEqual([]);
});

test('the province sees the project roll-up by level and opens a project', async () => {
    await signIn('demo-province');
    await page.getByRole('menuitem', { name: '项目汇总' }).click();
    await page.getByText('省级', { exact: true }).waitFor();
    await page.getByText('月报填报情况').waitFor();
    await page.screenshot({ path: '/tmp/project-rollup.png', fullPage: true });
    await page.getByRole('menuitem', { name: '项目资金' }).click();
    await page.getByText('福建省普惠性幼儿园扩容工程').click();
    await page.getByText('进展月报').first().waitFor();
    await page.getByRole('button', { name: '填报本月进展' }).waitFor();
    await page.screenshot({ path: '/tmp/project-show.png', fullPage: true });
    await page.getByRole('menuitem', { name: '教职工分析' }).click();
    await page.getByText('持证率').waitFor();
    await page.screenshot({ path: '/tmp/staff-analysis.png', fullPage: true });
    expect(pageErrors).toEqual([]);
});
