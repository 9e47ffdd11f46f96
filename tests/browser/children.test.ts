/**
 * A kindergarten enters a child whose ID number is already held in another county: the form says
 * where, inline as the user types (saving is refused with the same message: tests/api/children.test.ts).
 */
import request from 'supertest';
import { type Browser } from 'playwright-core';
import { bootStrapi, DEMO_PASSWORD, type BootedApp } from '../helpers/boot';
import { ensurePanelBuilt, launchChromium, openPage, submitLogin } from '../helpers/panel';
import { residentId } from '../helpers/ids';

let app: BootedApp;
let browser: Browser;
const heldNumber = residentId('350502', '20220606', '061');

beforeAll(async () => {
    ensurePanelBuilt();
    app = await bootStrapi({ listen: true });
    browser = await launchChromium();
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
    const page = await openPage(browser);
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
    expect(await message.innerText()).toContain('泉州市鲤城区实验幼儿园');
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
    expect(await list.locator('table').innerText()).toContain(`350502***********${heldNumber.slice(-1)}`);
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

async function signIn(username: string) {
    const page = await openPage(browser);
    await submitLogin(page, app.baseUrl, username);
    await page.getByRole('menuitem', { name: '幼儿学籍' }).waitFor();
    return page;
}

test('the county marks a problem record; the kindergarten files evidence from it, and edits the registered record with its key fields locked', async () => {
    const child = await app.strapi.db.query('api::child.child').findOne({ where: { name: '苏小满' } });
    expect(child.studentNumber).toBeTruthy();

    // 县级: the child's record → 标记问题学籍
    const county = await signIn('demo-county');
    await county.goto(`${app.baseUrl}/#/children/${child.documentId}/show`);
    await county.getByRole('button', { name: '标记问题学籍' }).click();
    await county.getByRole('dialog').locator('textarea').first().fill('身份证号与户籍信息不符，请核实');
    await county.getByRole('dialog').getByRole('button', { name: '确认' }).click();
    await county.waitForURL(/#\/problem-records\/[^/]+\/show/);
    const problem = await app.strapi.db.query('api::problem-record.problem-record').findOne({ where: { child: child.id } });
    expect(problem).toMatchObject({ kind: 'wrong-id', state: 'open', institutionCode: child.institutionCode });

    // the kindergarten: 问题学籍 inbox → the record → 提交佐证
    const kindergarten = await signIn('demo-kindergarten');
    await kindergarten.getByRole('menuitem', { name: '问题学籍' }).click();
    await kindergarten.locator('table').getByText('苏小满').click();
    await kindergarten.getByRole('button', { name: '更正学籍' }).waitFor();
    await kindergarten.getByRole('button', { name: '提交佐证' }).click();
    await kindergarten.getByRole('dialog').locator('textarea[name="explanation"]').fill('户口簿记载与证件一致，附户口簿首页');
    await kindergarten.getByRole('dialog').getByRole('button', { name: '确认' }).click();
    await kindergarten.waitForURL(/#\/requests\/[^/]+\/show/);
    await kindergarten.getByRole('button', { name: '上传佐证材料' }).waitFor();
    expect((await app.strapi.db.query('api::problem-record.problem-record').findOne({ where: { id: problem.id } })).state).toBe('evidence-submitted');

    // 编辑: key fields are read-only once the 学籍号 is issued; other fields save
    await kindergarten.goto(`${app.baseUrl}/#/children/${child.documentId}`);
    await kindergarten.locator('input[name="phone"]').waitFor();
    expect(await kindergarten.locator('input[name="name"]').isDisabled()).toBe(true);
    expect(await kindergarten.locator('input[name="idNumber"]').isDisabled()).toBe(true);
    await kindergarten.locator('input[name="phone"]').fill('13900001111');
    await kindergarten.getByRole('button', { name: '保存' }).click();
    await kindergarten.waitForURL(/#\/children\/[^/]+\/show/);
    await kindergarten.screenshot({ path: '/tmp/child-show.png', fullPage: true });
    const saved = await app.strapi.db.query('api::child.child').findOne({ where: { id: child.id }, populate: ['guardians'] });
    expect(saved).toMatchObject({ phone: '13900001111', name: '苏小满', idNumber: heldNumber, studentNumber: child.studentNumber });
    expect(saved.guardians).toHaveLength(1);
    expect(saved.guardians[0].idNumber).toBe(residentId('350502', '19900303', '031'));
});
