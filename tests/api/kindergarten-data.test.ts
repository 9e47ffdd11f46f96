/** Kindergarten data rules: licence dates, code tables, classes and their size limits, the unlicensed register, monthly compliance. */
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { kindergartenId, login, type Session } from '../helpers/api';

let app: BootedApp;
let kindergarten: Session;
let county: Session;
let licheng201: string;
beforeAll(async () => {
  app = await bootStrapi();
  kindergarten = await login(app, 'demo-kindergarten');
  county = await login(app, 'demo-county');
  licheng201 = await kindergartenId(app, '3135050201');
});
afterAll(async () => { await app?.stop(); });

const stored = () => app.strapi.db.query('api::kindergarten.kindergarten').findOne({ where: { code: '3135050201' } });

test('a licence ending before it starts is refused on licenseEnd, and nothing changes', async () => {
  const before = await stored();
  const response = await kindergarten.put(`/api/kindergartens/${licheng201}`, { data: { licenseEnd: '2019-01-01', phone: '0595-1' } }).expect(400);
  expect(response.body.error.details.errors[0]).toMatchObject({ path: ['licenseEnd'], message: '许可证截止日期不能早于起始日期' });
  expect(await stored()).toEqual(before);
  const panel = await kindergarten.put(`/ra/kindergartens/${licheng201}`, { licenseStart: '2031-01-01' }).expect(400);
  expect(panel.body.errors.licenseEnd).toBe('许可证截止日期不能早于起始日期');
});

test('code-table fields take codes of config/dictionaries.json', async () => {
  const response = await kindergarten.put(`/api/kindergartens/${licheng201}`, { data: { urbanRural: '999', sponsorType: 'edu' } }).expect(400);
  expect(response.body.error.details.errors.map((e) => e.path[0])).toEqual(['urbanRural']);
  const dictionaries = await kindergarten.get('/api/dictionaries').expect(200);
  expect(dictionaries.body.urbanRural.map((e) => e.name)).toContain('村庄');
  expect(dictionaries.body.classGrade.map((e) => e.name)).toEqual(['托班', '小班', '中班', '大班', '混龄班']);
});

test('buildings and conditions (办园条件) are numbers not below zero', async () => {
  const response = await kindergarten.put(`/api/kindergartens/${licheng201}`, { data: { buildingArea: -5, books: 8000 } }).expect(400);
  expect(response.body.error.details.errors[0].path).toEqual(['buildingArea']);
  const ok = await kindergarten.put(`/api/kindergartens/${licheng201}`, { data: { buildingArea: 3150.5, books: 8000 } }).expect(200);
  expect(ok.body.data).toMatchObject({ buildingArea: 3150.5, books: 8000 });
});

test('the registration state is not a user’s to set', async () => {
  await county.put(`/api/kindergartens/${licheng201}`, { data: { registrationState: 'draft', phone: '0595-22000001' } }).expect(200);
  expect((await stored()).registrationState).toBe('approved');
});

describe('classes (班级)', () => {
  test('a kindergarten sees and manages its own classes only', async () => {
    const own = await kindergarten.get('/api/school-classes?sort=name:asc').expect(200);
    expect(own.body.data.map((c) => c.name)).toEqual(['中一班', '大一班', '小一班']);
    const other = await login(app, 'demo-kindergarten-2');
    expect((await other.get('/api/school-classes').expect(200)).body.data.map((c) => c.name)).toEqual(['小一班']);
    const created = await kindergarten.post('/api/school-classes', { data: { name: '托一班', grade: 'nursery', schoolYear: '2026-2027', capacity: 18, kindergarten: licheng201 } }).expect(201);
    expect(created.body.data.countyCode).toBe('350502');
    const foreign = await kindergarten.post('/api/school-classes', { data: { name: '越权班', grade: 'small', schoolYear: '2026-2027', capacity: 20, kindergarten: await kindergartenId(app, '3135020301') } });
    expect([400, 403]).toContain(foreign.status);
    expect(await app.strapi.db.query('api::school-class.school-class').count({ where: { name: '越权班' } })).toBe(0);
  });

  test('a class over its size limit needs a reason', async () => {
    const over = await kindergarten.post('/api/school-classes', { data: { name: '大二班', grade: 'large', schoolYear: '2026-2027', capacity: 40, kindergarten: licheng201 } }).expect(400);
    expect(over.body.error.details.errors[0].path).toEqual(['oversizeReason']);
    await kindergarten.post('/api/school-classes', { data: { name: '大二班', grade: 'large', schoolYear: '2026-2027', capacity: 40, oversizeReason: '学位紧张，经县局同意临时扩班', kindergarten: licheng201 } }).expect(201);
    const badYear = await kindergarten.post('/api/school-classes', { data: { name: '中二班', grade: 'middle', schoolYear: '26-27', capacity: 28, kindergarten: licheng201 } }).expect(400);
    expect(badYear.body.error.details.errors[0].path).toEqual(['schoolYear']);
  });
});

test('the unlicensed register (无证机构) belongs to the county', async () => {
  const created = await county.post('/api/unlicensed-institutions', { data: { name: '某无证看护点', address: '鲤城区某巷 3 号', discoveredOn: '2026-10-12' } }).expect(201);
  expect(created.body.data.countyCode).toBe('350502');
  expect((await (await login(app, 'demo-county-2')).get('/api/unlicensed-institutions').expect(200)).body.data).toEqual([]);
  expect((await (await login(app, 'demo-prefecture')).get('/api/unlicensed-institutions').expect(200)).body.data).toHaveLength(1);
  await kindergarten.get('/api/unlicensed-institutions').expect(403);
});

test('monthly compliance: who has not updated by the 25th, per county, in each level’s reach', async () => {
  const lastMonth = new Date(Date.now() - 40 * 24 * 3600 * 1000);
  await app.strapi.db.query('api::kindergarten.kindergarten').update({ where: { code: '3135050203' }, data: { lastUpdatedAt: lastMonth } });
  const month = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(new Date());
  const countyReport = await county.get(`/api/compliance?month=${month}`).expect(200);
  expect(countyReport.body.deadline).toBe(`${month}-25`);
  expect(countyReport.body.byCounty).toHaveLength(1);
  expect(countyReport.body.byCounty[0]).toMatchObject({ countyCode: '350502', countyName: '鲤城区', kindergartens: 3 });
  const lagging = countyReport.body.byCounty[0].notUpdated.map((k) => k.code);
  expect(lagging).toContain('3135050203');
  expect(countyReport.body.byCounty[0].updated).toBe(3 - lagging.length);
  const prefecture = await (await login(app, 'demo-prefecture')).get(`/api/compliance?month=${month}`).expect(200);
  expect(prefecture.body.byCounty.map((c) => c.countyCode)).toEqual(['350502', '350503', '350581']);
  await county.get('/api/compliance?month=2026-13').expect(400);
  await kindergarten.get('/api/compliance').expect(403);
});
