/**
 * The 学籍 lifecycle in the panel: a kindergarten moves a child to another class from the child's
 * 学籍档案 tab and sees the timeline grow; a receiving kindergarten applies for a transfer, the
 * sending one agrees from its 转园 inbox, and the receiver completes it into one of its classes.
 */
import request from 'supertest';
import { type Browser, type Page } from 'playwright-core';
import { bootStrapi, DEMO_PASSWORD, type BootedApp } from '../helpers/boot';
import { ensurePanelBuilt, launchChromium, openPage, submitLogin } from '../helpers/panel';
import { residentId } from '../helpers/ids';

let app: BootedApp;
let browser: Browser;
let childId: string;
let studentNumber: string;

beforeAll(async () => {
    ensurePanelBuilt();
    app = await bootStrapi({ listen: true });
    browser = await launchChromium();
    const server = app.strapi.server.httpServer;
    const { body } = await request(server).post('/api/auth/local').send({ identifier: 'demo-kindergarten', password: DEMO_PASSWORD });
    const auth = `Bearer ${body.jwt}`;
    const classes = await request(server).get('/api/school-classes?filters[name][$eq]=小一班').set('Authorization', auth);
    const kindergarten = await request(server).get('/api/kindergartens').set('Authorization', auth);
    await request(server).post('/api/school-classes').set('Authorization', auth)
        .send({ data: { name: '小二班', grade: 'small', schoolYear: '2026-2027', capacity: 25, kindergarten: kindergarten.body.data[0].documentId } }).expect(201);
    const created = await request(server).post('/api/children').set('Authorization', auth).send({ data: {
        name: '郑小禾', idType: '1', idNumber: residentId('350502', '20220909', '091'), birthPlace: '350502', nativePlace: '福建泉州', ethnicity: '01', nationality: '156',
        overseasChinese: '00', health: '10', householdRegion: '350502', householdType: '2', address: '鲤城区', phone: '13800000000',
        enrolledOn: '2025-09-01', enrollmentMode: '1', onlyChild: true, schoolClass: classes.body.data[0].documentId,
        guardians: [{ name: '郑父', relation: '1', idType: '1', idNumber: residentId('350502', '19900909', '091') }],
    } }).expect(201);
    childId = created.body.data.documentId;
    const registered = await request(server).post(`/api/children/${childId}/register`).set('Authorization', auth).send({ data: { acknowledgeCandidates: true } }).expect(200);
    studentNumber = registered.body.data.studentNumber;
}, 300_000);

afterAll(async () => {
    await browser?.close();
    await app?.stop();
});

async function loggedIn(username: string): Promise<Page> {
    const page = await openPage(browser);
    await submitLogin(page, app.baseUrl, username);
    await page.getByRole('menuitem', { name: '转园' }).waitFor();
    return page;
}

test('a class move from the 学籍档案 tab appears on the timeline', async () => {
    const page = await loggedIn('demo-kindergarten');
    await page.goto(`${app.baseUrl}/#/children/${childId}/show/history`);
    await page.locator('.child-history').getByText('入园分班').waitFor();
    await page.getByRole('button', { name: '分班/调班' }).click();
    await page.getByLabel('班级').click();
    await page.getByRole('option', { name: '小二班' }).click();
    await page.locator('input[name="reason"]').fill('家长申请调班');
    await page.getByRole('button', { name: '确认' }).click();
    await page.locator('.child-history').getByText('调班', { exact: true }).waitFor();
    const timeline = await page.locator('.child-history').innerText();
    expect(timeline).toContain('小一班 → 小二班');
    expect(timeline).toContain('家长申请调班');
    await page.screenshot({ path: '/tmp/lifecycle-history.png', fullPage: true });
    await page.goto(`${app.baseUrl}/#/lifecycle`);
    await page.locator('.bulk-promotion').getByText('升级').first().waitFor();
    expect(await page.locator('.bulk-graduation').innerText()).toContain('窗口期');
    await page.screenshot({ path: '/tmp/lifecycle-bulk.png', fullPage: true });
    await page.context().close();
});

test('a key-information change: the guardian\'s application, evidence, the kindergarten\'s approval; the 学籍号 stays', async () => {
    const page = await loggedIn('demo-kindergarten');
    await page.goto(`${app.baseUrl}/#/children/${childId}/show/history`);
    await page.locator('.child-history').waitFor();
    await page.getByRole('button', { name: '关键信息变更' }).click();
    await page.locator('input[name="name"]').fill('郑禾');
    await page.locator('textarea[name="reason"]').first().fill('监护人申请更正姓名');
    await page.getByRole('button', { name: '确认' }).click();
    const diff = page.locator('tr[data-field="name"]');
    await diff.waitFor();
    expect(await diff.innerText()).toContain('郑小禾');
    expect(await diff.innerText()).toContain('郑禾');
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
    await page.locator('input[name="evidence"]').setInputFiles({ name: 'hukou.png', mimeType: 'image/png', buffer: png });
    await page.getByRole('link', { name: 'hukou.png' }).waitFor();
    await page.getByRole('button', { name: '通过' }).click();
    await page.getByRole('button', { name: '确认' }).click();
    await page.getByText('已通过该申请').waitFor();
    await page.screenshot({ path: '/tmp/lifecycle-key-change.png', fullPage: true });
    await page.goto(`${app.baseUrl}/#/children/${childId}/show/history`);
    await page.locator('.child-history').getByText('关键信息变更', { exact: true }).waitFor();
    expect(await page.locator('.child-history').innerText()).toContain('郑小禾 → 郑禾');
    const stored = await app.strapi.db.query('api::child.child').findOne({ where: { documentId: childId } });
    expect(stored).toMatchObject({ name: '郑禾', studentNumber });
    await page.context().close();
});

test('a transfer across prefectures: applied, agreed and completed from each side\'s 转园 page', async () => {
    const receiver = await loggedIn('demo-kindergarten-2');
    await receiver.getByRole('menuitem', { name: '转园' }).click();
    await receiver.getByRole('button', { name: '申请转入' }).click();
    await receiver.locator('input[name="studentNumber"]').fill(studentNumber);
    await receiver.getByRole('button', { name: '确认' }).click();
    await receiver.getByText('待转出园同意').waitFor();
    const row = await receiver.locator('tbody tr').first().innerText();
    expect(row).toContain('郑禾');
    expect(row).toContain('泉州市鲤城区实验幼儿园');
    expect(row).not.toContain(residentId('350502', '20220909', '091'));

    const sender = await loggedIn('demo-kindergarten');
    await sender.getByRole('menuitem', { name: '转园' }).click();
    await sender.getByRole('button', { name: '同意转出' }).click();
    await sender.getByText('已同意，待转入').waitFor();
    await sender.context().close();

    await receiver.reload();
    await receiver.getByRole('button', { name: '完成转入' }).click();
    await receiver.getByLabel('转入班级').click();
    await receiver.getByRole('option', { name: '小一班' }).click();
    await receiver.getByRole('button', { name: '确认' }).click();
    await receiver.getByText('已完成', { exact: true }).waitFor();
    await receiver.screenshot({ path: '/tmp/lifecycle-transfers.png', fullPage: true });
    const stored = await app.strapi.db.query('api::child.child').findOne({ where: { documentId: childId } });
    expect(stored.institutionCode).toBe('3135020301');
    await receiver.context().close();
});
