/**
 * The guardians' page on a phone (390 px wide, docs/guardians.md): the link of the QR code opens it with
 * the code filled in; the guardian gives the last 4 digits of the phone, reads the form (ID number
 * masked, nothing wider than the screen), marks the address wrong with the right one (a request for
 * the kindergarten, the record unchanged), and signs by typing their name.
 */
import { type Browser } from 'playwright-core';
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { login } from '../helpers/api';
import { residentId } from '../helpers/ids';
import { ensurePanelBuilt, launchChromium, openPage } from '../helpers/panel';

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
});

test('a guardian opens the QR link on a phone, corrects the address and signs', async () => {
    const kindergarten = await login(app, 'demo-kindergarten');
    const classId = (await kindergarten.get('/api/school-classes?filters[name][$eq]=小一班').expect(200)).body.data[0].documentId;
    const idNumber = residentId('350502', '20220505', '523');
    const child = (await kindergarten.post('/api/children', {
        data: {
            name: '陈小确', idType: '1', idNumber, birthPlace: '350502', nativePlace: '福建泉州', ethnicity: '01', nationality: '156', overseasChinese: '00', health: '10',
            householdRegion: '350502', householdType: '2', address: '鲤城区中山路 8 号', phone: '13800000000', enrolledOn: '2025-09-01', enrollmentMode: '1', onlyChild: true, schoolClass: classId,
            guardians: [{ name: '陈妈妈', relation: '2', idType: '1', idNumber: residentId('350502', '19900303', '124'), phone: '13712345678' }],
        },
    }).expect(201)).body.data;
    const invitation = (await kindergarten.post('/api/guardian-invitations', { data: { childId: child.documentId } }).expect(201)).body.data[0];

    const page = await openPage(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await page.goto(invitation.link.replace(/^https?:\/\/[^/]+/, app.baseUrl));
    expect(await page.locator('#code').inputValue()).toBe(invitation.code);
    await page.locator('#fact').fill('5678');
    await page.locator('button[name="redeem"]').click();
    await page.getByRole('heading', { name: '陈小确' }).waitFor();
    const idRow = page.locator('[data-field="idNumber"]');
    expect(await idRow.innerText()).toContain('*');
    expect(await idRow.innerText()).not.toContain(idNumber);
    // mobile first: nothing wider than the phone
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    await page.locator('button[name="wrong-address"]').click();
    await page.locator('#value-address').fill('鲤城区新华路 1 号');
    await page.locator('button[name="propose"]').click();
    await page.getByText('更正已提交，等待幼儿园审核').waitFor();
    await page.locator('[data-request]').getByText('待审核').waitFor();
    await page.screenshot({ path: '/tmp/guardian-form.png', fullPage: true });
    const requests = await app.strapi.db.query('api::request.request').findMany({ where: { subjectId: child.documentId, type: 'guardian-correction' } });
    expect(requests.map((r: any) => r.proposed)).toEqual([{ address: '鲤城区新华路 1 号' }]);
    expect((await app.strapi.db.query('api::child.child').findOne({ where: { documentId: child.documentId } })).address).toBe('鲤城区中山路 8 号');

    await page.locator('#typedName').fill('陈妈妈');
    await page.locator('button[name="confirm"]').click();
    await page.getByText(/由 陈妈妈 电子确认/).waitFor();
    const stored = await app.strapi.db.query('api::guardian-invitation.guardian-invitation').findOne({ where: { documentId: invitation.id } });
    expect(stored).toMatchObject({ state: 'confirmed', review: expect.objectContaining({ address: 'corrected', name: 'confirmed' }) });
    expect(stored.confirmation.device).toMatch(/Mozilla/);
});
