/**
 * 安全策略 in headless Chromium (三员): the security administrator is told which field is
 * below the level 3 floor, lowers the lockout to 3 failures (in force at once: the third failed
 * login locks an account), then restores the defaults.
 */
import { type Browser, type Page } from 'playwright-core';
import { bootStrapi, DEMO_PASSWORD, type BootedApp } from '../helpers/boot';
import { ensurePanelBuilt, launchChromium } from '../helpers/panel';
import { anonymous, login } from '../helpers/api';


let app: BootedApp;
let browser: Browser;
let page: Page;

beforeAll(async () => {
    ensurePanelBuilt();
    app = await bootStrapi({ listen: true });
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' })).newPage();
    page.setDefaultTimeout(30_000);
}, 300_000);

afterAll(async () => {
    await browser?.close();
    await app?.stop();
});

test('the security administrator edits the lockout in 安全策略: floor named, change in force at once, defaults restored', async () => {
    await page.goto(`${app.baseUrl}/`);
    await page.locator('input[name="username"]').fill('demo-secadmin');
    await page.locator('input[name="password"]').fill(DEMO_PASSWORD);
    await page.locator('button[type="submit"]').click();
    await page.getByRole('menuitem', { name: '安全策略' }).click();
    await page.getByText('范围 3–20；等保三级：不超过 10；默认 5').waitFor();
    const failures = page.locator('input[name="lockout.maxFailures"]');
    expect(await failures.inputValue()).toBe('5');
    await failures.fill('15');
    await page.getByRole('button', { name: '保存', exact: true }).click();
    await page.getByText('连续登录失败锁定次数', { exact: false }).first().waitFor();
    await page.getByText('登录失败锁定次数不能超过 10（等保三级要求）').first().waitFor();
    // the three administrators' second factor cannot be unticked
    expect(await page.locator('input[name="totp.requiredRoles.secadmin"]').isDisabled()).toBe(true);

    await failures.fill('3');
    await page.getByRole('button', { name: '保存', exact: true }).click();
    await page.getByText('安全策略已保存，立即生效').waitFor();
    await page.getByText('最近修改：demo-secadmin', { exact: false }).waitFor();
    for (let i = 0; i < 3; i += 1) await anonymous(app).post('/api/auth/login').send({ identifier: 'demo-county-2', password: `Wrong#Pass${i}x` }).expect(400);
    const locked = await anonymous(app).post('/api/auth/login').send({ identifier: 'demo-county-2', password: DEMO_PASSWORD }).expect(403);
    expect(locked.body.error.details.code).toBe('ACCOUNT_LOCKED');
    await page.screenshot({ path: '/tmp/security-policy.png', fullPage: true });

    await page.getByRole('button', { name: '恢复默认值' }).click();
    await page.getByText('已恢复默认安全策略').waitFor();
    await page.waitForFunction(() => (document.querySelector('input[name="lockout.maxFailures"]') as HTMLInputElement)?.value === '5');
    const policy = (await (await login(app, 'demo-secadmin')).get('/api/security-policy').expect(200)).body.data;
    expect(policy.changed).toEqual([]);
}, 120_000);
