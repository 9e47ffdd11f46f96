/**
 * A kindergarten enters a child whose ID number is already held in another county: the form says
 * where, inline as the user types (saving is refused with the same message: tests/api/children.test.ts).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { chromium, type Browser } from 'playwright-core';
import { bootStrapi, DEMO_PASSWORD, type BootedApp } from '../helpers/boot';
import { residentId } from '../helpers/ids';

const ROOT = path.resolve(__dirname, '..', '..');
let app: BootedApp;
let browser: Browser;
const heldNumber = residentId('350502', '20220606', '061');

beforeAll(async () => {
    if (!fs.existsSync(path.join(ROOT, 'admin', 'dist', 'index.html'))) {
        execFileSync('npm', ['run', 'build', '-w', 'admin'], { cwd: ROOT, stdio: 'inherit' });
    }
    app = await bootStrapi({ listen: true });
    browser = await chromium.launch({
        executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    // The number is held by a child of 泉州市鲤城区实验幼儿园 (鲤城区).
    const server = app.strapi.server.httpServer;
    const { body } = await request(server).post('/api/auth/local').send({ identifier: 'demo-kindergarten', password: DEMO_PASSWORD });
    const auth = `Bearer ${body.jwt}`;
    const classes = await request(server).get('/api/school-classes').set('Authorization', auth);
    await request(server).post('/api/children').set('Authorization', auth).send({ data: {
        name: '苏小满', idType: '1', idNumber: heldNumber, birthPlace: '350502', nativePlace: '福建泉州', ethnicity: '01', nationality: '156',
        overseasChinese: '00', health: '10', householdRegion: '350502', householdType: '2', address: '鲤城区', phone: '13800000000',
        enrolledOn: '2025-09-01', enrollmentMode: '1', onlyChild: true, schoolClass: classes.body.data[0].documentId,
        guardians: [{ name: '苏父', relation: '1', idType: '1', idNumber: residentId('350502', '19900303', '031') }],
    } }).expect(201);
}, 300_000);

afterAll(async () => {
    await browser?.close();
    await app?.stop();
});

test('another county’s kindergarten sees where the ID number is held as it types (sex and birth date filled from the number); lists mask numbers', async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    await page.goto(`${app.baseUrl}/`);
    await page.locator('input[name="username"]').fill('demo-kindergarten-2');
    await page.locator('input[name="password"]').fill(DEMO_PASSWORD);
    await page.locator('button[type="submit"]').click();
    await page.getByRole('menuitem', { name: '幼儿学籍' }).click();
    await page.goto(`${app.baseUrl}/#/children/create`);
    await page.locator('input[name="name"]').fill('苏小满');
    await page.locator('input[name="idNumber"]').fill(heldNumber);
    const message = page.getByTestId('duplicate-check').getByText('该证件号码已有学籍');
    await message.waitFor();
    expect(await message.innerText()).toContain('鲤城区泉州市鲤城区实验幼儿园');
    // the ID number filled in sex and birth date
    await page.waitForFunction(() => (document.querySelector('input[name="birthDate"]') as HTMLInputElement)?.value === '2022-06-06');
    await page.screenshot({ path: '/tmp/child-duplicate.png', fullPage: true });
    expect(await app.strapi.db.query('api::child.child').count()).toBe(1);

    const own = await browser.newContext({ locale: 'zh-CN' });
    const list = await own.newPage();
    await list.goto(`${app.baseUrl}/`);
    await list.locator('input[name="username"]').fill('demo-kindergarten');
    await list.locator('input[name="password"]').fill(DEMO_PASSWORD);
    await list.locator('button[type="submit"]').click();
    await list.getByRole('menuitem', { name: '幼儿学籍' }).click();
    await list.locator('table').getByText('苏小满').waitFor();
    expect(await list.locator('table').innerText()).toContain(`350502********${heldNumber.slice(-4)}`);
    expect(await list.locator('table').innerText()).not.toContain(heldNumber);

    // the kindergarten reviews the record and the 学籍号 is issued
    await list.locator('table').getByText('苏小满').click();
    await list.getByRole('button', { name: '审核并生成学籍号' }).click();
    await list.getByText(/已生成学籍号 G/).waitFor();
    const stored = await app.strapi.db.query('api::child.child').findOne({ where: { name: '苏小满' } });
    expect(stored.studentNumber).toBe(`G${heldNumber}`);
    await list.getByRole('menuitem', { name: '问题学籍' }).click();
    await list.waitForURL(/#\/problem-records/);
    await list.locator('header').getByText('问题学籍').waitFor();
});
