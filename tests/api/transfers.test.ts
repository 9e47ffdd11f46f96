/**
 * 转园 across counties and prefectures (鲤城区, 泉州 → 思明区, 厦门): the receiver applies by 学籍号 or ID
 * number and sees only name, masked numbers and the sending kindergarten; the sender refuses or
 * agrees; the receiver completes it into one of its classes, moving the record in one transaction;
 * the 30-working-day deadline flags overdue transfers to both counties; reach per level.
 */
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { login, type Session } from '../helpers/api';
import { residentId } from '../helpers/ids';

const CHILD = 'api::child.child';

let app: BootedApp;
let sender: Session;
let receiver: Session;
let senderClass: string;
let receiverClass: string;
let serial = 0;

async function registeredChild() {
  serial += 1;
  const birth = `202103${String(serial + 10).padStart(2, '0')}`;
  const idNumber = residentId('350502', birth, String(200 + serial * 2 + 1));
  const created = await sender.post('/api/children', {
    data: {
      name: `转园${'甲乙丙丁戊己'[serial % 6]}${serial}`, idType: '1', idNumber,
      birthPlace: '350502', nativePlace: '福建泉州', ethnicity: '01', nationality: '156', overseasChinese: '00', health: '10',
      householdRegion: '350502', householdType: '2', address: '鲤城区中山路 2 号', phone: '13800000000', enrolledOn: '2025-09-01',
      enrollmentMode: '1', onlyChild: true, schoolClass: senderClass,
      guardians: [{ name: '监护人', relation: '1', idType: '1', idNumber: residentId('350502', '19890101', String(200 + serial * 2)), phone: '13800000001' }],
    },
  }).expect(201);
  const id = created.body.data.documentId;
  const registered = await sender.post(`/api/children/${id}/register`, { data: { acknowledgeCandidates: true } }).expect(200);
  return { id, idNumber, studentNumber: registered.body.data.studentNumber as string };
}

const stored = (id: string) => app.strapi.db.query(CHILD).findMany({ where: { documentId: id }, populate: ['schoolClass'] });

beforeAll(async () => {
  app = await bootStrapi();
  sender = await login(app, 'demo-kindergarten');
  receiver = await login(app, 'demo-kindergarten-2');
  senderClass = (await sender.get('/api/school-classes?filters[name][$eq]=小一班').expect(200)).body.data[0].documentId;
  receiverClass = (await receiver.get('/api/school-classes?filters[name][$eq]=小一班').expect(200)).body.data[0].documentId;
});
afterAll(async () => {
  delete process.env.PRESCHOOL_TODAY;
  await app?.stop();
});
afterEach(() => { delete process.env.PRESCHOOL_TODAY; });

describe('applying', () => {
  test('the receiver finds the child by 学籍号 or ID number and sees only name, masked numbers and the sender', async () => {
    const child = await registeredChild();
    const applied = await receiver.post('/api/transfers', { data: { studentNumber: child.studentNumber, reason: '随父母迁居厦门' } }).expect(201);
    const transfer = applied.body.data;
    expect(transfer).toMatchObject({
      side: 'incoming', state: 'requested', overdue: false, childId: null, childName: expect.stringMatching(/^转园/),
      idNumberMasked: `350502***********${child.idNumber.slice(-1)}`, fromKindergartenName: '泉州市鲤城区实验幼儿园', fromCountyCode: '350502', toCountyCode: '350203',
    });
    expect(JSON.stringify(applied.body)).not.toContain(child.idNumber);
    await receiver.get(`/api/children/${child.id}?populate=guardians`).expect(404);
    await receiver.get(`/api/children/${child.id}/history`).expect(404);
    await receiver.post('/api/transfers', { data: { idType: '1', idNumber: child.idNumber } }).expect(409);
    // One open transfer per child, also when applications race (a unique index decides).
    const other = await registeredChild();
    const racing = await Promise.all([0, 1, 2].map(() => receiver.post('/api/transfers', { data: { studentNumber: other.studentNumber } })));
    expect(racing.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    const outgoing = await sender.get('/api/transfers?filters[direction]=outgoing').expect(200);
    expect(outgoing.body.data.find((t) => t.id === transfer.id)).toMatchObject({ side: 'outgoing', childId: child.id });
  });

  test('bad applications are refused naming the field', async () => {
    const child = await registeredChild();
    const unknown = await receiver.post('/api/transfers', { data: { studentNumber: 'G000000000000000000' } }).expect(400);
    expect(unknown.body.error.details.errors[0].path).toEqual(['studentNumber']);
    const invalid = await receiver.post('/api/transfers', { data: { idType: '1', idNumber: '350502202103011234' } }).expect(400);
    expect(invalid.body.error.details.errors[0].path).toEqual(['idNumber']);
    await sender.post('/api/transfers', { data: { studentNumber: child.studentNumber } }).expect(400);
    await (await login(app, 'demo-county-2')).post('/api/transfers', { data: { studentNumber: child.studentNumber } }).expect(403);
    await sender.post(`/api/children/${child.id}/leave`, { data: { reasonCode: 'moved' } }).expect(200);
    await receiver.post('/api/transfers', { data: { studentNumber: child.studentNumber } }).expect(409);
  });
});

describe('refusal, agreement and completion', () => {
  test('the sender refuses with a reason; then agrees to a new application; the receiver places the child, moving it in one step', async () => {
    const child = await registeredChild();
    const first = (await receiver.post('/api/transfers', { data: { studentNumber: child.studentNumber } }).expect(201)).body.data;
    await receiver.post(`/api/transfers/${first.id}/agree`, { data: {} }).expect(403);
    await (await login(app, 'demo-county')).post(`/api/transfers/${first.id}/agree`, { data: {} }).expect(403);
    const noReason = await sender.post(`/api/transfers/${first.id}/refuse`, { data: {} }).expect(400);
    expect(noReason.body.error.details.errors[0].path).toEqual(['refusalReason']);
    const refused = await sender.post(`/api/transfers/${first.id}/refuse`, { data: { reason: '家长未办理离园手续' } }).expect(200);
    expect(refused.body.data).toMatchObject({ state: 'refused', refusalReason: '家长未办理离园手续' });
    await sender.post(`/api/transfers/${first.id}/agree`, { data: {} }).expect(409);
    await receiver.post(`/api/transfers/${first.id}/complete`, { data: { schoolClass: receiverClass } }).expect(409);
    expect((await stored(child.id))[0].institutionCode).toBe('3135050201');

    const second = (await receiver.post('/api/transfers', { data: { idType: '1', idNumber: child.idNumber } }).expect(201)).body.data;
    await receiver.post(`/api/transfers/${second.id}/complete`, { data: { schoolClass: receiverClass } }).expect(409);
    const agreed = await sender.post(`/api/transfers/${second.id}/agree`, { data: { version: second.version } }).expect(200);
    expect(agreed.body.data.state).toBe('agreed');
    const wrongClass = await receiver.post(`/api/transfers/${second.id}/complete`, { data: { schoolClass: senderClass } }).expect(400);
    expect(wrongClass.body.error.details.errors[0].path).toEqual(['schoolClass']);
    expect((await stored(child.id))[0].institutionCode).toBe('3135050201');

    const done = await receiver.post(`/api/transfers/${second.id}/complete`, { data: { schoolClass: receiverClass } }).expect(200);
    expect(done.body.data).toMatchObject({ state: 'completed', childId: child.id, toClassName: '小一班' });
    const rows = await stored(child.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ institutionCode: '3135020301', countyCode: '350203', studentNumber: child.studentNumber, status: 'registered' });
    expect(rows[0].schoolClass.documentId).toBe(receiverClass);
    await receiver.get(`/api/children/${child.id}?populate=guardians`).expect(200);
    await sender.get(`/api/children/${child.id}?populate=guardians`).expect(404);
    await receiver.post(`/api/transfers/${second.id}/complete`, { data: { schoolClass: receiverClass } }).expect(409);

    const history = (await receiver.get(`/api/children/${child.id}/history`).expect(200)).body.data;
    expect(history.map((e) => e.type)).toEqual(['enrollment', 'transfer-out', 'transfer-in']);
    expect(history[2]).toMatchObject({ transferId: second.id, before: { institutionCode: '3135050201' }, after: { institutionCode: '3135020301', className: '小一班' } });
    const senderEvents = (await sender.get('/api/child-events?pagination[pageSize]=100').expect(200)).body.data.filter((e) => e.childDocumentId === child.id);
    expect(senderEvents.map((e) => e.type).sort()).toEqual(['enrollment', 'transfer-out']);
  });
});

describe('withdrawal', () => {
  test('the receiver withdraws its application; the sender cannot; a new application may follow', async () => {
    const child = await registeredChild();
    const applied = (await receiver.post('/api/transfers', { data: { studentNumber: child.studentNumber } }).expect(201)).body.data;
    await sender.post(`/api/transfers/${applied.id}/cancel`, { data: {} }).expect(403);
    const cancelled = await receiver.post(`/api/transfers/${applied.id}/cancel`, { data: {} }).expect(200);
    expect(cancelled.body.data.state).toBe('cancelled');
    await sender.post(`/api/transfers/${applied.id}/agree`, { data: {} }).expect(409);
    await receiver.post(`/api/transfers/${applied.id}/cancel`, { data: {} }).expect(409);
    await receiver.post('/api/transfers', { data: { studentNumber: child.studentNumber } }).expect(201);
  });
});

describe('across provinces', () => {
  test('a kindergarten of 浙江 (杭州市上城区) receives a child of 福建; each province sees its side only', async () => {
    const ministry = await login(app, 'demo-ministry');
    const account = async (session: Session, data: Record<string, string>) => {
      const created = await session.post('/api/accounts', { data });
      expect(created.status).toBe(201);
      // A fixture, exempt from the second factor like the demo accounts (config/security.json demo.totpExempt).
      await app.strapi.db.query('plugin::users-permissions.user').update({ where: { username: data.username }, data: { totpExempt: true } });
      return login(app, data.username, created.body.data.temporaryPassword);
    };
    const province = await account(ministry, { username: 'zj-province', fullName: '浙江省教育厅', regionCode: '330000' });
    const prefecture = await account(province, { username: 'zj-hangzhou', fullName: '杭州市教育局', regionCode: '330100' });
    const county = await account(prefecture, { username: 'zj-shangcheng', fullName: '上城区教育局', regionCode: '330102' });
    await county.post('/api/kindergartens', { data: {
      code: '3133010201', name: '杭州市上城区第一幼儿园', countyCode: '330102', ownership: 'public', inclusive: true, legalPerson: '上城区教育局', principal: '王园长',
      address: '杭州市上城区 1 号', phone: '0571-88000000', urbanRural: '111', sponsorType: 'edu', licenseNumber: '教民3133010201号', licenseStart: '2020-09-01', licenseEnd: '2030-08-31',
    } }).expect(201);
    const hangzhou = await account(county, { username: 'zj-kindergarten', fullName: '上城一幼园长', institutionCode: '3133010201' });
    const kg = (await hangzhou.get('/api/kindergartens').expect(200)).body.data[0];
    const classId = (await hangzhou.post('/api/school-classes', { data: { name: '小一班', grade: 'small', schoolYear: '2026-2027', capacity: 25, kindergarten: kg.documentId } }).expect(201)).body.data.documentId;

    const child = await registeredChild();
    const applied = (await hangzhou.post('/api/transfers', { data: { studentNumber: child.studentNumber } }).expect(201)).body.data;
    expect(applied).toMatchObject({ fromCountyCode: '350502', toCountyCode: '330102', childId: null });
    expect((await province.get('/api/transfers').expect(200)).body.data.map((t) => t.id)).toEqual([applied.id]);
    expect((await (await login(app, 'demo-province')).get(`/api/transfers/${applied.id}`).expect(200)).body.data.toKindergartenName).toBe('杭州市上城区第一幼儿园');
    await sender.post(`/api/transfers/${applied.id}/agree`, { data: {} }).expect(200);
    await hangzhou.post(`/api/transfers/${applied.id}/complete`, { data: { schoolClass: classId } }).expect(200);
    expect((await stored(child.id))[0]).toMatchObject({ institutionCode: '3133010201', countyCode: '330102', studentNumber: child.studentNumber });
    await hangzhou.get(`/api/children/${child.id}?populate=guardians`).expect(200);
    await (await login(app, 'demo-province')).get(`/api/children/${child.id}?populate=guardians`).expect(404);
    expect((await province.get(`/api/children/${child.id}/history`).expect(200)).body.data.map((e) => e.type)).toEqual(['enrollment', 'transfer-out', 'transfer-in']);
  });
});

describe('deadline and reach', () => {
  test('an open transfer past 30 working days is flagged overdue to both counties; others do not see it', async () => {
    const child = await registeredChild();
    process.env.PRESCHOOL_TODAY = '2026-09-15';
    const applied = (await receiver.post('/api/transfers', { data: { studentNumber: child.studentNumber } }).expect(201)).body.data;
    expect(applied).toMatchObject({ appliedOn: '2026-09-15', dueAt: '2026-11-02', overdue: false });
    process.env.PRESCHOOL_TODAY = '2026-11-02';
    expect((await receiver.get(`/api/transfers/${applied.id}`).expect(200)).body.data.overdue).toBe(false);
    process.env.PRESCHOOL_TODAY = '2026-11-03';
    const sessions: Record<string, Session> = {};
    for (const username of ['demo-county', 'demo-county-2', 'demo-prefecture', 'demo-province', 'demo-kindergarten', 'demo-kindergarten-2']) {
      const session = (sessions[username] = await login(app, username));
      const overdue = await session.get('/api/transfers?filters[overdue]=true').expect(200);
      expect(overdue.body.data.map((t) => t.id)).toContain(applied.id);
    }
    const summary = await sessions['demo-province'].get('/api/transfers/overdue-summary').expect(200);
    expect(summary.body.byCounty).toEqual(expect.arrayContaining([
      expect.objectContaining({ countyCode: '350502', overdue: 1 }),
      expect.objectContaining({ countyCode: '350203', overdue: 1 }),
    ]));

    const prefecture = sessions['demo-prefecture'];
    const fengze = await prefecture.post('/api/accounts', { data: { username: 'fengze-county', fullName: '丰泽区教育局', regionCode: '350503' } }).expect(201);
    const outsider = await login(app, 'fengze-county', fengze.body.data.temporaryPassword);
    await outsider.get(`/api/transfers/${applied.id}`).expect(404);
    expect((await outsider.get('/api/transfers').expect(200)).body.data).toEqual([]);
    // The oversight report (逾期与填报, GET /api/compliance) lists it under both counties and the levels above, not elsewhere.
    const inReport = async (session: Session) => (await session.get('/api/compliance?month=2026-11').expect(200)).body.transfers.byCounty;
    expect(await inReport(sessions['demo-county'])).toEqual([{
      countyCode: '350502', countyName: '鲤城区', open: expect.any(Number), overdue: 1,
      overdueTransfers: [expect.objectContaining({ id: applied.id, direction: 'outgoing', state: 'requested', dueAt: '2026-11-02', childName: applied.childName, toKindergartenName: applied.toKindergartenName })],
    }]);
    expect(await inReport(sessions['demo-county-2'])).toEqual([
      expect.objectContaining({ countyCode: '350203', countyName: '思明区', overdue: 1, overdueTransfers: [expect.objectContaining({ id: applied.id, direction: 'incoming' })] }),
    ]);
    expect((await inReport(sessions['demo-province'])).map((row) => [row.countyCode, row.overdue])).toEqual([['350203', 1], ['350502', 1]]);
    expect((await inReport(prefecture)).map((row) => [row.countyCode, row.overdue])).toEqual([['350502', 1]]);
    expect(await inReport(outsider)).toEqual([]);
    expect(JSON.stringify(await inReport(sessions['demo-county']))).not.toContain(child.idNumber);
    const ra = await sessions['demo-county-2'].get('/ra/transfers?range=[0,9]').expect(200);
    expect(ra.headers['content-range']).toMatch(/^transfers 0-\d+\/\d+$/);
    // Completion on time clears the flag.
    await sender.post(`/api/transfers/${applied.id}/agree`, { data: {} }).expect(200);
    await receiver.post(`/api/transfers/${applied.id}/complete`, { data: { schoolClass: receiverClass } }).expect(200);
    expect((await receiver.get(`/api/transfers/${applied.id}`).expect(200)).body.data.overdue).toBe(false);
    expect((await inReport(sessions['demo-county'])).flatMap((row) => row.overdueTransfers)).toEqual([]);
  });
});
