/**
 * 卫生保健 in the panel (headless Chromium): the kindergarten sees its health checks with the growth
 * flags the server computed, and a child's 卫生保健 tab with checks, certificate checks and allergies;
 * the province sees the checks of its reach but no allergies (no menu entry, no section in the tab).
 * Screenshots go to /tmp.
 */
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { login } from '../helpers/api';
import { residentId } from '../helpers/ids';
import { ensurePanelBuilt, launchChromium, submitLogin } from '../helpers/panel';

const TIMEOUT = 30_000;
let app: BootedApp;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let childId: string;
const pageErrors: string[] = [];
const iso = (date: Date) => date.toISOString().slice(0, 10);
const now = new Date();
const BIRTH = iso(new Date(Date.UTC(now.getUTCFullYear() - 4, now.getUTCMonth() - 8, 1)));

beforeAll(async () => {
    ensurePanelBuilt();
    app = await bootStrapi({ listen: true });
    browser = await launchChromium();
    const kindergarten = await login(app, 'demo-kindergarten');
    const classId = (await kindergarten.get('/api/school-classes?filters[name][$eq]=小一班').expect(200)).body.data[0].documentId;
    childId = (await kindergarten.post('/api/children', { data: {
        name: '林小禾', idType: '1', idNumber: residentId('350502', BIRTH.replace(/-/g, ''), '131'), birthPlace: '350502', nativePlace: '福建', ethnicity: '01', nationality: '156',
        overseasChinese: '00', health: '10', householdRegion: '350502', householdType: '1', address: '某路', phone: '1', enrolledOn: '2025-09-01', enrollmentMode: '1', onlyChild: false,
        leftBehind: '0', migrant: false, schoolClass: classId, guardians: [{ name: '家长', relation: '1', idType: '1', idNumber: residentId('350502', '19900101', '771') }],
    } }).expect(201)).body.data.documentId;
    const checkDate = iso(new Date(Date.now() - 30 * 86_400_000));
    await kindergarten.post('/api/child-health-checks', { data: { child: childId, checkType: 'entrance', checkDate, checkedBy: '鲤城区妇幼保健院', heightCm: 110, weightKg: 23, conclusion: '超重，建议调整膳食' } }).expect(201);
    await kindergarten.post('/api/vaccination-checks', { data: { child: childId, checkDate, status: 'toComplete', vaccinesToComplete: '麻腮风第二剂' } }).expect(201);
    await kindergarten.post('/api/child-health-conditions', { data: { child: childId, conditionType: 'allergy', description: '花生过敏', careInstructions: '餐食去除花生' } }).expect(201);
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

test('the kindergarten: the checks list with the flag 超重, the child\'s 卫生保健 tab with all three records', async () => {
    await signIn('demo-kindergarten');
    await page.getByRole('menuitem', { name: '体检记录' }).click();
    await page.locator('main').getByText('林小禾').waitFor();
    await page.locator('main').getByText('超重').first().waitFor();
    await page.locator('main').getByText('入园体检').first().waitFor();
    await page.screenshot({ path: '/tmp/health-checks.png', fullPage: true });
    await page.getByRole('menuitem', { name: '过敏与慢性病' }).waitFor();
    await page.goto(`${app.baseUrl}/#/children/${childId}/show/health`);
    const tab = page.getByTestId('child-child-health-conditions');
    await tab.getByText('花生过敏').waitFor();
    await page.getByTestId('child-vaccination-checks').getByText('需补种', { exact: true }).waitFor();
    await page.getByTestId('child-child-health-checks').getByText('超重', { exact: true }).waitFor();
    await page.screenshot({ path: '/tmp/health-child-tab.png', fullPage: true });
    expect(pageErrors).toEqual([]);
});

test('the province: checks of its reach, no allergies anywhere', async () => {
    await signIn('demo-province');
    await page.getByRole('menuitem', { name: '体检记录' }).click();
    await page.locator('main').getByText('林小禾').waitFor();
    expect(await page.getByRole('menuitem', { name: '过敏与慢性病' }).count()).toBe(0);
    await page.goto(`${app.baseUrl}/#/children/${childId}/show/health`);
    await page.getByTestId('child-child-health-checks').getByText('超重', { exact: true }).waitFor();
    await page.getByTestId('child-vaccination-checks').getByText('需补种', { exact: true }).waitFor();
    expect(await page.getByTestId('child-child-health-conditions').count()).toBe(0);
    expect(await page.locator('main').innerText()).not.toContain('花生过敏');
    await page.screenshot({ path: '/tmp/health-province-tab.png', fullPage: true });
    expect(pageErrors).toEqual([]);
});
