/**
 * Financial aid (资助): applications from the kindergarten to the county through the approval
 * mechanism, grants, disbursements per term and source, integrity (no double payment, no overshoot,
 * also under concurrent requests), totals per region, source and category, scope per level.
 */
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { login, type Session } from '../helpers/api';
import { residentId } from '../helpers/ids';

let app: BootedApp;
let kindergarten: Session;
let kindergarten2: Session;
let county: Session;
let county2: Session;
let province: Session;
let classId: string;
let class2Id: string;

const child = (name: string, idNumber: string, schoolClass: string) => ({
  name, idType: '1', idNumber, birthPlace: '350502', nativePlace: '福建泉州', ethnicity: '01', nationality: '156', overseasChinese: '00', health: '10',
  householdRegion: '350502', householdType: '2', address: '中山路 1 号', phone: '13800000000', enrolledOn: '2025-09-01',
  enrollmentMode: '1', onlyChild: true, schoolClass, needsAid: true,
  guardians: [{ name: '家长', relation: '1', idType: '1', idNumber: residentId('350502', '19900101', '013'), phone: '13800000001' }],
});

async function grantFor(session: Session, reviewer: Session, childId: string, changes: Record<string, unknown>) {
  const filed = (await session.post('/api/requests', { data: { type: 'aid-application', subjectId: childId, changes, reason: '家庭经济困难' } }).expect(201)).body.data;
  await reviewer.post(`/api/requests/${filed.id}/approve`, { data: {} }).expect(200);
  const grants = (await reviewer.get(`/api/aid-grants?filters[childId][$eq]=${childId}&filters[term][$eq]=${changes.term}`).expect(200)).body.data;
  return grants[0];
}

beforeAll(async () => {
  app = await bootStrapi();
  [kindergarten, kindergarten2, county, county2, province] = await Promise.all(
    ['demo-kindergarten', 'demo-kindergarten-2', 'demo-county', 'demo-county-2', 'demo-province'].map((u) => login(app, u)),
  );
  classId = (await kindergarten.get('/api/school-classes?filters[name][$eq]=小一班').expect(200)).body.data[0].documentId;
  class2Id = (await kindergarten2.get('/api/school-classes?filters[name][$eq]=小一班').expect(200)).body.data[0].documentId;
});
afterAll(async () => { await app?.stop(); });

describe('applications and grants', () => {
  let childId: string;
  test('a kindergarten applies, the county approves: one grant for the child and term', async () => {
    childId = (await kindergarten.post('/api/children', { data: child('资助甲', residentId('350502', '20220101', '011'), classId) }).expect(201)).body.data.documentId;
    const bad = await kindergarten.post('/api/requests', { data: { type: 'aid-application', subjectId: childId, changes: { category: 'rich', term: '2026', amount: 0 } } }).expect(400);
    expect(bad.body.error.details.errors.map((e) => e.path[0]).sort()).toEqual(['amount', 'category', 'term']);
    const grant = await grantFor(kindergarten, county, childId, { category: 'poverty', term: '2026-1', amount: 1000 });
    expect(grant).toMatchObject({ childId, childName: '资助甲', category: 'poverty', term: '2026-1', approvedAmount: 1000, disbursedAmount: 0, countyCode: '350502', institutionCode: '3135050201' });
    // a second application for the same term cannot be approved (unique index): 409, the request stays open
    const second = (await kindergarten.post('/api/requests', { data: { type: 'aid-application', subjectId: childId, changes: { category: 'orphan', term: '2026-1', amount: 500 } } }).expect(201)).body.data;
    await county.post(`/api/requests/${second.id}/approve`, { data: {} }).expect(409);
    expect((await county.get(`/api/requests/${second.id}`).expect(200)).body.data.state).toBe('submitted');
    expect(await app.strapi.db.query('api::aid-grant.aid-grant').count({ where: { childId } })).toBe(1);
  });

  test('grants cannot be typed in: no create route, and the document service refuses users', async () => {
    await kindergarten.post('/api/aid-grants', { data: { childId, category: 'poverty', term: '2026-2', approvedAmount: 9999 } }).expect((r) => expect([403, 404, 405]).toContain(r.status));
    await county2.post('/api/requests', { data: { type: 'aid-application', subjectId: childId, changes: { category: 'poverty', term: '2026-2', amount: 100 } } }).expect((r) => expect([400, 403]).toContain(r.status));
    await kindergarten2.post('/api/requests', { data: { type: 'aid-application', subjectId: childId, changes: { category: 'poverty', term: '2026-2', amount: 100 } } }).expect(400);
  });
});

describe('disbursements', () => {
  let grant: any;
  let childId: string;
  beforeAll(async () => {
    childId = (await kindergarten.post('/api/children', { data: child('资助乙', residentId('350502', '20220202', '022'), classId) }).expect(201)).body.data.documentId;
    grant = await grantFor(kindergarten, county, childId, { category: 'disability', term: '2026-2', amount: 1500 });
  });

  test('per term and source; a child is not paid twice from one source in one term', async () => {
    const paid = await county.post('/api/aid-disbursements', { data: { grant: grant.documentId, source: 'central', amount: 600, paidOn: '2026-10-10' } }).expect(201);
    expect(paid.body.data).toMatchObject({ childId, term: '2026-2', source: 'central', amount: 600, category: 'disability' });
    const twice = await county.post('/api/aid-disbursements', { data: { grant: grant.documentId, source: 'central', amount: 100 } }).expect(409);
    expect(twice.body.error.details.errors[0].path).toEqual(['source']);
    expect((await app.strapi.db.query('api::aid-grant.aid-grant').findOne({ where: { documentId: grant.documentId } })).disbursedAmount).toBe(600);
    const badSource = await county.post('/api/aid-disbursements', { data: { grant: grant.documentId, source: 'lottery', amount: 100 } }).expect(400);
    expect(badSource.body.error.details.errors[0].path).toEqual(['source']);
  });

  test('a disbursement never exceeds the approved amount (400 naming amount), nothing stored', async () => {
    const over = await county.post('/api/aid-disbursements', { data: { grant: grant.documentId, source: 'provincial', amount: 901 } }).expect(400);
    expect(over.body.error.details.errors[0].path).toEqual(['amount']);
    expect(over.body.error.message).toContain('最多还可发放 900 元');
    expect(await app.strapi.db.query('api::aid-disbursement.aid-disbursement').count({ where: { grantId: grant.documentId } })).toBe(1);
  });

  test('concurrent disbursements cannot overshoot: of three 500s against 900 left, one is paid', async () => {
    const sources = ['provincial', 'local', 'provincial'];
    const responses = await Promise.all(sources.map((source) => county.post('/api/aid-disbursements', { data: { grant: grant.documentId, source, amount: 500 } })));
    expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
    const stored = await app.strapi.db.query('api::aid-disbursement.aid-disbursement').findMany({ where: { grantId: grant.documentId } });
    const sum = stored.reduce((s, d) => s + d.amount, 0);
    expect(sum).toBe(1100);
    expect((await app.strapi.db.query('api::aid-grant.aid-grant').findOne({ where: { documentId: grant.documentId } })).disbursedAmount).toBe(sum);
  });

  test('many concurrent payments of a fresh grant stop exactly at the approved amount', async () => {
    const other = (await kindergarten.post('/api/children', { data: child('资助丙', residentId('350502', '20220303', '033'), classId) }).expect(201)).body.data.documentId;
    const g = await grantFor(kindergarten, county, other, { category: 'orphan', term: '2027-1', amount: 700 });
    const responses = await Promise.all(['central', 'provincial', 'local'].map((source) => county.post('/api/aid-disbursements', { data: { grant: g.documentId, source, amount: 300 } })));
    expect(responses.filter((r) => r.status === 201)).toHaveLength(2);
    expect(responses.filter((r) => r.status === 400)).toHaveLength(1);
    expect((await app.strapi.db.query('api::aid-grant.aid-grant').findOne({ where: { documentId: g.documentId } })).disbursedAmount).toBe(600);
  });

  test('only the county records payments, inside its reach', async () => {
    await kindergarten.post('/api/aid-disbursements', { data: { grant: grant.documentId, source: 'local', amount: 1 } }).expect(403);
    await county2.post('/api/aid-disbursements', { data: { grant: grant.documentId, source: 'local', amount: 1 } }).expect((r) => expect([403, 404]).toContain(r.status));
    await county2.get(`/api/aid-grants/${grant.documentId}`).expect(404);
    await kindergarten2.get(`/api/aid-grants/${grant.documentId}`).expect(404);
    expect((await county2.get('/api/aid-disbursements').expect(200)).body.data).toEqual([]);
    await province.get(`/api/aid-grants/${grant.documentId}`).expect(200);
  });
});

describe('totals', () => {
  test('per region, source and category equal the stored rows; each level sees its part', async () => {
    // one grant and payment in 思明区 (厦门) too
    const other = (await kindergarten2.post('/api/children', { data: child('资助丁', residentId('350203', '20220404', '044'), class2Id) }).expect(201)).body.data.documentId;
    const g = await grantFor(kindergarten2, county2, other, { category: 'martyr', term: '2026-2', amount: 800 });
    await county2.post('/api/aid-disbursements', { data: { grant: g.documentId, source: 'local', amount: 800 } }).expect(201);

    const grants = await app.strapi.db.query('api::aid-grant.aid-grant').findMany();
    const payments = await app.strapi.db.query('api::aid-disbursement.aid-disbursement').findMany();
    const sum = (rows: any[], field: string) => rows.reduce((s, r) => s + Number(r[field]), 0);
    const body = (await province.get('/api/aid-totals?groupBy=prefecture').expect(200)).body;
    expect(body.total.approved).toBe(sum(grants, 'approvedAmount'));
    expect(body.total.disbursed).toBe(sum(payments, 'amount'));
    for (const source of ['central', 'provincial', 'local']) expect(body.total.bySource[source] ?? 0).toBe(sum(payments.filter((p) => p.source === source), 'amount'));
    for (const category of ['poverty', 'disability', 'orphan', 'martyr']) expect(body.total.byCategory[category] ?? 0).toBe(sum(payments.filter((p) => p.category === category), 'amount'));
    const quanzhou = body.rows.find((r) => r.code === '350500');
    expect(quanzhou.disbursed).toBe(sum(payments.filter((p) => p.countyCode.startsWith('3505')), 'amount'));
    expect(body.rows.find((r) => r.code === '350200').bySource).toEqual({ local: 800 });
    const countyView = (await county2.get('/api/aid-totals').expect(200)).body;
    expect(countyView.rows.map((r) => r.code)).toEqual(['350203']);
    expect(countyView.total).toMatchObject({ approved: 800, disbursed: 800 });
    const kindergartenView = (await kindergarten.get('/api/aid-totals').expect(200)).body;
    expect(kindergartenView.total.disbursed).toBe(sum(payments.filter((p) => p.institutionCode === '3135050201'), 'amount'));
  });
});
