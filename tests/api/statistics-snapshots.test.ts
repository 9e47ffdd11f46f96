/** Statistics in SQL, scoped per level, agreeing with hand-written SQL and the dashboard; monthly snapshots exactly once and immutable. */
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { login, type Session } from '../helpers/api';
import { residentId } from '../helpers/ids';
import { latestDuePeriod } from '../../plugins/archive-snapshot/server/src/services/calendar';

let app: BootedApp;
const sql = async (text: string) => {
  const result: any = await app.strapi.db.connection.raw(app.schema ? text.replace(/\bFROM (\w+)/g, `FROM ${app.schema}.$1`).replace(/\bJOIN (\w+)/g, `JOIN ${app.schema}.$1`) : text);
  return (Array.isArray(result) ? result : result.rows)[0];
};

beforeAll(async () => {
  app = await bootStrapi();
  // children in two kindergartens: one public (鲤城 01), one private and not inclusive (丰泽 02)
  const places: [string, string, string][] = [['demo-kindergarten', '3135050201', '小一班'], ['demo-kindergarten-2', '3135020301', '小一班']];
  let n = 0;
  for (const [username] of places) {
    const session = await login(app, username);
    const classId = (await session.get('/api/school-classes?filters[name][$eq]=小一班').expect(200)).body.data[0].documentId;
    for (let i = 0; i < 3; i += 1) {
      n += 1;
      await session.post('/api/children', { data: {
        name: `统计${n}`, idType: '1', idNumber: residentId('350502', '20220101', String(100 + n * 2 + (i % 2))), birthPlace: '350502', nativePlace: '福建', ethnicity: '01', nationality: '156',
        overseasChinese: '00', health: '10', householdRegion: '350502', householdType: '1', address: '某路', phone: '1', enrolledOn: '2025-09-01', enrollmentMode: '1', onlyChild: false,
        leftBehind: i === 0 ? '2' : '0', migrant: i === 1, schoolClass: classId, guardians: [{ name: '家长', relation: '1', idType: '1', idNumber: residentId('350502', '19900101', String(500 + n)) }],
      } }).expect(201);
    }
  }
});
afterAll(async () => { await app?.stop(); });

describe('statistics', () => {
  test('province figures and indicators equal hand-written SQL on the same data', async () => {
    const report = await (await login(app, 'demo-province')).get('/api/statistics?groupBy=province').expect(200);
    const total = report.body.total;
    const kindergartens = await sql(`SELECT COUNT(*) AS n, SUM(CASE WHEN ownership = 'public' THEN 1 ELSE 0 END) AS p FROM kindergartens WHERE county_code LIKE '35%' AND status <> 'closed'`);
    const children = await sql(`SELECT COUNT(*) AS n FROM children WHERE county_code LIKE '35%'`);
    const inPublic = await sql(`SELECT COUNT(*) AS n FROM children c JOIN kindergartens k ON k.code = c.institution_code WHERE k.ownership = 'public'`);
    const classes = await sql(`SELECT COUNT(*) AS n FROM school_classes`);
    expect(total.figures.kindergartens).toBe(Number(kindergartens.n));
    expect(total.figures.publicKindergartens).toBe(Number(kindergartens.p));
    expect(total.figures.children).toBe(Number(children.n));
    expect(total.figures.children).toBe(6);
    expect(total.figures.childrenInPublic).toBe(Number(inPublic.n));
    expect(total.figures.leftBehind).toBe(2);
    expect(total.figures.migrant).toBe(2);
    expect(total.figures.classes).toBe(Number(classes.n));
    expect(total.indicators.publicShare).toBeCloseTo(Number(inPublic.n) / 6, 4);
    expect(total.indicators.inclusiveCoverage).toBeCloseTo(1, 4);
    expect(total.indicators.classSizeCompliance).toBe(1);
    expect(total.indicators.grossEnrollmentRate).toBeNull();
  });

  test.each([
    ['demo-ministry', 'province', ['350000']],
    ['demo-province', 'prefecture', ['350200', '350500']],
    ['demo-prefecture', 'county', ['350502', '350503', '350581']],
    ['demo-county', 'county', ['350502']],
  ])('%s sees statistics of its reach only, and the dashboard agrees', async (username, groupBy, codes) => {
    const session = await login(app, username);
    const report = await session.get(`/api/statistics?groupBy=${groupBy}`).expect(200);
    expect(report.body.rows.map((r) => r.code)).toEqual(codes);
    const dashboard = await session.get('/api/dashboard').expect(200);
    expect(dashboard.body.kindergartens).toBe(report.body.total.figures.kindergartens);
    expect(dashboard.body.publicKindergartens).toBe(report.body.total.figures.publicKindergartens);
    expect(dashboard.body.inclusiveKindergartens).toBe(report.body.total.figures.inclusiveKindergartens);
  });

  test('a kindergarten sees its own figures', async () => {
    const report = await (await login(app, 'demo-kindergarten')).get('/api/statistics').expect(200);
    expect(report.body.total.figures).toMatchObject({ kindergartens: 1, children: 3, classes: 3 });
  });
});

describe('monthly snapshots (archive-snapshot)', () => {
  const snapshots = () => app.strapi.plugin('archive-snapshot').service('snapshots');

  test('the missed run of the latest due period was made on start', async () => {
    const period = latestDuePeriod(new Date(), 'Asia/Shanghai');
    const row = await app.strapi.db.query('plugin::archive-snapshot.snapshot').findOne({ where: { period } });
    expect(row).toMatchObject({ state: 'done', trigger: 'catch-up' });
    // made after the demo data was loaded, not before it (an empty month on a fresh start)
    const demoKindergartens = await sql(`SELECT COUNT(*) AS n FROM kindergartens WHERE status <> 'closed'`);
    expect(Number(demoKindergartens.n)).toBeGreaterThan(0);
    expect(row.summary.nation.figures.kindergartens).toBe(Number(demoKindergartens.n));
    expect(row.projects.projects.length).toBeGreaterThan(0);
  });

  test('racing runs of one period save it exactly once; running it again changes nothing', async () => {
    const results = await Promise.all(Array.from({ length: 5 }, () => snapshots().run('2026-01', 'race')));
    const rows = await app.strapi.db.query('plugin::archive-snapshot.snapshot').findMany({ where: { period: '2026-01' } });
    expect(rows).toHaveLength(1);
    expect(rows[0].state).toBe('done');
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    const province = await login(app, 'demo-province');
    const again = await province.post('/api/archive-snapshot/snapshots/run', { data: { period: '2026-01' } }).expect(200);
    expect(new Date(again.body.data.finishedAt).getTime()).toBe(new Date(rows[0].finishedAt).getTime());
  });

  test('only the province starts a run; a period not yet due is refused', async () => {
    await (await login(app, 'demo-county')).post('/api/archive-snapshot/snapshots/run', { data: { period: '2026-02' } }).expect(403);
    const future = await (await login(app, 'demo-province')).post('/api/archive-snapshot/snapshots/run', { data: { period: '2999-01' } }).expect(400);
    expect(future.body.error.details.errors[0].path).toEqual(['period']);
  });

  test('a snapshot cannot be changed through any route or the document service', async () => {
    const before = await app.strapi.db.query('plugin::archive-snapshot.snapshot').findOne({ where: { period: '2026-01' } });
    const province = await login(app, 'demo-province');
    for (const method of ['put', 'del'] as const) {
      const response = await province[method](`/api/archive-snapshot/snapshots/2026-01`);
      expect([403, 404, 405]).toContain(response.status);
    }
    await expect(app.strapi.documents('plugin::archive-snapshot.snapshot' as any).update({ documentId: before.documentId, data: { state: 'running' } as any })).rejects.toThrow('月度存档一经保存不能修改');
    expect(await app.strapi.db.query('plugin::archive-snapshot.snapshot').findOne({ where: { period: '2026-01' } })).toEqual(before);
  });

  test('each level reads its part of a snapshot, and months compare', async () => {
    const county = await (await login(app, 'demo-county')).get('/api/archive-snapshot/snapshots/2026-01').expect(200);
    expect(county.body.data.counties.map((r) => r.code)).toEqual(['350502']);
    expect(county.body.data.prefectures).toEqual([]);
    expect(county.body.data.nation).toBeNull();
    const prefecture = await (await login(app, 'demo-prefecture')).get('/api/archive-snapshot/snapshots/2026-01').expect(200);
    expect(prefecture.body.data.prefectures.map((r) => r.code)).toEqual(['350500']);
    expect(prefecture.body.data.counties.every((r) => r.code.startsWith('3505'))).toBe(true);
    const ministry = await (await login(app, 'demo-ministry')).get('/api/archive-snapshot/snapshots/2026-01').expect(200);
    expect(ministry.body.data.nation.figures.children).toBe(6);
    expect(ministry.body.data.provinces[0].figures.kindergartens).toBe(ministry.body.data.nation.figures.kindergartens);
    const list = await (await login(app, 'demo-ministry')).get('/api/archive-snapshot/snapshots').expect(200);
    expect(list.body.data.map((s) => s.period)).toEqual(expect.arrayContaining(['2026-01', latestDuePeriod(new Date(), 'Asia/Shanghai')]));
    await (await login(app, 'demo-kindergarten')).get('/api/archive-snapshot/snapshots/2026-01').expect(403);
  });
});
