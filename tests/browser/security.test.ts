/**
 * The panel's security pages in headless Chromium: a new account is forced to change its temporary
 * password before anything else; the access token is renewed transparently; the audit
 * administrator searches the audit trail and sees nothing else.
 */
import path from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { bootStrapi, DEMO_PASSWORD, type BootedApp } from '../helpers/boot';
import { ensurePanelBuilt, launchChromium } from '../helpers/panel';
import { login } from '../helpers/api';

const ROOT = path.resolve(__dirname, '..', '..');
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
    context = await browser.newContext({ viewport: { width: 1366, height: 800 }, locale: 'zh-CN' });
    page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
});

afterEach(async () => {
    await context?.close();
});

const signIn = async (username: string, password: string) => {
    await page.goto(`${app.baseUrl}/`);
    await page.locator('input[name="username"]').fill(username);
    await page.locator('input[name="password"]').fill(password);
    await page.locator('button[type="submit"]').click();
};

test('a new account must change its temporary password before anything else', async () => {
    const county = await login(app, 'demo-county');
    const created = await county.post('/api/accounts', { data: { username: 'panel-first-login', fullName: '新园长', institutionCode: '3135050203' } }).expect(201);
    const temporary = created.body.data.temporaryPassword;
    await signIn('panel-first-login', temporary);
    await page.getByText('请先完成安全设置').waitFor();
    await page.locator('input[name="currentPassword"]').fill(temporary);
    await page.locator('input[name="newPassword"]').fill('short');
    await page.locator('input[name="confirmPassword"]').fill('short');
    await page.getByRole('button', { name: '保存新密码' }).click();
    await page.getByText('密码至少 10 位').waitFor();
    await page.screenshot({ path: '/tmp/security-duty.png' });
    await page.locator('input[name="newPassword"]').fill('Panel#Passw0rd-1');
    await page.locator('input[name="confirmPassword"]').fill('Panel#Passw0rd-1');
    await page.getByRole('button', { name: '保存新密码' }).click();
    await page.getByRole('menuitem', { name: '幼儿学籍' }).waitFor();
    // the access token is renewed transparently when it is refused
    await page.evaluate(() => localStorage.setItem('preschool.jwt', 'expired.token.value'));
    await page.getByRole('menuitem', { name: '班级管理' }).click();
    await page.waitForURL(/school-classes/);
    await page.waitForFunction(() => (localStorage.getItem('preschool.jwt') || 'expired.token.value') !== 'expired.token.value');
    await page.getByRole('menuitem', { name: '幼儿学籍' }).waitFor();
    expect(page.url()).not.toMatch(/login/);
}, 120_000);

test('a user enrols a one-time code from the user menu; the next login asks for it', async () => {
    const { totp } = require(path.join(ROOT, 'cms', 'dist', 'src', 'security', 'totp'));
    await signIn('panel-first-login', 'Panel#Passw0rd-1');
    await page.getByRole('menuitem', { name: '幼儿学籍' }).waitFor();
    await page.getByRole('button', { name: '个人信息' }).click();
    await page.getByText('绑定动态口令 (TOTP)').click();
    await page.getByRole('button', { name: '获取密钥' }).click();
    const secret = await page.getByLabel('密钥').inputValue();
    await page.locator('input[name="code"]').fill(totp(secret));
    await page.screenshot({ path: '/tmp/security-totp.png' });
    await page.getByRole('button', { name: '绑定', exact: true }).click();
    await page.getByRole('menuitem', { name: '幼儿学籍' }).waitFor();
    await context.clearCookies();
    await page.evaluate(() => localStorage.clear());
    await signIn('panel-first-login', 'Panel#Passw0rd-1');
    await page.locator('input[name="totp"]').waitFor();
    await page.locator('input[name="totp"]').fill(totp(secret));
    await page.locator('button[type="submit"]').click();
    await page.getByRole('menuitem', { name: '幼儿学籍' }).waitFor();
}, 120_000);

test('the audit administrator searches the audit trail and has no other page', async () => {
    await signIn('demo-auditadmin', DEMO_PASSWORD);
    await page.getByRole('menuitem', { name: '审计日志' }).click();
    await page.waitForURL(/audit-entries/);
    await page.locator('td', { hasText: 'login' }).first().waitFor();
    await page.screenshot({ path: '/tmp/security-audit.png' });
    expect(await page.getByRole('menuitem', { name: '幼儿学籍' }).count()).toBe(0);
    expect(await page.getByRole('menuitem', { name: '幼儿园' }).count()).toBe(0);
}, 120_000);

test('a locked account is told so on the login form', async () => {
    for (let i = 0; i < 5; i += 1) {
        await signIn('demo-kindergarten-2', `Wrong#Passw0rd${i}`);
        await page.getByText('登录失败').first().waitFor();
    }
    await signIn('demo-kindergarten-2', DEMO_PASSWORD);
    await page.getByText('账号已锁定').waitFor();
}, 120_000);

test('a kindergarten asks for a delegation in the panel; the system administrator approves it', async () => {
    const county = await login(app, 'demo-county');
    await county.post('/api/accounts', { data: { username: 'panel-deputy', fullName: '副园长', institutionCode: '3135050201' } }).expect(201);
    await signIn('demo-kindergarten', DEMO_PASSWORD);
    await page.getByRole('menuitem', { name: '授权代理' }).click();
    await page.waitForURL(/delegations/);
    await page.getByRole('link', { name: '新建' }).click();
    await page.locator('input[name="delegate"]').fill('panel-deputy');
    const ends = new Date(Date.now() + 3 * 86_400_000);
    const local = new Date(ends.getTime() - ends.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await page.locator('input[name="endsAt"]').fill(local);
    await page.locator('textarea[name="reason"]').fill('园长外出培训');
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByText('待同意').waitFor();
    await context.clearCookies();
    await page.evaluate(() => localStorage.clear());
    await signIn('demo-sysadmin', DEMO_PASSWORD);
    await page.getByRole('menuitem', { name: '授权代理' }).click();
    await page.getByRole('button', { name: '同意', exact: true }).click();
    await page.getByText('已同意').waitFor();
    await page.screenshot({ path: '/tmp/security-delegation.png' });
}, 120_000);
