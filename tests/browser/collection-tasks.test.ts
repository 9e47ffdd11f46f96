/**
 * 专项填报 in the panel (docs/collection-tasks.md): the province designs a task in the designer (a
 * required code field, a repeating table), sees it in the preview and publishes it to the 公办
 * kindergartens of 泉州市; the kindergarten fills the generated form on a phone and submits it; the
 * county returns it with a comment, the kindergarten corrects it, the county approves; the
 * province's completion table counts it. A kindergarten of 厦门市 has nothing in its inbox.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { login } from '../helpers/api';
import { ensurePanelBuilt, launchChromium, openPage, submitLogin } from '../helpers/panel';

let app: BootedApp;
let browser: Browser;
/** The screenshots of docs/collection-tasks.md: rewritten by a run with DOCS_SCREENSHOTS=1, else taken into a temporary folder (a test run leaves the checkout as it was). */
const IMAGES = process.env.DOCS_SCREENSHOTS === '1' ? path.join(__dirname, '../../docs/images') : fs.mkdtempSync(path.join(os.tmpdir(), 'task-screenshots-'));

beforeAll(async () => {
    ensurePanelBuilt();
    app = await bootStrapi({ listen: true });
    browser = await launchChromium();
}, 300_000);

afterAll(async () => {
    await browser?.close();
    await app?.stop();
});

async function signedIn(username: string, options: { isMobile?: boolean; english?: boolean } & Record<string, unknown> = {}): Promise<Page> {
    const { english, ...rest } = options;
    const page = await openPage(browser, rest);
    if (english) await page.addInitScript(() => localStorage.setItem('RaStore.locale', JSON.stringify('en')));
    await submitLogin(page, app.baseUrl, username);
    // on a phone the menu is folded away: the app bar's menu button says the panel is there
    if (options.isMobile) await page.locator('header button').first().waitFor();
    else await page.getByRole('menuitem').first().waitFor();
    return page;
}

/** A full-page screenshot for the docs: the app bar scrolls with the page (not pasted mid-page), no toast. */
async function snap(page: Page, file: string) {
    await page.addStyleTag({ content: 'header.MuiAppBar-root { position: absolute !important; } .MuiSnackbar-root { display: none !important; }' });
    await page.screenshot({ path: `${IMAGES}/${file}`, fullPage: true });
}

/** Picks an option of an MUI select found by its test id. */
async function pick(page: Page, testId: string, option: string) {
    await page.getByTestId(testId).click();
    await page.getByRole('option', { name: option, exact: true }).click();
}

test('designed, published, filled on a phone, returned, corrected, approved, counted', async () => {
    // 省级: 专项填报 → 新建
    const designer = await signedIn('demo-province');
    await designer.getByRole('menuitem', { name: '专项填报', exact: true }).click();
    await designer.getByRole('link', { name: '新建填报任务' }).click();
    await designer.getByTestId('task-title').fill('秋季开学情况（浏览器）');
    await pick(designer, 'task-ownership', '公办');
    await designer.getByTestId('task-regions').fill('350500');
    await designer.getByTestId('section-0-title').fill('基本情况');
    await designer.getByTestId('section-0-add-field').click();
    await designer.getByTestId('form.sections.0.fields.0.label').fill('城乡分类');
    await pick(designer, 'form.sections.0.fields.0.type', '代码表选项');
    await pick(designer, 'form.sections.0.fields.0.codeTable', '城乡分类');
    await designer.getByLabel('必填').first().check();
    await designer.getByTestId('section-0-add-field').click();
    await designer.getByTestId('form.sections.0.fields.1.label').fill('联系电话');
    await designer.getByTestId('section-0-add-table').click();
    await designer.getByTestId('form.sections.0.fields.2.label').fill('班级情况');
    await designer.getByTestId('form.sections.0.fields.2.columns.0.label').fill('班级名称');
    // the preview is the generated form
    await designer.getByTestId('task-preview').getByText('班级情况').waitFor();
    await designer.getByTestId('task-save').click();
    await designer.getByTestId('task-state').getByText('草稿').waitFor();
    // a cross-field rule on the saved fields: 联系电话 required when 城乡分类 is 主城区
    await designer.getByTestId('add-rule').click();
    await pick(designer, 'rule-0-kind', '条件必填');
    await pick(designer, 'rule-0-when', '城乡分类');
    await pick(designer, 'rule-0-equals', '主城区');
    await pick(designer, 'rule-0-field', '联系电话');
    await designer.getByTestId('task-save').click();
    await designer.getByTestId('task-rules').getByText('城乡分类为“主城区”时，联系电话必填').waitFor();
    await snap(designer, 'collection-task-designer-draft.png');
    await designer.getByTestId('task-publish').click();
    await designer.getByTestId('task-state').getByText('填报中').waitFor();
    await designer.getByText('此任务已发布，表单不能再修改').waitFor();
    await snap(designer, 'collection-task-designer.png');
    const taskId = designer.url().split('/').pop()!;

    // 厦门市 is not assigned: its kindergarten's inbox is empty
    const outside = await signedIn('demo-kindergarten-2');
    await outside.goto(`${app.baseUrl}/#/task-inbox`);
    await outside.getByText('暂无填报任务').waitFor();

    // the kindergarten, on a phone: its inbox, the generated form, submit
    const phone = await signedIn('demo-kindergarten', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await phone.goto(`${app.baseUrl}/#/task-inbox`);
    await phone.getByRole('link', { name: '秋季开学情况（浏览器）' }).click();
    await phone.getByTestId('submission-state').getByText('未提交').waitFor();
    await phone.getByTestId('submission-submit').click();
    await phone.getByText('城乡分类必填').first().waitFor();
    await pick(phone, 'field-cheng_xiang_fen_lei', '主城区');
    await phone.getByTestId('add-row-ban_ji_qing_kuang').click();
    await phone.getByTestId('ban_ji_qing_kuang-0-ban_ji_ming_cheng').fill('小一班');
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    // the rule is shown above the form, and its breach under the field it names
    await phone.getByTestId('form-rules').getByText('城乡分类为“主城区”时，联系电话必填').waitFor();
    await phone.getByTestId('submission-submit').click();
    await phone.locator('.MuiFormHelperText-root', { hasText: '城乡分类为“主城区”时，联系电话必填' }).waitFor();
    await phone.screenshot({ path: `${IMAGES}/collection-task-phone.png`, fullPage: true });
    await phone.getByTestId('field-lian_xi_dian_hua').fill('0595-22000000');
    await phone.getByTestId('submission-submit').click();
    await phone.getByTestId('submission-state').getByText('待审核').waitFor();
    const submissionUrl = phone.url();

    // the county returns it with a comment
    const county = await signedIn('demo-county');
    await county.goto(submissionUrl.replace(/^https?:\/\/[^/]+/, app.baseUrl));
    await county.getByTestId('review-comment-input').fill('请补充大班');
    await county.getByTestId('review-return').click();
    await county.getByTestId('submission-state').getByText('已退回').waitFor();

    // corrected and submitted again
    await phone.reload();
    await phone.getByTestId('review-comment').getByText('请补充大班').waitFor();
    await phone.getByTestId('add-row-ban_ji_qing_kuang').click();
    await phone.getByTestId('ban_ji_qing_kuang-1-ban_ji_ming_cheng').fill('大一班');
    await phone.getByTestId('submission-submit').click();
    await phone.getByTestId('submission-state').getByText('待审核').waitFor();

    // approved from the county's review list
    await county.goto(`${app.baseUrl}/#/task-inbox`);
    await county.getByRole('link', { name: '秋季开学情况（浏览器）' }).first().click();
    await county.getByTestId('review-approve').click();
    await county.getByTestId('submission-state').getByText('已通过').waitFor();

    // the province's completion table counts it
    await designer.goto(`${app.baseUrl}/#/collection-tasks/${taskId}`);
    await designer.reload();
    const total = designer.getByTestId('completion-total');
    await total.getByText('25.0%').waitFor();
    expect((await total.innerText()).replace(/\s+/g, ' ')).toContain('合计 4 0 0 1 0 25.0%');
    const api = await login(app, 'demo-province');
    const stored = await api.get(`/api/collection-tasks/${taskId}/completion`).expect(200);
    expect(stored.body.data.total).toMatchObject({ assigned: 4, approved: 1 });

    // the chart-page editor offers the task's fields (the server's catalog); a chart page shows its figure
    await designer.goto(`${app.baseUrl}/#/chart-pages/create`);
    await designer.getByLabel('指标').first().click();
    await designer.getByRole('option', { name: '专项填报：秋季开学情况（浏览器）（v1）·已通过的填报', exact: true }).waitFor();
    await designer.keyboard.press('Escape');
    const chartPage = (await api.post('/api/chart-pages', { data: { title: '秋季开学情况', charts: [
        { title: '各区县已通过的填报', indicator: `task:${taskId}:submissions`, dimension: 'county', filters: {}, type: 'table' },
    ] } }).expect(201)).body.data;
    await designer.goto(`${app.baseUrl}/#/chart-pages/${chartPage.documentId}/show`);
    const row = designer.getByRole('row', { name: /鲤城区/ });
    await row.waitFor();
    expect((await row.innerText()).replace(/\s+/g, ' ')).toMatch(/鲤城区 1\b/);
    await snap(designer, 'collection-task-chart.png');

    // the inbox and the generated form on a phone in English
    const english = await signedIn('demo-kindergarten', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, english: true });
    await english.goto(`${app.baseUrl}/#/task-inbox`);
    await english.getByRole('link', { name: '秋季开学情况（浏览器）' }).waitFor();
    await english.getByText(/Awaiting review|Approved/).first().waitFor();
    expect(await english.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await english.getByRole('link', { name: '秋季开学情况（浏览器）' }).click();
    await english.getByTestId('submission-state').getByText('Approved').waitFor();
    await english.getByText('Rules of this form').waitFor();
    expect(await english.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await english.screenshot({ path: `${IMAGES}/collection-task-phone-en.png`, fullPage: true });
    // four accounts, a phone, two reviews: a long test on a busy machine
}, 300_000);
