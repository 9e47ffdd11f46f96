/**
 * Population figures and 毛入园率, the generic statistics query (whitelisted names, scope per level),
 * trends from the snapshots, dashboards, summary exports and analysts' chart pages — and one set of
 * numbers: dashboard, export, query and snapshot each equal hand-written SQL on the demo data.
 */
import request from 'supertest';
import ExcelJS from 'exceljs';
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { login, type Session } from '../helpers/api';
import { residentId } from '../helpers/ids';

let app: BootedApp;
const YEAR = new Date().getFullYear();
const sql = async (text: string, bindings: unknown[] = []) => {
  const qualified = app.schema ? text.replace(/\b(FROM|JOIN) (\w+)/g, `$1 ${app.schema}.$2`) : text;
  const result: any = await app.strapi.db.connection.raw(qualified, bindings as any);
  return (Array.isArray(result) ? result : result.rows)[0];
};
const sessions: Record<string, Session> = {};
const as = async (username: string) => (sessions[username] ??= await login(app, username));
const binary = (res: any, callback: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
};
async function workbook(buffer: Buffer) {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(buffer as any);
  return book;
}
const upload = (session: Session, name: string, content: Buffer | string) =>
  request(app.strapi.server.httpServer).post('/api/populations/import').set('Authorization', `Bearer ${session.jwt}`).attach('file', Buffer.from(content), name);

let n = 0;
function child(classId: string, extra: Record<string, unknown> = {}) {
  n += 1;
  return {
    name: `图表${n}`, idType: '1', idNumber: residentId('350502', '20220101', String(200 + n * 2 + (n % 2))), birthPlace: '350502', nativePlace: '福建', ethnicity: '01', nationality: '156',
    overseasChinese: '00', health: '10', householdRegion: '350502', householdType: '1', address: '某路', phone: '1', enrolledOn: '2025-09-01', enrollmentMode: '1', onlyChild: false,
    leftBehind: '0', migrant: false, schoolClass: classId, guardians: [{ name: '家长', relation: '1', idType: '1', idNumber: residentId('350502', '19900101', String(600 + n)) }], ...extra,
  };
}

beforeAll(async () => {
  app = await bootStrapi();
  // 3 children in each public demo kindergarten (鲤城 01, 思明 01), through the API
  for (const username of ['demo-kindergarten', 'demo-kindergarten-2']) {
    const session = await as(username);
    const classId = (await session.get('/api/school-classes?filters[name][$eq]=小一班').expect(200)).body.data[0].documentId;
    for (let i = 0; i < 3; i += 1) await session.post('/api/children', { data: child(classId) }).expect(201);
  }
  // the snapshot of January: 6 children
  await app.strapi.plugin('archive-snapshot').service('snapshots').run('2026-01', 'test');
  // a private, non-inclusive kindergarten (丰泽 3135050302) gets an oversize 大班 and 2 children, as the system
  const kindergarten = await app.strapi.db.query('api::kindergarten.kindergarten').findOne({ where: { code: '3135050302' } });
  const schoolClass = await app.strapi.documents('api::school-class.school-class').create({
    data: { name: '大二班', grade: 'large', schoolYear: '2026-2027', capacity: 40, enrolled: 2, oversizeReason: '场地调整', kindergarten: kindergarten.documentId } as any,
  });
  for (let i = 0; i < 2; i += 1) await app.strapi.documents('api::child.child').create({ data: child(schoolClass.documentId, { sex: undefined }) as any });
  await app.strapi.plugin('archive-snapshot').service('snapshots').run('2026-02', 'test');
});
afterAll(async () => { await app?.stop(); });

describe('population figures (3–5 岁人口)', () => {
  test('the county enters its own; a second entry for the same year is a 409; outside its county is refused', async () => {
    const county = await as('demo-county');
    const created = await county.post('/api/populations', { data: { countyCode: '350502', year: YEAR, population: 4 } }).expect(201);
    expect(created.body.data).toMatchObject({ countyCode: '350502', year: YEAR, population: 4 });
    const again = await county.post('/api/populations', { data: { countyCode: '350502', year: YEAR, population: 5 } }).expect(409);
    expect(again.body.error.details.errors[0].path).toEqual(['year']);
    await county.post('/api/populations', { data: { countyCode: '350203', year: YEAR, population: 5 } }).expect(403);
    const bad = await county.post('/api/populations', { data: { countyCode: '350502', year: 1990, population: -1 } }).expect(400);
    expect(bad.body.error.details.errors.map((e) => e.path[0]).sort()).toEqual(['population', 'year']);
    await (await as('demo-province')).post('/api/populations', { data: { countyCode: '350503', year: YEAR, population: 5 } }).expect(403);
  });

  test('the province imports a csv; a row outside its reach rejects the whole file, naming the row', async () => {
    const province = await as('demo-province');
    const rejected = await upload(province, 'population.csv', `区县代码,年份,人口数\n350203,${YEAR},6\n440103,${YEAR},9\n`).expect(400);
    expect(rejected.body.error.message).toContain('第 3 行');
    expect(Number((await sql('SELECT COUNT(*) AS n FROM populations')).n)).toBe(1);
    const imported = await upload(province, 'population.csv', `区县代码,年份,人口数\n350203,${YEAR},6\n350503,${YEAR},10\n`).expect(200);
    expect(imported.body.data).toEqual({ rows: 2, created: 2, updated: 0 });
  });

  test('the prefecture imports an xlsx inside its reach only; importing again replaces the figure', async () => {
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('人口');
    sheet.addRow(['区县代码', '年份', '3–5 岁人口数']);
    sheet.addRow(['350503', YEAR, 10]);
    const buffer = Buffer.from(await book.xlsx.writeBuffer());
    const prefecture = await as('demo-prefecture');
    expect((await upload(prefecture, 'p.xlsx', buffer).expect(200)).body.data).toEqual({ rows: 1, created: 0, updated: 1 });
    sheet.addRow(['350203', YEAR, 1]);
    await upload(prefecture, 'p.xlsx', Buffer.from(await book.xlsx.writeBuffer())).expect(400);
    await upload(await as('demo-county'), 'p.xlsx', buffer).expect(403);
    const list = await prefecture.get('/api/populations').expect(200);
    expect(list.body.data.map((p) => p.countyCode).sort()).toEqual(['350502', '350503']);
  });
});

describe('indicators against hand-computed values', () => {
  test('province: 8 children, 6 in public kindergartens; population 4 + 6 + 10', async () => {
    const { total } = (await (await as('demo-province')).get('/api/statistics?groupBy=province').expect(200)).body;
    expect(total.figures).toMatchObject({ children: 8, childrenInPublic: 6, childrenInInclusive: 6, population: 20, kindergartens: 10, inclusiveKindergartens: 8, classes: 5, classesWithinLimit: 4 });
    expect(total.indicators.grossEnrollmentRate).toBe(0.4);
    expect(total.indicators.inclusiveCoverage).toBe(0.75);
    expect(total.indicators.publicShare).toBe(0.75);
    expect(total.indicators.inclusiveKindergartenShare).toBe(0.8);
    expect(total.indicators.classSizeCompliance).toBe(0.8);
    // 生师比: children ÷ active full-time teachers (post 02) of the demo staff: 3 in 鲤城 01, 1 in 思明 01
    const teachers = await sql(`SELECT COUNT(*) AS n FROM staff_members WHERE post = '02' AND county_code LIKE '35%' AND (employment_status IS NULL OR employment_status = 'active')`);
    expect(total.figures.fullTimeTeachers).toBe(Number(teachers.n));
    expect(total.figures.fullTimeTeachers).toBe(4);
    expect(total.indicators.childrenPerTeacher).toBe(2);
  });

  test.each([
    ['demo-prefecture', 'prefecture', 5, 14, 0.3571],
    ['demo-county', 'county', 3, 4, 0.75],
    ['demo-county-2', 'county', 3, 6, 0.5],
  ])('%s: 毛入园率 = children ÷ population of its reach', async (username, groupBy, children, population, rate) => {
    const { total } = (await (await as(username)).get(`/api/statistics?groupBy=${groupBy}`).expect(200)).body;
    expect(total.figures.children).toBe(children);
    expect(total.figures.population).toBe(population);
    expect(total.indicators.grossEnrollmentRate).toBe(rate);
  });

  test('生师比 per kindergarten: 3 children and 3 full-time teachers in 鲤城 01', async () => {
    const result = (await (await as('demo-county')).post('/api/statistics/query', { indicator: 'childrenPerTeacher', dimension: 'kindergarten' }).expect(200)).body;
    expect(result.rows.find((r) => r.key === '3135050201')).toMatchObject({ value: 1, numerator: 3, denominator: 3 });
  });

  test('a year before any population figure has no 毛入园率', async () => {
    const { total } = (await (await as('demo-province')).get('/api/statistics?groupBy=province&year=2001').expect(200)).body;
    expect(total.figures.population).toBe(0);
    expect(total.indicators.grossEnrollmentRate).toBeNull();
  });
});

describe('the statistics query: whitelisted names, every level inside its reach', () => {
  const query = async (username: string, body: object, status = 200) => (await (await as(username)).post('/api/statistics/query', body).expect(status)).body;

  test('children by ownership, sex and grade equal hand-written SQL', async () => {
    const byOwnership = await query('demo-province', { indicator: 'children', dimension: 'ownership' });
    expect(byOwnership.rows.map((r) => [r.key, r.label, r.value])).toEqual([['private', '民办', 2], ['public', '公办', 6]]);
    expect(byOwnership.total.value).toBe(8);
    const boys = await sql(`SELECT COUNT(*) AS n FROM children WHERE sex = 'male'`);
    const bySex = await query('demo-province', { indicator: 'children', dimension: 'sex' });
    expect(bySex.rows.find((r) => r.key === 'male')?.value ?? 0).toBe(Number(boys.n));
    const byGrade = await query('demo-province', { indicator: 'children', dimension: 'grade' });
    expect(byGrade.rows.map((r) => [r.label, r.value])).toEqual([['大班', 2], ['小班', 6]]);
    const rate = await query('demo-province', { indicator: 'classSizeCompliance', dimension: 'grade' });
    expect(rate.rows.find((r) => r.key === 'large')).toMatchObject({ value: 0.5, numerator: 1, denominator: 2 });
  });

  test('filters narrow the figures; a region filter outside the reach answers nothing', async () => {
    const privateOnly = await query('demo-province', { indicator: 'children', dimension: 'county', filters: { ownership: 'private' } });
    expect(privateOnly.rows.map((r) => [r.key, r.value])).toEqual([['350503', 2]]);
    const outside = await query('demo-prefecture', { indicator: 'children', dimension: 'county', filters: { region: '3502' } });
    expect(outside.rows).toEqual([]);
    const narrower = await query('demo-prefecture', { indicator: 'children', dimension: 'kindergarten', filters: { region: '350502' } });
    expect(narrower.rows.map((r) => r.key)).toEqual(['3135050201', '3135050202', '3135050203']);
  });

  test('names that are not in config/indicators.json are refused with the field and the reason', async () => {
    const injected = await query('demo-province', { indicator: "children'; DROP TABLE children; --", dimension: 'county' }, 400);
    expect(injected.error.details.errors[0].path).toEqual(['indicator']);
    expect((await query('demo-province', { indicator: 'children', dimension: 'k.code' }, 400)).error.details.errors[0].path).toEqual(['dimension']);
    expect((await query('demo-province', { indicator: 'kindergartens', dimension: 'sex' }, 400)).error.details.errors[0].path).toEqual(['dimension']);
    expect((await query('demo-province', { indicator: 'kindergartens', dimension: 'county', filters: { sex: 'male' } }, 400)).error.details.errors[0].path).toEqual(['filters', 'sex']);
    expect((await query('demo-province', { indicator: 'children', dimension: 'county', filters: { ownership: 'x' } }, 400)).error.details.errors[0].path).toEqual(['filters', 'ownership']);
    expect((await query('demo-province', { indicator: 'children', dimension: 'county', filters: { nope: '1' } }, 400)).error.details.errors[0].path).toEqual(['filters', 'nope']);
    expect(Number((await sql('SELECT COUNT(*) AS n FROM children')).n)).toBe(8);
  });

  test.each([
    ['demo-ministry', ['350000']],
    ['demo-province', ['350200', '350500']],
    ['demo-prefecture', ['350502', '350503', '350581']],
    ['demo-county', ['350502']],
    ['demo-county-2', ['350203']],
  ])('%s sees the regions of its reach only', async (username, codes) => {
    const dimension = { 'demo-ministry': 'province', 'demo-province': 'prefecture' }[username] ?? 'county';
    const result = await query(username, { indicator: 'kindergartens', dimension });
    expect(result.rows.map((r) => r.key)).toEqual(codes);
  });

  test('a kindergarten sees its own figures only; no trend (snapshots have no kindergarten rows)', async () => {
    const result = await query('demo-kindergarten', { indicator: 'children', dimension: 'kindergarten' });
    expect(result.rows.map((r) => [r.key, r.value])).toEqual([['3135050201', 3]]);
    const trend = await (await as('demo-kindergarten')).get('/api/statistics/trend?indicator=children&from=2026-01&to=2026-02').expect(200);
    expect(trend.body.rows).toEqual([]);
  });
});

describe('trends from the monthly snapshots', () => {
  test.each([
    ['demo-ministry', [6, 8]],
    ['demo-province', [6, 8]],
    ['demo-prefecture', [3, 5]],
    ['demo-county', [3, 3]],
    ['demo-county-2', [3, 3]],
  ])('%s: children month by month in its reach', async (username, values) => {
    const trend = await (await as(username)).get('/api/statistics/trend?indicator=children&from=2026-01&to=2026-02').expect(200);
    expect(trend.body.rows.map((r) => [r.key, r.value])).toEqual([['2026-01', values[0]], ['2026-02', values[1]]]);
  });

  test('a ratio is recomputed from the saved figures; bad periods are refused', async () => {
    const trend = await (await as('demo-province')).get('/api/statistics/trend?indicator=publicShare&from=2026-01&to=2026-02').expect(200);
    expect(trend.body.rows.map((r) => r.value)).toEqual([1, 0.75]);
    const bad = await (await as('demo-province')).get('/api/statistics/trend?indicator=children&from=2026-13').expect(400);
    expect(bad.body.error.details.errors[0].path).toEqual(['filters', 'from']);
  });
});

describe('one set of numbers: dashboard, query, export and snapshot against hand-written SQL', () => {
  test('the province', async () => {
    const kindergartens = await sql(`SELECT COUNT(*) AS n, SUM(CASE WHEN ownership = 'public' THEN 1 ELSE 0 END) AS p FROM kindergartens WHERE county_code LIKE '35%' AND status <> 'closed'`);
    const children = await sql(`SELECT COUNT(*) AS n, SUM(CASE WHEN k.ownership = 'public' THEN 1 ELSE 0 END) AS p FROM children c JOIN kindergartens k ON k.code = c.institution_code WHERE c.county_code LIKE '35%'`);
    const population = await sql(`SELECT SUM(population) AS n FROM populations WHERE county_code LIKE '35%' AND year = ?`, [YEAR]);
    const expected = { kindergartens: Number(kindergartens.n), publicKindergartens: Number(kindergartens.p), children: Number(children.n), childrenInPublic: Number(children.p), population: Number(population.n) };
    const rate = Math.round((expected.children / expected.population) * 10000) / 10000;

    const province = await as('demo-province');
    const dashboard = (await province.get('/api/dashboard').expect(200)).body;
    expect(dashboard.statistics.total.figures).toMatchObject(expected);
    expect(dashboard.indicators.find((i) => i.key === 'grossEnrollmentRate')).toMatchObject({ value: rate, target: { op: '>=', value: 0.9 }, meets: false });
    expect(dashboard.statistics.rows.map((r) => r.code)).toEqual(['350200', '350500']);

    const queried = (await province.post('/api/statistics/query', { indicator: 'grossEnrollmentRate', dimension: 'province' }).expect(200)).body;
    expect(queried.rows[0]).toMatchObject({ key: '350000', value: rate, numerator: expected.children, denominator: expected.population });

    await app.strapi.plugin('archive-snapshot').service('snapshots').run('2026-03', 'test');
    const snapshot = (await province.get('/api/archive-snapshot/snapshots/2026-03').expect(200)).body.data;
    expect(snapshot.provinces[0].figures).toMatchObject(expected);
    expect(snapshot.provinces[0].indicators.grossEnrollmentRate).toBe(rate);

    const file = await province.get('/api/statistics/export').buffer(true).parse(binary).expect(200);
    expect(file.headers['content-type']).toContain('spreadsheetml');
    const book = await workbook(file.body);
    expect(book.worksheets.map((s) => s.name)).toEqual(['本级汇总', '地市级', '区县级', '幼儿园']);
    const own = book.getWorksheet('本级汇总')!;
    const headings = (own.getRow(1).values as any[]).slice(1);
    const cell = (label: string) => own.getRow(2).getCell(headings.indexOf(label) + 1).value;
    expect(own.getRow(2).getCell(1).value).toBe('350000');
    expect(cell('在园幼儿数（人）')).toBe(expected.children);
    expect(cell('3–5 岁人口数（人）')).toBe(expected.population);
    expect(cell('学前三年毛入园率')).toBe(rate);
    expect(book.getWorksheet('幼儿园')!.rowCount).toBe(1 + expected.kindergartens);
  });

  test('the dashboard follows a write at once (its cached figures are dropped)', async () => {
    const county = await as('demo-county');
    const before = (await county.get('/api/dashboard').expect(200)).body.statistics.total.figures.population;
    const id = (await county.get('/api/populations').expect(200)).body.data[0].documentId;
    await county.put(`/api/populations/${id}`, { data: { population: 6 } }).expect(200);
    const after = (await county.get('/api/dashboard').expect(200)).body;
    expect(after.statistics.total.figures.population).toBe(before + 2);
    expect(after.indicators.find((i) => i.key === 'grossEnrollmentRate').value).toBe(0.5);
  });

  test('each level exports its level and below, and every export is recorded', async () => {
    const before = Number((await sql(`SELECT COUNT(*) AS n FROM export_records WHERE kind = 'statistics-summary'`)).n);
    const sheets = async (username: string) => (await workbook((await (await as(username)).get('/api/statistics/export').buffer(true).parse(binary).expect(200)).body)).worksheets.map((s) => s.name);
    expect(await sheets('demo-ministry')).toEqual(['本级汇总', '省级', '地市级', '区县级', '幼儿园']);
    expect(await sheets('demo-prefecture')).toEqual(['本级汇总', '区县级', '幼儿园']);
    expect(await sheets('demo-county')).toEqual(['本级汇总', '幼儿园']);
    expect(await sheets('demo-kindergarten')).toEqual(['幼儿园']);
    const county = await workbook((await (await as('demo-county')).get('/api/statistics/export').buffer(true).parse(binary).expect(200)).body);
    const codes = county.getWorksheet('幼儿园')!.getColumn(1).values.slice(2);
    expect(codes).toEqual(['3135050201', '3135050202', '3135050203']);
    const records = await sql(`SELECT COUNT(*) AS n FROM export_records WHERE kind = 'statistics-summary'`);
    expect(Number(records.n)).toBe(before + 5);
    const last = await app.strapi.db.query('api::export-record.export-record').findMany({ where: { kind: 'statistics-summary' }, orderBy: { id: 'desc' }, limit: 1 });
    expect(last[0]).toMatchObject({ username: 'demo-county', format: 'xlsx', level: 'county', rowCount: 4 });
  });
});

describe("analysts' chart pages", () => {
  const page = {
    title: '全省普惠发展',
    charts: [
      { title: '各地市在园幼儿', indicator: 'children', dimension: 'prefecture', filters: {}, type: 'bar' },
      { title: '普惠覆盖率走势', indicator: 'inclusiveCoverage', dimension: 'month', filters: { from: '2026-01', to: '2026-02' }, type: 'line' },
    ],
  };
  let provincePage: string;
  let prefecturePage: string;

  test('a province analyst saves a page with two charts and reopens it', async () => {
    const province = await as('demo-province');
    const created = await province.post('/api/chart-pages', { data: page }).expect(201);
    provincePage = created.body.data.documentId;
    const reopened = await province.get(`/api/chart-pages/${provincePage}`).expect(200);
    expect(reopened.body.data).toMatchObject({ title: page.title, mine: true, ownerPrefix: '35' });
    expect(reopened.body.data.charts).toEqual(page.charts);
    const data = await province.get(`/api/chart-pages/${provincePage}/data`).expect(200);
    expect(data.body.data.map((c) => c.result.rows.map((r) => r.value))).toEqual([[3, 5], [1, 0.75]]);
    await province.put(`/api/chart-pages/${provincePage}`, { data: { title: '全省普惠发展（修订）' } }).expect(200);
  });

  test('a bad chart is refused naming the chart and the field; nothing is saved', async () => {
    const province = await as('demo-province');
    const count = Number((await sql('SELECT COUNT(*) AS n FROM chart_pages')).n);
    const bad = await province.post('/api/chart-pages', { data: { title: '坏', charts: [page.charts[0], { ...page.charts[0], indicator: 'password', type: 'radar' }] } }).expect(400);
    expect(bad.body.error.details.errors.map((e) => e.path.join('.')).sort()).toEqual(['charts.1.indicator', 'charts.1.type']);
    await province.post('/api/chart-pages', { data: { title: '', charts: [] } }).expect(400);
    expect(Number((await sql('SELECT COUNT(*) AS n FROM chart_pages')).n)).toBe(count);
  });

  test('shared inside the owner\'s reach: the levels inside open it with their own figures, only the owner changes it', async () => {
    const prefecture = await as('demo-prefecture');
    const opened = await prefecture.get(`/api/chart-pages/${provincePage}`).expect(200);
    expect(opened.body.data.mine).toBe(false);
    const numbers = await prefecture.get(`/api/chart-pages/${provincePage}/charts/0/data`).expect(200);
    expect(numbers.body.data.result.rows.map((r) => [r.key, r.value])).toEqual([['350500', 5]]);
    await prefecture.put(`/api/chart-pages/${provincePage}`, { data: { title: '改' } }).expect(403);
    await prefecture.del(`/api/chart-pages/${provincePage}`).expect(403);
    expect((await prefecture.get('/api/chart-pages').expect(200)).body.data.map((p) => p.documentId)).toContain(provincePage);

    prefecturePage = (await prefecture.post('/api/chart-pages', { data: { title: '泉州各县', charts: [{ title: '', indicator: 'kindergartens', dimension: 'county', filters: {}, type: 'pie' }] } }).expect(201)).body.data.documentId;
    await (await as('demo-county')).get(`/api/chart-pages/${prefecturePage}`).expect(200);
    for (const outsider of ['demo-county-2', 'demo-province', 'demo-ministry']) {
      const session = await as(outsider);
      await session.get(`/api/chart-pages/${prefecturePage}`).expect(404);
      await session.get(`/api/chart-pages/${prefecturePage}/charts/0/data`).expect(404);
      await session.put(`/api/chart-pages/${prefecturePage}`, { data: { title: '改' } }).expect(404);
      expect((await session.get('/api/chart-pages').expect(200)).body.data.map((p) => p.documentId)).not.toContain(prefecturePage);
    }
    await (await as('demo-kindergarten')).get('/api/chart-pages').expect(403);
    await (await as('demo-kindergarten')).post('/api/chart-pages', { data: page }).expect(403);
  });

  test('every number behind a chart downloads as xlsx, recorded', async () => {
    const county = await as('demo-county');
    const before = Number((await sql(`SELECT COUNT(*) AS n FROM export_records WHERE kind = 'chart-data'`)).n);
    const file = await county.get(`/api/chart-pages/${prefecturePage}/charts/0/data?format=xlsx`).buffer(true).parse(binary).expect(200);
    const sheet = (await workbook(file.body)).worksheets[0];
    const json = (await county.get(`/api/chart-pages/${prefecturePage}/charts/0/data`).expect(200)).body.data.result;
    const lines = [];
    for (let r = 4; r <= sheet.rowCount; r += 1) lines.push([sheet.getRow(r).getCell(2).value, sheet.getRow(r).getCell(3).value]);
    expect(lines).toEqual([...json.rows.map((row) => [row.key, row.value]), ['', json.total.value]]);
    expect(lines[0]).toEqual(['350502', 3]);
    await county.get(`/api/chart-pages/${prefecturePage}/charts/5/data`).expect(400);
    const records = await app.strapi.db.query('api::export-record.export-record').findMany({ where: { kind: 'chart-data' } });
    expect(records).toHaveLength(before + 1);
    expect(records.at(-1)).toMatchObject({ username: 'demo-county', rowCount: 1 });
    const viaQuery = await county.post('/api/statistics/query?format=xlsx', { indicator: 'children', dimension: 'kindergarten', title: '本县各园' }).buffer(true).parse(binary).expect(200);
    expect((await workbook(viaQuery.body)).worksheets[0].getRow(1).getCell(1).value).toBe('本县各园');
  });

  test('the owner deletes the page', async () => {
    await (await as('demo-prefecture')).del(`/api/chart-pages/${prefecturePage}`).expect(200);
    await (await as('demo-county')).get(`/api/chart-pages/${prefecturePage}`).expect(404);
  });
});

test('every statistic is named in both languages: the catalog, a query, the dashboard indicators and cards carry label and labelEn', async () => {
  const session = await as('demo-county');
  const catalog = (await session.get('/api/statistics/catalog').expect(200)).body;
  for (const group of ['indicators', 'figures', 'dimensions', 'filters']) {
    for (const entry of catalog[group]) {
      expect(entry.labelEn).toEqual(expect.any(String));
      expect(entry.labelEn).not.toMatch(/[\u4e00-\u9fff]{3,}/); // English, not the Chinese label again
    }
  }
  const result = (await session.post('/api/statistics/query', { indicator: 'healthCheckRate', dimension: 'county' }).expect(200)).body;
  expect([result.indicator.label, result.indicator.labelEn, result.dimension.label, result.dimension.labelEn]).toEqual(['体检率', 'Health check rate', '区县', 'County']);
  const dashboard = (await session.get('/api/dashboard').expect(200)).body;
  expect(dashboard.indicators.find((i: any) => i.key === 'grossEnrollmentRate')).toMatchObject({ label: '学前三年毛入园率', labelEn: 'Gross enrolment rate (3 years)' });
  expect(dashboard.cards.find((c: any) => c.key === 'overdueFindings')).toMatchObject({ label: '逾期未整改安全隐患数', labelEn: 'Hazards overdue for rectification' });
});

/** Runs `check` with the statistics service's county figures replaced by a computation of `delayMs` that counts itself. */
async function withCountedComputation(delayMs: number, check: (statistics: any, computations: () => number) => Promise<void>) {
  const statistics: any = app.strapi.service('api::statistics.statistics');
  const original = statistics.byCounty;
  let computations = 0;
  statistics.byCounty = async () => {
    computations += 1;
    if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
    return new Map([['350502', { marker: computations }]]);
  };
  try {
    statistics.dropCache();
    await check(statistics, () => computations);
  } finally {
    statistics.byCounty = original;
    statistics.dropCache();
  }
}

test('a province whose figures take long to compute: neither a write nor the time-to-live starts another computation before its duration ÷ dashboardComputeShare; readers get the kept figures at once', async () => {
  // slower than config/indicators.json dashboardSyncRefreshMs (500 ms): the big province's case
  await withCountedComputation(700, async (statistics, computations) => {
    const first = await statistics.cachedCounties();
    expect(first.get('350502')).toEqual({ marker: 1 });
    statistics.invalidate(); // what a write to a child, a kindergarten… does
    const afterWrite = await statistics.cachedCounties();
    expect(afterWrite).toBe(first);
    expect(computations()).toBe(1);
    // forgotten altogether (no figures kept): computed again, and the reader waits for it
    statistics.dropCache();
    expect((await statistics.cachedCounties()).get('350502')).toEqual({ marker: 2 });
  });
});

test('small figures (computed within dashboardSyncRefreshMs) are recomputed after a write: the next reader waits for them', async () => {
  await withCountedComputation(0, async (statistics) => {
    expect((await statistics.cachedCounties()).get('350502')).toEqual({ marker: 1 });
    statistics.invalidate();
    expect((await statistics.cachedCounties()).get('350502')).toEqual({ marker: 2 });
  });
});
