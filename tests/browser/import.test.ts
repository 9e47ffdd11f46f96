/**
 * A kindergarten imports children from Excel in the panel (批量导入): it uploads a file with errors
 * (all-or-none: nothing is imported), reads the per-row errors, downloads the error report, fixes
 * the report and uploads it again: the rows are imported; the children's list exports.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { type Browser, type Page } from 'playwright-core';
import { bootStrapi, DEMO_PASSWORD, type BootedApp } from '../helpers/boot';
import { ensurePanelBuilt, launchChromium } from '../helpers/panel';
import { residentId } from '../helpers/ids';

const WORK = fs.mkdtempSync(path.join(os.tmpdir(), 'import-browser-'));
let app: BootedApp;
let browser: Browser;

const HEADERS = ['姓名', '证件号码', '出生地', '籍贯', '民族', '国籍/地区', '港澳台侨外', '健康状况', '户口所在地', '户口性质', '现住址', '联系电话', '入园日期', '班级', '就读方式', '是否独生子女', '监护人1姓名', '监护人1与幼儿关系', '监护人1证件号码', '身份证件类型'];
const row = (n: number, ethnicity = '汉族') => [
    `浏览器导入${n}`, residentId('350502', '20220420', String(200 + 2 * n + 1)), '350502', '福建泉州', ethnicity, '中国', '否', '健康或良好', '350502', '非农业',
    '鲤城区新华路 2 号', '13800000000', '2025-09-01', '小一班', '走读', '是', `家长${n}`, '母亲', residentId('350502', '19910101', String(200 + 2 * n)), '居民身份证',
];

beforeAll(async () => {
    ensurePanelBuilt();
    app = await bootStrapi({ listen: true });
    browser = await launchChromium();
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('幼儿信息');
    sheet.addRow(HEADERS);
    sheet.addRow(row(1));
    sheet.addRow(row(2, '火星族'));
    sheet.addRow(row(3));
    await book.xlsx.writeFile(path.join(WORK, 'children.xlsx'));
}, 300_000);

afterAll(async () => {
    await browser?.close();
    await app?.stop();
    fs.rmSync(WORK, { recursive: true, force: true });
});

async function uploadAndWait(page: Page, file: string, state: string) {
    await page.locator('input[type="file"][name="file"]').setInputFiles(file);
    await page.getByRole('button', { name: '上传并导入' }).click();
    await page.getByTestId('import-state').getByText(state).waitFor();
}

test('upload a file with errors, download the report, fix it, import it', async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 1000 }, locale: 'zh-CN', acceptDownloads: true });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    await page.goto(`${app.baseUrl}/`);
    await page.locator('input[name="username"]').fill('demo-kindergarten');
    await page.locator('input[name="password"]').fill(DEMO_PASSWORD);
    await page.locator('button[type="submit"]').click();
    await page.getByRole('menuitem', { name: '批量导入' }).click();
    await page.getByText('幼儿学籍批量导入').first().waitFor();

    // the template downloads as an xlsx
    const [template] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载导入模板' }).click()]);
    expect(template.suggestedFilename()).toBe('幼儿学籍导入模板.xlsx');

    // a file with one bad row, all-or-none: nothing imported, the error listed by row and column
    await uploadAndWait(page, path.join(WORK, 'children.xlsx'), '未导入');
    const errors = page.getByTestId('import-errors');
    await errors.getByText('火星族', { exact: false }).waitFor();
    expect(await errors.locator('tbody tr').first().innerText()).toMatch(/3\s+民族/);
    expect(await page.getByTestId('import-counts').innerText()).toContain('共 3 行：正确 2 行，错误 1 行');
    await page.screenshot({ path: '/tmp/import-errors.png', fullPage: true });
    expect(await app.strapi.db.query('api::child.child').count({ where: { name: { $startsWith: '浏览器导入' } } })).toBe(0);

    // download the report, fix the row in it, upload it again
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载错误报告' }).click()]);
    const reportPath = path.join(WORK, 'report.xlsx');
    await download.saveAs(reportPath);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(reportPath);
    const sheet = book.worksheets[0];
    const headers = (sheet.getRow(1).values as unknown[]).slice(1).map(String);
    expect(headers.slice(-1)).toEqual(['错误说明']);
    expect(String(sheet.getRow(3).getCell(headers.length).value)).toContain('火星族');
    sheet.getRow(3).getCell(headers.indexOf('民族') + 1).value = '汉族';
    const fixedPath = path.join(WORK, 'fixed.xlsx');
    await book.xlsx.writeFile(fixedPath);
    await uploadAndWait(page, fixedPath, '已完成');
    expect(await page.getByTestId('import-counts').innerText()).toContain('本次写入 3 行');
    await page.screenshot({ path: '/tmp/import-done.png', fullPage: true });
    expect(await app.strapi.db.query('api::child.child').count({ where: { name: { $startsWith: '浏览器导入' } } })).toBe(3);

    // the children's list exports what it shows
    await page.getByRole('menuitem', { name: '幼儿学籍' }).click();
    await page.getByText('浏览器导入1').waitFor();
    const [exported] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '导出 CSV' }).click()]);
    const csvPath = path.join(WORK, 'children.csv');
    await exported.saveAs(csvPath);
    expect(fs.readFileSync(csvPath, 'utf8')).toContain('浏览器导入2');
});
