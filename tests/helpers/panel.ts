import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { DEMO_PASSWORD, REPOSITORY_ROOT } from './boot';

/** What every browser test shares: the built panel, Debian's Chromium, a page, the login form. */

/** Builds the panel (admin/dist) when a fresh clone has not built it yet. */
export function ensurePanelBuilt(): void {
  if (!fs.existsSync(path.join(REPOSITORY_ROOT, 'admin', 'dist', 'index.html'))) {
    execFileSync('npm', ['run', 'build', '-w', 'admin'], { cwd: REPOSITORY_ROOT, stdio: 'inherit' });
  }
}

/** Headless Chromium (CHROMIUM_PATH, or Debian's /usr/bin/chromium). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A page in a new context: zh-CN, 1366 × 900 unless told otherwise, 30-s timeouts. */
export async function openPage(browser: Browser, options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN', ...options });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  return page;
}

/** Fills the panel's login form and submits it (the caller waits for what it expects next). */
export async function submitLogin(page: Page, baseUrl: string, username: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.locator('input[name="username"]').fill(username);
  await page.locator('input[name="password"]').fill(password);
  await page.locator('button[type="submit"]').click();
}
