/**
 * The panel in headless Chromium against an in-process Strapi with the demo data:
 * a county user signs in through the real login form and sees only its own county's kindergartens.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { bootStrapi, DEMO_PASSWORD, type BootedApp } from '../helpers/boot';
import { launchChromium } from '../helpers/panel';

const ROOT = path.resolve(__dirname, '..', '..');
const PANEL_INDEX = path.join(ROOT, 'admin', 'dist', 'index.html');
const SCREENSHOT = process.env.SCREENSHOT_PATH || '/tmp/county-list.png';
const TIMEOUT = 30_000;

let app: BootedApp;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
    if (!fs.existsSync(PANEL_INDEX)) {
        execFileSync('npm', ['run', 'build', '-w', 'admin'], { cwd: ROOT, stdio: 'inherit' });
    }
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
    page.on('pageerror', (error) => pageErrors.push(String(error)));
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

test('a wrong password is refused by the server and the form says so in Chinese', async () => {
    await signIn('demo-county', 'not-the-password');
    await page.getByText('登录失败').waitFor();
    expect(await page.locator('input[name="username"]').isVisible()).toBe(true);
    expect(await page.evaluate(() => localStorage.getItem('preschool.jwt'))).toBeNull();
});

test('demo-county sees its own kindergartens only, in a Chinese UI', async () => {
    await signIn('demo-county', DEMO_PASSWORD);

    // Chinese by default: the county level's menu.
    await page.getByRole('menuitem', { name: '仪表盘' }).waitFor();
    await expect(page.getByRole('menuitem', { name: '幼儿园', exact: true }).count()).resolves.toBe(1);
    await expect(page.getByRole('menuitem', { name: '行政区划' }).count()).resolves.toBe(1);
    await expect(page.getByRole('menuitem', { name: '账号管理' }).count()).resolves.toBe(1);

    // The dashboard names the user's level and county.
    await page.getByTestId('dashboard-title').getByText('鲤城区').waitFor();

    await page.getByRole('menuitem', { name: '幼儿园', exact: true }).click();
    await page.waitForURL(/#\/kindergartens/);
    const table = page.locator('table');
    await table.getByText('泉州市鲤城区实验幼儿园').waitFor();
    await table.getByText('鲤城区海滨街道中心幼儿园').waitFor();
    await table.getByText('鲤城区小天使幼儿园').waitFor();

    expect(await page.getByText('厦门市思明区第一幼儿园').count()).toBe(0);
    expect(await page.getByText('思明区鹭江幼儿园').count()).toBe(0);
    // Column headers and choice labels are Chinese too.
    await table.getByText('机构标识码').waitFor();
    await table.getByText('民办').first().waitFor();
    expect(await table.locator('tbody tr').count()).toBe(3);

    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(pageErrors).toEqual([]);
});

test('the language menu switches the panel to English', async () => {
    await signIn('demo-county', DEMO_PASSWORD);
    await page.getByRole('menuitem', { name: '仪表盘' }).waitFor();
    // react-admin's LocalesMenuButton (its button shows the current language's name).
    await page.locator('header button[aria-haspopup="true"]').filter({ hasText: '简体中文' }).click();
    await page.getByRole('menuitem', { name: 'English' }).click();
    await page.getByRole('menuitem', { name: 'Kindergartens' }).waitFor();
    expect(await page.getByRole('menuitem', { name: '幼儿园', exact: true }).count()).toBe(0);
});
