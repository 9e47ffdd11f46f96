/**
 * The county exports its kindergartens and staff lists from the panel (导出 Excel / 导出 CSV): the
 * files hold its own records only, with the list's current filter applied.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { type Browser, type Page } from 'playwright-core';
import { bootStrapi, DEMO_PASSWORD, type BootedApp } from '../helpers/boot';
import { ensurePanelBuilt, launchChromium } from '../helpers/panel';

const WORK = fs.mkdtempSync(path.join(os.tmpdir(), 'exports-browser-'));
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
    fs.rmSync(WORK, { recursive: true, force: true });
});

async function save(page: Page, button: string, name: string): Promise<string> {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
    const file = path.join(WORK, name);
    await download.saveAs(file);
    return file;
}

test('the county exports its kindergartens (filtered) as csv and its staff as xlsx', async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 1000 }, locale: 'zh-CN', acceptDownloads: true });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    await page.goto(`${app.baseUrl}/`);
    await page.locator('input[name="username"]').fill('demo-county');
    await page.locator('input[name="password"]').fill(DEMO_PASSWORD);
    await page.locator('button[type="submit"]').click();

    await page.getByRole('menuitem', { name: '幼儿园', exact: true }).click();
    await page.getByText('鲤城区小天使幼儿园').waitFor();
    const all = fs.readFileSync(await save(page, '导出 CSV', 'kindergartens.csv'), 'utf8');
    expect(all.charCodeAt(0)).toBe(0xfeff);
    expect(all).toContain('泉州市鲤城区实验幼儿园');
    expect(all).toContain('鲤城区小天使幼儿园');
    expect(all).not.toContain('丰泽区');
    // the list's search is the export's filter
    await page.locator('input[name="q"]').fill('小天使');
    await page.getByText('泉州市鲤城区实验幼儿园').waitFor({ state: 'detached' });
    const filtered = fs.readFileSync(await save(page, '导出 CSV', 'kindergartens-filtered.csv'), 'utf8').trim().split('\r\n');
    expect(filtered).toHaveLength(2);
    expect(filtered[1]).toContain('鲤城区小天使幼儿园');

    await page.getByRole('menuitem', { name: '教职工', exact: true }).click();
    await page.getByText('林晓梅').waitFor();
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(await save(page, '导出 Excel', 'staff.xlsx'));
    const names: string[] = [];
    book.worksheets[0].eachRow((row, n) => { if (n > 1) names.push(String(row.getCell(1).value)); });
    expect(names).toContain('林晓梅');
    expect(names).not.toContain('李婷');
    expect(names).toHaveLength(await app.strapi.db.query('api::staff.staff').count({ where: { countyCode: '350502' } }));
    await context.close();
}, 120_000);
