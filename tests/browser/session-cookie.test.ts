/**
 * The panel keeps no refresh token a script could read (MLPS level 3): after login nothing in
 * localStorage names a refresh token and `document.cookie` does not show the httpOnly
 * `preschool_refresh`; an expired access token is renewed through the cookie; after logout a
 * reload shows the login page.
 */
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { ensurePanelBuilt, launchChromium, openPage, submitLogin } from '../helpers/panel';

let app: BootedApp;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
    ensurePanelBuilt();
    app = await bootStrapi({ listen: true });
    browser = await launchChromium();
}, 300_000);
afterAll(async () => { await browser?.close(); await app?.stop(); });
beforeEach(async () => { page = await openPage(browser); context = page.context(); });
afterEach(async () => { await context?.close(); });

const storedKeys = () => page.evaluate(() => Object.keys(localStorage));

test('the refresh token is out of the page’s reach; an expired access token is renewed through the cookie; logout ends it', async () => {
    // a refresh token left by an earlier version is forgotten on load
    await page.goto(`${app.baseUrl}/`);
    await page.evaluate(() => localStorage.setItem('preschool.refresh', 'left-by-an-earlier-version'));
    await submitLogin(page, app.baseUrl, 'demo-kindergarten');
    await page.getByRole('menuitem', { name: '幼儿学籍' }).waitFor();

    expect((await storedKeys()).filter((key) => key.toLowerCase().includes('refresh'))).toEqual([]);
    expect(await page.evaluate(() => document.cookie)).not.toContain('preschool_refresh');
    const cookies = await context.cookies();
    const refresh = cookies.find((cookie) => cookie.name === 'preschool_refresh');
    expect(refresh).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/auth' });

    // the access token is refused: the panel renews it with the cookie and carries on
    await page.evaluate(() => localStorage.setItem('preschool.jwt', 'expired.token.value'));
    await page.getByRole('menuitem', { name: '班级管理' }).click();
    await page.waitForURL(/school-classes/);
    await page.waitForFunction(() => (localStorage.getItem('preschool.jwt') || 'expired.token.value') !== 'expired.token.value');
    await page.getByRole('menuitem', { name: '幼儿学籍' }).waitFor();
    expect(page.url()).not.toMatch(/login/);
    const rotated = (await context.cookies()).find((cookie) => cookie.name === 'preschool_refresh');
    expect(rotated?.value).toBeTruthy();
    expect(rotated!.value).not.toBe(refresh!.value);
    expect((await storedKeys()).filter((key) => key.toLowerCase().includes('refresh'))).toEqual([]);

    // a reload keeps the user signed in
    await page.reload();
    await page.getByRole('menuitem', { name: '幼儿学籍' }).waitFor();

    // logout ends the session and clears the cookie; a reload shows the login page
    await page.getByRole('button', { name: '个人信息' }).click();
    await page.getByRole('menuitem', { name: '退出登录' }).click();
    await page.locator('input[name="username"]').waitFor();
    expect((await context.cookies()).find((cookie) => cookie.name === 'preschool_refresh')).toBeUndefined();
    await page.reload();
    await page.locator('input[name="username"]').waitFor();
    expect(page.url()).toMatch(/login/);
    // the rotated cookie's session is over
    const after = await page.evaluate(async (value) => {
        const response = await fetch('/api/auth/refresh', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'preschool-panel' }, body: JSON.stringify({ refreshToken: value }) });
        return response.status;
    }, rotated!.value);
    expect(after).toBe(401);
}, 120_000);
