/**
 * The 学籍 lifecycle: placement and class moves, leaving with a reason code, accidental leave with
 * proof and its 30-working-day deadline, restoration through the county, key-information changes
 * approved by the kindergarten (the 学籍号 unchanged), bulk promotion and graduation of a
 * kindergarten with 300 children inside and outside their windows, reach per level, and the
 * history's immutability. The clock is fixed with PRESCHOOL_TODAY.
 */
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { kindergartenId, login, type Session } from '../helpers/api';
import { residentId } from '../helpers/ids';

const CHILD = 'api::child.child';
const EVENT = 'api::child-event.child-event';
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

let app: BootedApp;
let kindergarten: Session;
let county: Session;
let small1: string;
let small2: string;
let foreignClass: string;
let serial = 0;

/** A registered child (G 学籍号) of the demo kindergarten, each with its own birth date and name. */
async function registeredChild(classId = small1, session = kindergarten) {
  serial += 1;
  const birth = new Date(Date.UTC(2021, 0, 1 + serial * 3)).toISOString().slice(0, 10);
  const idNumber = residentId('350502', birth.replace(/-/g, ''), String(100 + serial * 2 + 1).padStart(3, '0'));
  const created = await session.post('/api/children', {
    data: {
      name: `档案${'甲乙丙丁戊己庚辛壬癸'[serial % 10]}${'子丑寅卯辰巳午未申酉戌亥'[serial % 12]}${serial}`, idType: '1', idNumber,
      birthPlace: '350502', nativePlace: '福建泉州', ethnicity: '01', nationality: '156', overseasChinese: '00', health: '10',
      householdRegion: '350502', householdType: '2', address: '鲤城区中山路 1 号', phone: '13800000000', enrolledOn: '2025-09-01',
      enrollmentMode: '1', onlyChild: true, schoolClass: classId,
      guardians: [{ name: '监护人', relation: '1', idType: '1', idNumber: residentId('350502', '19900101', String(100 + serial * 2).padStart(3, '0')), phone: '13800000001' }],
    },
  }).expect(201);
  const id = created.body.data.documentId;
  const registered = await session.post(`/api/children/${id}/register`, { data: { acknowledgeCandidates: true } }).expect(200);
  return { id, idNumber, birth, studentNumber: registered.body.data.studentNumber as string };
}

const history = async (id: string, session = kindergarten) => (await session.get(`/api/children/${id}/history`).expect(200)).body.data;
const stored = (id: string) => app.strapi.db.query(CHILD).findOne({ where: { documentId: id }, populate: ['schoolClass'] });

beforeAll(async () => {
  app = await bootStrapi();
  kindergarten = await login(app, 'demo-kindergarten');
  county = await login(app, 'demo-county');
  small1 = (await kindergarten.get('/api/school-classes?filters[name][$eq]=小一班').expect(200)).body.data[0].documentId;
  small2 = (await kindergarten.post('/api/school-classes', { data: { name: '小二班', grade: 'small', schoolYear: '2026-2027', capacity: 25, kindergarten: await kindergartenId(app, '3135050201') } }).expect(201)).body.data.documentId;
  foreignClass = (await (await login(app, 'demo-kindergarten-2')).get('/api/school-classes').expect(200)).body.data[0].documentId;
});
afterAll(async () => {
  delete process.env.PRESCHOOL_TODAY;
  await app?.stop();
});
afterEach(() => { delete process.env.PRESCHOOL_TODAY; });

describe('placement and class moves', () => {
  test('a new child is placed in its class; a move needs a class of its own kindergarten and is recorded', async () => {
    const child = await registeredChild();
    expect((await history(child.id)).map((e) => e.type)).toEqual(['enrollment']);
    const missing = await kindergarten.post(`/api/children/${child.id}/move`, { data: { schoolClass: 'nosuchclass' } }).expect(400);
    expect(missing.body.error.details.errors[0].path).toEqual(['schoolClass']);
    await kindergarten.post(`/api/children/${child.id}/move`, { data: { schoolClass: foreignClass } }).expect(400);
    await kindergarten.post(`/api/children/${child.id}/move`, { data: { schoolClass: small1 } }).expect(400);
    const moved = await kindergarten.post(`/api/children/${child.id}/move`, { data: { schoolClass: small2, reason: '家长申请' } }).expect(200);
    expect(moved.body.data).toMatchObject({ type: 'class-move', schoolClass: { name: '小二班' } });
    expect((await stored(child.id)).schoolClass.name).toBe('小二班');
    const events = await history(child.id);
    expect(events.map((e) => e.type)).toEqual(['enrollment', 'class-move']);
    expect(events[1]).toMatchObject({ before: { className: '小一班' }, after: { className: '小二班' }, reason: '家长申请', actorName: expect.any(String) });
    // A class changed by editing the record is recorded too.
    await kindergarten.put(`/api/children/${child.id}`, { data: { schoolClass: small1 } }).expect(200);
    const edited = await history(child.id);
    expect(edited.map((e) => e.type)).toEqual(['enrollment', 'class-move', 'class-move']);
    expect(edited[2]).toMatchObject({ before: { className: '小二班' }, after: { className: '小一班' } });
  });

  test('only the child\'s kindergarten acts; outside reach is 404; every level above reads the history', async () => {
    const child = await registeredChild();
    await county.post(`/api/children/${child.id}/move`, { data: { schoolClass: small2 } }).expect(403);
    await (await login(app, 'demo-kindergarten-2')).post(`/api/children/${child.id}/move`, { data: { schoolClass: foreignClass } }).expect(404);
    await (await login(app, 'demo-kindergarten-2')).get(`/api/children/${child.id}/history`).expect(404);
    await (await login(app, 'demo-county-2')).get(`/api/children/${child.id}/history`).expect(404);
    for (const username of ['demo-county', 'demo-prefecture', 'demo-province', 'demo-ministry']) {
      expect((await history(child.id, await login(app, username))).length).toBeGreaterThan(0);
    }
    const events = await (await login(app, 'demo-county-2')).get('/api/child-events').expect(200);
    expect(events.body.data.filter((e) => e.childDocumentId === child.id)).toEqual([]);
  });
});

describe('leaving, accidental leave and restoration', () => {
  test('leaving needs a reason of the code table; the 学籍 closes; the county restores it on application', async () => {
    const child = await registeredChild();
    const bad = await kindergarten.post(`/api/children/${child.id}/leave`, { data: { reasonCode: 'bored' } }).expect(400);
    expect(bad.body.error.details.errors[0].path).toEqual(['reasonCode']);
    await kindergarten.post(`/api/children/${child.id}/leave`, { data: { reasonCode: 'other' } }).expect(400);
    await kindergarten.post(`/api/children/${child.id}/leave`, { data: { reasonCode: 'moved', occurredOn: '2026-03-02' } }).expect(200);
    expect((await stored(child.id)).status).toBe('left');
    await kindergarten.post(`/api/children/${child.id}/leave`, { data: { reasonCode: 'moved' } }).expect(409);
    await kindergarten.post(`/api/children/${child.id}/move`, { data: { schoolClass: small2 } }).expect(409);

    const applied = await kindergarten.post(`/api/children/${child.id}/restore`, { data: { explanation: '误操作离园，幼儿仍在园' } }).expect(201);
    const requestId = applied.body.data.id;
    expect(applied.body.data).toMatchObject({ type: 'child-restoration', reviewerLevel: 'county', state: 'submitted' });
    await kindergarten.post(`/api/children/${child.id}/restore`, { data: { explanation: '再次申请' } }).expect(409);
    await kindergarten.post(`/api/requests/${requestId}/approve`, { data: {} }).expect(403);
    await (await login(app, 'demo-county-2')).post(`/api/requests/${requestId}/approve`, { data: {} }).expect(404);
    await county.post(`/api/requests/${requestId}/approve`, { data: {} }).expect(200);
    expect((await stored(child.id)).status).toBe('registered');
    const events = await history(child.id);
    expect(events.map((e) => e.type)).toEqual(['enrollment', 'leaving', 'restoration']);
    expect(events[1]).toMatchObject({ reasonCode: 'moved', reasonName: '随家庭迁居', occurredOn: '2026-03-02', after: { status: 'left' } });
    expect(events[2]).toMatchObject({ requestId, before: { status: 'left' }, after: { status: 'registered' } });
    await kindergarten.post(`/api/children/${child.id}/restore`, { data: { explanation: '未关闭' } }).expect(409);
  });

  test('accidental leave: proof required, within 30 working days (after: only with a reason, flagged late); cancels the 学籍', async () => {
    process.env.PRESCHOOL_TODAY = '2026-11-02';
    const child = await registeredChild();
    const noProof = await kindergarten.post(`/api/children/${child.id}/accidental-leave`).field('data', JSON.stringify({ occurredOn: '2026-10-20', reason: '意外事故' })).expect(400);
    expect(noProof.body.error.details.errors[0].path).toEqual(['files']);
    const text = await kindergarten.post(`/api/children/${child.id}/accidental-leave`).field('data', JSON.stringify({ occurredOn: '2026-10-20', reason: '意外事故' }))
      .attach('files', Buffer.from('hello'), { filename: 'note.txt', contentType: 'text/plain' }).expect(400);
    expect(text.body.error.details.errors[0].path).toEqual(['files']);
    const future = await kindergarten.post(`/api/children/${child.id}/accidental-leave`).field('data', JSON.stringify({ occurredOn: '2026-11-20', reason: '意外事故' }))
      .attach('files', PNG, { filename: 'proof.png', contentType: 'image/png' }).expect(400);
    expect(future.body.error.details.errors[0].path).toEqual(['occurredOn']);
    // 2026-09-15 + 30 working days (National Day week off, make-up Saturdays on) is 2026-11-02: still in time.
    const inTime = await kindergarten.post(`/api/children/${child.id}/accidental-leave`).field('data', JSON.stringify({ occurredOn: '2026-09-15', reason: '意外事故' }))
      .attach('files', PNG, { filename: 'proof.png', contentType: 'image/png' }).expect(200);
    expect(inTime.body.data).toMatchObject({ status: 'cancelled', late: false, dueAt: '2026-11-02' });
    expect((await stored(child.id)).status).toBe('cancelled');
    const [, event] = await history(child.id);
    expect(event).toMatchObject({ type: 'accidental-leave', late: false, after: { status: 'cancelled', dueAt: '2026-11-02' } });
    expect(event.evidence).toEqual([expect.objectContaining({ name: 'proof.png', mime: 'image/png' })]);

    process.env.PRESCHOOL_TODAY = '2026-11-03';
    const other = await registeredChild();
    const late = await kindergarten.post(`/api/children/${other.id}/accidental-leave`).field('data', JSON.stringify({ occurredOn: '2026-09-15', reason: '意外事故' }))
      .attach('files', PNG, { filename: 'proof.png', contentType: 'image/png' }).expect(400);
    expect(late.body.error.details.errors[0].path).toEqual(['lateReason']);
    expect((await stored(other.id)).status).toBe('registered');
    const flagged = await kindergarten.post(`/api/children/${other.id}/accidental-leave`).field('data', JSON.stringify({ occurredOn: '2026-09-15', reason: '意外事故', lateReason: '家长迟报' }))
      .attach('files', PNG, { filename: 'proof.png', contentType: 'image/png' }).expect(200);
    expect(flagged.body.data).toMatchObject({ status: 'cancelled', late: true });
  });
});

describe('key-information change', () => {
  test('the guardian\'s application with evidence, approved by the kindergarten; ID re-validated; the 学籍号 never changes', async () => {
    const child = await registeredChild();
    const other = await registeredChild();
    const heldElsewhere = await kindergarten.post(`/api/children/${child.id}/key-change`, { data: { changes: { idNumber: other.idNumber } } });
    expect([400, 409]).toContain(heldElsewhere.status);
    const mismatch = await kindergarten.post(`/api/children/${child.id}/key-change`, { data: { changes: { sex: 'female' } } }).expect(400);
    expect(mismatch.body.error.details.errors[0].path).toEqual(['sex']);
    const badChecksum = await kindergarten.post(`/api/children/${child.id}/key-change`, { data: { changes: { idNumber: `${child.idNumber.slice(0, 17)}${child.idNumber[17] === '0' ? '1' : '0'}` } } }).expect(400);
    expect(badChecksum.body.error.details.errors[0].path).toEqual(['idNumber']);

    const corrected = residentId('350502', child.birth.replace(/-/g, ''), '777');
    const applied = await kindergarten.post(`/api/children/${child.id}/key-change`, { data: { changes: { name: '林更名', idNumber: corrected }, reason: '监护人申请更正姓名和证件号码' } }).expect(201);
    const requestId = applied.body.data.id;
    expect(applied.body.data).toMatchObject({ type: 'child-key-change', reviewerLevel: 'institution' });
    // The request shows ID numbers masked, to its reviewer and to every level above.
    for (const session of [kindergarten, county, await login(app, 'demo-province')]) {
      const shown = JSON.stringify((await session.get(`/api/requests/${requestId}`).expect(200)).body);
      expect(shown).not.toContain(corrected);
      expect(shown).not.toContain(child.idNumber);
      expect(shown).toContain(`350502***********${corrected.slice(-1)}`);
    }
    // While the change is pending, the same fields cannot be edited directly.
    await kindergarten.put(`/api/children/${child.id}`, { data: { name: '直接改名' } }).expect(409);
    await county.post(`/api/requests/${requestId}/approve`, { data: {} }).expect(403);
    const noEvidence = await kindergarten.post(`/api/requests/${requestId}/approve`, { data: {} }).expect(400);
    expect(noEvidence.body.error.details.errors[0].path).toEqual(['evidence']);
    await kindergarten.post(`/api/requests/${requestId}/evidence`).attach('files', PNG, { filename: 'hukou.png', contentType: 'image/png' }).expect(200);
    await kindergarten.post(`/api/requests/${requestId}/approve`, { data: {} }).expect(200);

    const after = await stored(child.id);
    expect(after).toMatchObject({ name: '林更名', idNumber: corrected, studentNumber: child.studentNumber });
    const event = (await history(child.id)).find((e) => e.type === 'key-change');
    expect(event).toMatchObject({ requestId, before: { name: expect.stringMatching(/^档案/), studentNumber: expect.stringMatching(/^G/) }, after: { name: '林更名' } });
    expect(event.before.studentNumber).toBe(event.after.studentNumber);
    expect(JSON.stringify(event)).not.toContain(corrected);
    expect(JSON.stringify(event)).not.toContain(child.idNumber);
  });
});

describe('promotion and graduation of a kindergarten with 300 children', () => {
  let session: Session;
  let code: string;
  const classes: Record<string, string> = {};

  beforeAll(async () => {
    code = '3135050202';
    const created = await county.post('/api/accounts', { data: { username: 'lifecycle-haibin', fullName: '海滨园长', institutionCode: code } }).expect(201);
    session = await login(app, 'lifecycle-haibin', created.body.data.temporaryPassword);
    const kg = await kindergartenId(app, code);
    for (const [name, grade] of [['小班', 'small'], ['中班', 'middle'], ['大班', 'large']]) {
      classes[grade] = (await session.post('/api/school-classes', { data: { name, grade, schoolYear: '2026-2027', capacity: 35, oversizeReason: '测试', kindergarten: kg } }).expect(201)).body.data.documentId;
    }
    // 100 registered children per class, written directly (the fixture, not the subject of the test).
    const classRows = await app.strapi.db.query('api::school-class.school-class').findMany({ where: { documentId: { $in: Object.values(classes) } } });
    let n = 0;
    for (const row of classRows) {
      for (let i = 0; i < 100; i += 1) {
        n += 1;
        await app.strapi.db.query(CHILD).create({
          data: {
            documentId: `bulk${String(n).padStart(20, '0')}`, name: `批量${n}`, sex: n % 2 ? 'male' : 'female', birthDate: '2021-06-01', status: 'registered',
            studentNumber: `J35050220210601${String(n).padStart(3, '0')}X`, countyCode: '350502', institutionCode: code, schoolClass: row.id, publishedAt: new Date(),
          },
        });
      }
    }
  });

  /** LIFECYCLE_TIMING=1 prints how long a bulk request took and how many SQL statements ran (README figures, never asserted). */
  let statements = 0;
  const counted = () => { statements += 1; };
  const timing = (what: string, started: bigint) => {
    if (process.env.LIFECYCLE_TIMING) process.stdout.write(`[lifecycle timing] ${what}: ${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(0)} ms, ${statements} SQL statements (${app.strapi.db.dialect.client})\n`);
    statements = 0;
  };
  beforeEach(() => { statements = 0; app.strapi.db.connection.on('query', counted); });
  afterEach(() => { app.strapi.db.connection.removeListener('query', counted); });
  const countEvents = (type: string) => app.strapi.db.query(EVENT).count({ where: { type, institutionCode: code } });
  const statusCount = (status: string) => app.strapi.db.query(CHILD).count({ where: { institutionCode: code, status } });

  test('outside the graduation window the county approves; promotion waits for the top grade to graduate', async () => {
    process.env.PRESCHOOL_TODAY = '2026-05-10';
    const preview = await session.get(`/api/kindergartens/${await kindergartenId(app, code)}/lifecycle`).expect(200);
    expect(preview.body.data.graduation).toMatchObject({ inWindow: false, classes: 1, children: 100 });
    expect(preview.body.data.promotion).toMatchObject({ inWindow: false, classes: 2, children: 200 });
    const kg = await kindergartenId(app, code);
    await session.post(`/api/kindergartens/${kg}/promote`, { data: {} }).expect(409);
    await county.post(`/api/kindergartens/${kg}/graduate`, { data: {} }).expect(403);
    await kindergarten.post(`/api/kindergartens/${kg}/graduate`, { data: {} }).expect(404);
    const asked = await session.post(`/api/kindergartens/${kg}/graduate`, { data: {} }).expect(200);
    expect(asked.body.data.done).toBe(false);
    expect(asked.body.data.request).toMatchObject({ type: 'kindergarten-graduation', reviewerLevel: 'county', state: 'submitted' });
    expect(await statusCount('graduated')).toBe(0);
    await session.post(`/api/kindergartens/${kg}/graduate`, { data: {} }).expect(409);
    await county.post(`/api/requests/${asked.body.data.request.id}/approve`, { data: {} }).expect(200);
    expect(await statusCount('graduated')).toBe(100);
    expect(await countEvents('graduation')).toBe(100);
    const event = await app.strapi.db.query(EVENT).findOne({ where: { type: 'graduation', institutionCode: code } });
    expect(event).toMatchObject({ requestId: asked.body.data.request.id, after: { status: 'graduated' } });
  });

  test('inside the promotion window: classes move up a grade and a school year, one event per child, in one go', async () => {
    process.env.PRESCHOOL_TODAY = '2026-08-03';
    const kg = await kindergartenId(app, code);
    statements = 0;
    const started = process.hrtime.bigint();
    // Two clicks at once: one promotion happens, the other is refused; nothing moves two grades.
    const both = await Promise.all([0, 1].map(() => session.post(`/api/kindergartens/${kg}/promote`, { data: {} })));
    timing('promotion of 200 children in 2 classes (with a concurrent second request refused)', started);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    const done = both.find((r) => r.status === 200)!;
    expect(done.body.data).toEqual({ done: true, classes: 2, children: 200 });
    const rows = await app.strapi.db.query('api::school-class.school-class').findMany({ where: { documentId: { $in: Object.values(classes) } } });
    const byId = Object.fromEntries(rows.map((r) => [r.documentId, r]));
    expect(byId[classes.small]).toMatchObject({ grade: 'middle', schoolYear: '2027-2028' });
    expect(byId[classes.middle]).toMatchObject({ grade: 'large', schoolYear: '2027-2028' });
    expect(byId[classes.large]).toMatchObject({ grade: 'large', schoolYear: '2026-2027' });
    expect(await countEvents('promotion')).toBe(200);
    expect(await statusCount('registered')).toBe(200);
    // Graduation inside its window happens at once for the new top grade.
    process.env.PRESCHOOL_TODAY = '2027-07-01';
    statements = 0;
    const graduationStarted = process.hrtime.bigint();
    const twice = await Promise.all([0, 1].map(() => session.post(`/api/kindergartens/${kg}/graduate`, { data: {} })));
    timing('graduation of 100 children (with a concurrent second request refused)', graduationStarted);
    expect(twice.map((r) => r.status).sort()).toEqual([200, 409]);
    const graduated = twice.find((r) => r.status === 200)!;
    expect(graduated.body.data).toEqual({ done: true, classes: 2, children: 100 });
    expect(await statusCount('graduated')).toBe(200);
    expect(await countEvents('graduation')).toBe(200);
  });
});

describe('the history is immutable', () => {
  test('no route writes events; the document service refuses updates and deletes', async () => {
    const [event] = (await kindergarten.get('/api/child-events').expect(200)).body.data;
    expect(event).toBeDefined();
    await kindergarten.put(`/api/child-events/${event.documentId}`, { data: { reason: 'x' } }).expect(405);
    await kindergarten.del(`/api/child-events/${event.documentId}`).expect(405);
    await kindergarten.post('/api/child-events', { data: { type: 'leaving' } }).expect(405);
    await expect(app.strapi.documents(EVENT as any).update({ documentId: event.documentId, data: { reason: 'x' } } as any)).rejects.toThrow(/不能修改或删除/);
    await expect(app.strapi.documents(EVENT as any).delete({ documentId: event.documentId } as any)).rejects.toThrow(/不能修改或删除/);
    await expect(app.strapi.documents(EVENT as any).create({ data: { type: 'leaving', childDocumentId: 'x', occurredAt: new Date() } } as any)).rejects.toThrow(/不能修改或删除/);
  });
});
