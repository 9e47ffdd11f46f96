/**
 * Project funds: the Ministry enters a province's central allocation, each level its own projects;
 * allocation changed only by whoever entered it; spending above the allocation needs a reason;
 * review by the level above; monthly progress reports (late ones flagged, one per month); roll-ups
 * by level and region against hand-computed sums; scope by region prefix.
 */
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { login, type Session } from '../helpers/api';
import { localToday } from '../../cms/src/domain/project-rules';

let app: BootedApp;
let ministry: Session;
let province: Session;
let prefecture: Session;
let county: Session;
let county2: Session;
let kindergarten: Session;
const ids: Record<string, string> = {};

beforeAll(async () => {
  app = await bootStrapi();
  [ministry, province, prefecture, county, county2, kindergarten] = await Promise.all(
    ['demo-ministry', 'demo-province', 'demo-prefecture', 'demo-county', 'demo-county-2', 'demo-kindergarten'].map((u) => login(app, u)),
  );
  // the sums below are computed by hand from this suite's projects: start without the demo ones
  expect(await app.strapi.db.query('api::project.project').count()).toBeGreaterThan(0);
  await app.strapi.db.query('api::project.project').deleteMany({ where: {} });
});
afterAll(async () => { await app?.stop(); });

const project = (overrides: Record<string, unknown>) => ({ name: '普惠性幼儿园扩容', type: 'provincial', year: 2026, budget: 0, ...overrides });

describe('entering projects', () => {
  test('the Ministry enters a province’s central allocation; the province cannot change it', async () => {
    const created = (await ministry.post('/api/projects', { data: project({ name: '中央财政支持学前教育发展资金', type: 'central', regionCode: '350000', allocated: 5000, budget: 5000, sources: { central: 5000 } }) }).expect(201)).body.data;
    ids.central = created.documentId;
    expect(created).toMatchObject({ ownerLevel: 'province', createdByLevel: 'ministry', allocated: 5000, reviewState: 'draft' });
    const locked = await province.put(`/api/projects/${ids.central}`, { data: { allocated: 9000 } }).expect(400);
    expect(locked.body.error.details.errors[0].path).toEqual(['allocated']);
    await province.put(`/api/projects/${ids.central}`, { data: { spent: 4000, progress: 60 } }).expect(200);
    const ministryOnly = await ministry.put(`/api/projects/${ids.central}`, { data: { spent: 1 } }).expect(400);
    expect(ministryOnly.body.error.details.errors[0].path).toEqual(['spent']);
    await ministry.put(`/api/projects/${ids.central}`, { data: { allocated: 5200 } }).expect(200);
  });

  test('spending above the allocation needs a stated reason (400 naming spent)', async () => {
    const refused = await province.put(`/api/projects/${ids.central}`, { data: { spent: 6000 } }).expect(400);
    expect(refused.body.error.details.errors[0].path).toEqual(['spent']);
    expect((await app.strapi.db.query('api::project.project').findOne({ where: { documentId: ids.central } })).spent).toBe(4000);
    await province.put(`/api/projects/${ids.central}`, { data: { spent: 5300, overspendReason: '地方配套资金先行垫付' } }).expect(200);
    const bad = await province.post('/api/projects', { data: project({ type: 'lottery', budget: -1 }) }).expect(400);
    expect(bad.body.error.details.errors.map((e) => e.path[0]).sort()).toEqual(['budget', 'type']);
  });

  test('each level enters its own projects and allocates to the level below, inside its reach', async () => {
    ids.provincial = (await province.post('/api/projects', { data: project({ allocated: 1000, spent: 200 }) }).expect(201)).body.data.documentId;
    ids.toPrefecture = (await province.post('/api/projects', { data: project({ name: '泉州市公办园建设', regionCode: '350500', allocated: 800 }) }).expect(201)).body.data.documentId;
    await prefecture.put(`/api/projects/${ids.toPrefecture}`, { data: { spent: 300 } }).expect(200);
    ids.prefecture = (await prefecture.post('/api/projects', { data: project({ type: 'local', allocated: 200, spent: 50 }) }).expect(201)).body.data.documentId;
    ids.county = (await county.post('/api/projects', { data: project({ type: 'local', allocated: 100, spent: 20 }) }).expect(201)).body.data.documentId;
    ids.county2 = (await county2.post('/api/projects', { data: project({ type: 'local', allocated: 70, spent: 10 }) }).expect(201)).body.data.documentId;
    await prefecture.post('/api/projects', { data: project({ regionCode: '350000' }) }).expect(403);
    await prefecture.post('/api/projects', { data: project({ regionCode: '350203' }) }).expect(403);
    await county.post('/api/projects', { data: project({ regionCode: '350503' }) }).expect(403);
    await province.post('/api/projects', { data: project({ regionCode: '350502' }) }).expect(403);
    await kindergarten.post('/api/projects', { data: project({}) }).expect(403);
  });

  test('scope: each level sees its projects and those below; outside is 404', async () => {
    const listed = async (session: Session) => (await session.get('/api/projects?pagination[pageSize]=100').expect(200)).body.data.map((p) => p.documentId).sort();
    expect(await listed(prefecture)).toEqual([ids.toPrefecture, ids.prefecture, ids.county].sort());
    expect(await listed(county)).toEqual([ids.county]);
    expect(await listed(ministry)).toHaveLength(6);
    await prefecture.get(`/api/projects/${ids.central}`).expect(404);
    await county2.get(`/api/projects/${ids.county}`).expect(404);
    await county2.put(`/api/projects/${ids.county}`, { data: { spent: 1 } }).expect(404);
    await county.del(`/api/projects/${ids.toPrefecture}`).expect(404);
    await prefecture.del(`/api/projects/${ids.toPrefecture}`).expect(403);
  });
});

describe('roll-ups', () => {
  test('by level and by region, against hand-computed sums', async () => {
    const byLevel = (await ministry.get('/api/project-rollup?groupBy=level').expect(200)).body;
    const at = (rows: any[], code: string) => rows.find((r) => r.code === code);
    expect(at(byLevel.rows, 'province')).toMatchObject({ projects: 2, allocated: 5200 + 1000, spent: 5300 + 200, overspent: 1 });
    expect(at(byLevel.rows, 'prefecture')).toMatchObject({ projects: 2, allocated: 800 + 200, spent: 300 + 50 });
    expect(at(byLevel.rows, 'county')).toMatchObject({ projects: 2, allocated: 100 + 70, spent: 20 + 10 });
    expect(byLevel.total).toMatchObject({ projects: 6, allocated: 7370, spent: 5880 });
    expect(byLevel.total.byType.central).toEqual({ allocated: 5200, spent: 5300 });
    const byPrefecture = (await province.get('/api/project-rollup?groupBy=prefecture').expect(200)).body;
    expect(byPrefecture.rows.map((r) => [r.code, r.allocated, r.spent])).toEqual([['350000', 6200, 5500], ['350200', 70, 10], ['350500', 1100, 370]]);
    const prefectureView = (await prefecture.get('/api/project-rollup?groupBy=county').expect(200)).body;
    expect(prefectureView.rows.map((r) => [r.code, r.allocated])).toEqual([['350500', 1000], ['350502', 100]]);
    expect(prefectureView.total.allocated).toBe(1100);
    await province.get('/api/project-rollup?groupBy=galaxy').expect(400);
  });
});

describe('review and monthly progress', () => {
  test('the owner submits, the level above approves or returns with a comment', async () => {
    await ministry.post(`/api/projects/${ids.provincial}/submit`).expect(403);
    await province.post(`/api/projects/${ids.provincial}/submit`).expect(200);
    await prefecture.post(`/api/projects/${ids.provincial}/review`, { data: { decision: 'approve' } }).expect(404);
    await province.post(`/api/projects/${ids.provincial}/review`, { data: { decision: 'approve' } }).expect(403);
    const noComment = await ministry.post(`/api/projects/${ids.provincial}/review`, { data: { decision: 'return' } }).expect(400);
    expect(noComment.body.error.details.errors[0].path).toEqual(['comment']);
    const approved = await ministry.post(`/api/projects/${ids.provincial}/review`, { data: { decision: 'approve' } }).expect(200);
    expect(approved.body.data).toMatchObject({ reviewState: 'approved', reviewedByName: '教育部演示用户' });
    await ministry.post(`/api/projects/${ids.provincial}/review`, { data: { decision: 'approve' } }).expect(409);
    // attachments: the owner and the allocating level, images/PDF/Office only
    const pdf = Buffer.from('%PDF-1.4\n%%EOF\n');
    const attached = await province.post(`/api/projects/${ids.provincial}/attachments`).attach('files', pdf, { filename: '实施方案.pdf', contentType: 'application/pdf' }).expect(200);
    expect(attached.body.data.attachments.map((f) => f.name)).toEqual(['实施方案.pdf']);
    const text = await province.post(`/api/projects/${ids.provincial}/attachments`).attach('files', Buffer.from('x'), { filename: 'a.txt', contentType: 'text/plain' }).expect(400);
    expect(text.body.error.details.errors[0].path).toEqual(['files']);
    await prefecture.post(`/api/projects/${ids.provincial}/attachments`).attach('files', pdf, { filename: 'b.pdf', contentType: 'application/pdf' }).expect(404);
    await county.post(`/api/projects/${ids.toPrefecture}/attachments`).attach('files', pdf, { filename: 'b.pdf', contentType: 'application/pdf' }).expect(404);
    // review state is not typed in
    await province.put(`/api/projects/${ids.provincial}`, { data: { reviewState: 'approved', name: '改名' } }).expect(200);
  });

  test('reports: one per month, late ones flagged, future months refused; reviewed by the level above', async () => {
    const month = localToday().slice(0, 7);
    const current = (await province.post('/api/project-progress-reports', { data: { projectId: ids.provincial, month, progress: 40, spentToDate: 200 } }).expect(201)).body.data;
    expect(current).toMatchObject({ late: false, state: 'submitted', regionCode: '350000' });
    const again = await province.post('/api/project-progress-reports', { data: { projectId: ids.provincial, month, progress: 41 } }).expect(409);
    expect(again.body.error.details.errors[0].path).toEqual(['month']);
    const late = (await province.post('/api/project-progress-reports', { data: { projectId: ids.provincial, month: '2025-01', progress: 5 } }).expect(201)).body.data;
    expect(late.late).toBe(true);
    const future = await province.post('/api/project-progress-reports', { data: { projectId: ids.provincial, month: '2099-01', progress: 5 } }).expect(400);
    expect(future.body.error.details.errors[0].path).toEqual(['month']);
    await prefecture.post('/api/project-progress-reports', { data: { projectId: ids.provincial, month, progress: 5 } }).expect(400);
    await prefecture.post('/api/project-progress-reports', { data: { projectId: ids.county, month, progress: 5 } }).expect(403);
    await county.post('/api/project-progress-reports', { data: { projectId: ids.county, month, progress: 30 } }).expect(201);

    await province.post(`/api/project-progress-reports/${current.documentId}/review`, { data: { decision: 'approve' } }).expect(403);
    await ministry.post(`/api/project-progress-reports/${current.documentId}/review`, { data: { decision: 'approve' } }).expect(200);
    expect((await app.strapi.db.query('api::project.project').findOne({ where: { documentId: ids.provincial } })).progress).toBe(40);

    const reporting = (await province.get('/api/project-reporting?month=2025-01').expect(200)).body;
    expect(reporting.dueOn).toBe('2025-01-31');
    const row = (id: string) => reporting.rows.find((r) => r.projectId === id);
    expect(row(ids.provincial)).toMatchObject({ state: 'submitted', late: true });
    expect(row(ids.county)).toMatchObject({ state: 'missing', late: true });
    expect(row(ids.county2)).toMatchObject({ state: 'missing' });
    expect(reporting.rows.map((r) => r.projectId)).not.toContain(undefined);
    const countyReporting = (await county.get(`/api/project-reporting?month=${month}`).expect(200)).body;
    expect(countyReporting.rows.map((r) => r.projectId)).toEqual([ids.county]);
    expect(countyReporting.rows[0]).toMatchObject({ state: 'submitted', late: false });
  });
});
