/**
 * The monthly snapshot keeps the project data too: every project with its figures, status
 * and latest progress report up to the month, and the roll-ups by level and region, equal to
 * hand-written SQL and hand counts of the demo projects; saved once, never changed, read per reach.
 */
import crypto from 'node:crypto';
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { login, type Session } from '../helpers/api';

const SNAPSHOT = 'plugin::archive-snapshot.snapshot';
let app: BootedApp;
let ministry: Session;
let province: Session;
let prefecture: Session;
let county: Session;
let county2: Session;
let kindergarten: Session;
const ids: Record<string, string> = {};

const rows = async (text: string) => {
  const result: any = await app.strapi.db.connection.raw(app.schema ? text.replace(/\bFROM (\w+)/g, `FROM ${app.schema}.$1`) : text);
  return Array.isArray(result) ? result : result.rows;
};
const saved = async (period: string) => app.strapi.db.query(SNAPSHOT).findOne({ where: { period } });
const read = async (session: Session, period = '2026-01') => (await session.get(`/api/archive-snapshot/snapshots/${period}`).expect(200)).body.data.projects;

beforeAll(async () => {
  app = await bootStrapi();
  [ministry, province, prefecture, county, county2, kindergarten] = await Promise.all(
    ['demo-ministry', 'demo-province', 'demo-prefecture', 'demo-county', 'demo-county-2', 'demo-kindergarten'].map((u) => login(app, u)),
  );
  // the four demo projects (config/demo.json), found by name
  const projects = await app.strapi.db.query('api::project.project').findMany({ select: ['documentId', 'name'] });
  const byName = (part: string) => projects.find((p: any) => p.name.includes(part))!.documentId;
  Object.assign(ids, { central: byName('中央财政'), provincial: byName('扩容'), quanzhou: byName('泉州'), licheng: byName('鲤城') });
  // progress reports: 鲤城 filed November and December 2025 late (today is later); the province
  // reports its own project for the current month (after the snapshot's month); the central
  // project's January report was filed in time (written directly: a test cannot file in the past)
  for (const month of ['2025-11', '2025-12']) {
    expect((await county.post('/api/project-progress-reports', { data: { projectId: ids.licheng, month, progress: 90 } }).expect(201)).body.data.late).toBe(true);
  }
  const thisMonth = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(new Date());
  await province.post('/api/project-progress-reports', { data: { projectId: ids.provincial, month: thisMonth, progress: 50 } }).expect(201);
  await app.strapi.db.query('api::project-progress.project-progress').create({ data: {
    documentId: `r${crypto.randomBytes(10).toString('hex')}`, projectId: ids.central, projectName: '中央财政', regionCode: '350000', month: '2026-01',
    progress: 60, late: false, state: 'approved', submittedAt: new Date('2026-01-20T02:00:00Z'),
  } });
  await province.post('/api/archive-snapshot/snapshots/run', { data: { period: '2026-01' } }).expect(200);
});
afterAll(async () => { await app?.stop(); });

describe('a run saves the project data', () => {
  test('every project with its figures, status and latest report up to the month, against SQL and by hand', async () => {
    const { projects } = await saved('2026-01');
    expect(projects.asOf).toBe('2026-01');
    const table = await rows('SELECT document_id, name, type, region_code, allocated, spent, progress, review_state FROM projects ORDER BY region_code, id');
    expect(projects.projects.map((p) => [p.id, p.name, p.type, p.regionCode, p.allocated, p.spent, p.progress, p.reviewState])).toEqual(
      table.map((r) => [r.document_id, r.name, r.type, r.region_code, Number(r.allocated), Number(r.spent), Number(r.progress), r.review_state]),
    );
    const at = (id: string) => projects.projects.find((p) => p.id === id);
    expect(at(ids.central)).toMatchObject({ type: 'central', ownerLevel: 'province', budget: 52000, allocated: 52000, spent: 31500, progress: 60, sources: { central: 52000 }, latestReport: { month: '2026-01', late: false, state: 'approved' } });
    expect(at(ids.licheng)).toMatchObject({ ownerLevel: 'county', allocated: 300, spent: 320, latestReport: { month: '2025-12', late: true, state: 'submitted' } });
    expect(at(ids.provincial).latestReport).toBeNull(); // its only report is for a later month
    expect(at(ids.quanzhou)).toMatchObject({ ownerLevel: 'prefecture', regionCode: '350500', sources: { provincial: 2600, local: 400 }, latestReport: null });
  });

  test('roll-ups by level and region equal hand-written SQL and the demo figures', async () => {
    const { rollups } = (await saved('2026-01')).projects;
    const byLevel = await rows(`SELECT CASE WHEN region_code LIKE '%0000' THEN 'province' WHEN region_code LIKE '%00' THEN 'prefecture' ELSE 'county' END AS lvl,
      COUNT(*) AS n, SUM(allocated) AS allocated, SUM(spent) AS spent, SUM(CASE WHEN spent > allocated THEN 1 ELSE 0 END) AS overspent FROM projects GROUP BY 1 ORDER BY 1`);
    for (const r of byLevel) {
      expect(rollups.level.rows.find((row) => row.code === r.lvl)).toMatchObject({ projects: Number(r.n), allocated: Number(r.allocated), spent: Number(r.spent), overspent: Number(r.overspent) });
    }
    // by hand from config/demo.json: 52000 + 18000 + 2600 + 300 allocated; 31500 + 9000 + 1200 + 320 spent
    expect(rollups.level.rows.map((r) => [r.code, r.name, r.projects, r.allocated, r.spent, r.lateReports])).toEqual([
      ['province', '省级', 2, 70000, 40500, 0], ['prefecture', '地市级', 1, 2600, 1200, 0], ['county', '县级', 1, 300, 320, 1],
    ]);
    expect(rollups.level.total).toMatchObject({ projects: 4, budget: 75300, allocated: 72900, spent: 42020, overspent: 1, lateReports: 1 });
    expect(rollups.level.total.byType).toEqual({ central: { allocated: 52000, spent: 31500 }, provincial: { allocated: 20600, spent: 10200 }, local: { allocated: 300, spent: 320 } });
    expect(rollups.prefecture.rows.map((r) => [r.code, r.name, r.allocated])).toEqual([['350000', '福建省', 70000], ['350500', '泉州市', 2900]]);
    expect(rollups.county.rows.map((r) => [r.code, r.allocated, r.lateReports])).toEqual([['350000', 70000, 0], ['350500', 2600, 0], ['350502', 300, 1]]);
    // the same rule as the live roll-up (nothing changed since the run)
    const live = (await ministry.get('/api/project-rollup?groupBy=county').expect(200)).body;
    expect(rollups.county.rows).toEqual(live.rows);
  });

  test('a second run of the same period changes nothing', async () => {
    const before = await saved('2026-01');
    await app.strapi.db.query('api::project.project').update({ where: { documentId: ids.quanzhou }, data: { spent: 1500 } });
    const again = await province.post('/api/archive-snapshot/snapshots/run', { data: { period: '2026-01' } }).expect(200);
    expect(new Date(again.body.data.finishedAt).getTime()).toBe(new Date(before.finishedAt).getTime());
    await app.strapi.plugin('archive-snapshot').service('snapshots').run('2026-01', 'again');
    expect(await saved('2026-01')).toEqual(before);
    expect((await app.strapi.db.query(SNAPSHOT).findMany({ where: { period: '2026-01' } }))).toHaveLength(1);
    await app.strapi.db.query('api::project.project').update({ where: { documentId: ids.quanzhou }, data: { spent: 1200 } });
  });
});

describe('reading the project part per reach', () => {

  test('a county sees its own county’s projects and roll-up rows only', async () => {
    const part = await read(county);
    expect(part.projects.map((p) => p.id)).toEqual([ids.licheng]);
    expect(part.rollups.level.rows.map((r) => r.code)).toEqual(['county']);
    expect(part.rollups.county.rows.map((r) => r.code)).toEqual(['350502']);
    expect(part.rollups.level.total).toMatchObject({ code: '350502', projects: 1, allocated: 300, spent: 320, lateReports: 1 });
    const other = await read(county2);
    expect(other.projects).toEqual([]);
    expect(other.rollups.level).toMatchObject({ rows: [], total: { projects: 0, allocated: 0, spent: 0 } });
  });

  test('a prefecture its own and its counties’, the province and the Ministry everything of theirs', async () => {
    const part = await read(prefecture);
    expect(part.projects.map((p) => p.id).sort()).toEqual([ids.quanzhou, ids.licheng].sort());
    expect(part.rollups.level.rows.map((r) => [r.code, r.allocated])).toEqual([['prefecture', 2600], ['county', 300]]);
    expect(part.rollups.level.total.allocated).toBe(2900);
    expect((await read(province)).projects).toHaveLength(4);
    const nation = await read(ministry);
    expect(nation.rollups).toEqual((await saved('2026-01')).projects.rollups);
    await kindergarten.get('/api/archive-snapshot/snapshots/2026-01').expect(403);
  });
});

describe('a saved snapshot does not follow later changes', () => {
  test('changing a project after the run changes neither the saved row nor what is read; the next month differs', async () => {
    const before = await saved('2026-01');
    const countyBefore = await read(county);
    await county.put(`/api/projects/${ids.licheng}`, { data: { spent: 330, progress: 100 } }).expect(200);
    await ministry.put(`/api/projects/${ids.central}`, { data: { allocated: 60000 } }).expect(200);
    expect((await ministry.get('/api/project-rollup?groupBy=level').expect(200)).body.total.allocated).toBe(80900);
    expect(await saved('2026-01')).toEqual(before);
    expect(await read(county)).toEqual(countyBefore);

    await province.post('/api/archive-snapshot/snapshots/run', { data: { period: '2026-02' } }).expect(200);
    const trend = (await county.get('/api/archive-snapshot/snapshots/projects-trend?from=2026-01&to=2026-02').expect(200)).body.data;
    expect(trend).toEqual([
      { period: '2026-01', projects: 1, budget: 300, allocated: 300, spent: 320, overspent: 1, lateReports: 1 },
      { period: '2026-02', projects: 1, budget: 300, allocated: 300, spent: 330, overspent: 1, lateReports: 1 },
    ]);
    const national = (await ministry.get('/api/archive-snapshot/snapshots/projects-trend?from=2026-01&to=2026-02').expect(200)).body.data;
    expect(national.map((m) => [m.period, m.allocated, m.spent])).toEqual([['2026-01', 72900, 42020], ['2026-02', 80900, 42030]]);
    const bad = await county.get('/api/archive-snapshot/snapshots/projects-trend?from=2026-13').expect(400);
    expect(bad.body.error.details.errors[0].path).toEqual(['from']);
    await kindergarten.get('/api/archive-snapshot/snapshots/projects-trend').expect(403);
  });
});
