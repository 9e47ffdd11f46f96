/** Bad input answers 400 naming the field, stores nothing; unknown things answer 404; no stack traces. */
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { anonymous, login, type Session } from '../helpers/api';

let app: BootedApp;
let county: Session;
beforeAll(async () => {
  app = await bootStrapi();
  county = await login(app, 'demo-county');
});
afterAll(async () => { await app?.stop(); });

const countKindergartens = () => app.strapi.db.query('api::kindergarten.kindergarten').count();
const valid = { code: '3135050299', name: '鲤城区新开幼儿园', countyCode: '350502', ownership: 'public' };

test('health answers ok with the database', async () => {
  const response = await anonymous(app).get('/api/health').expect(200);
  expect(response.body).toEqual({ status: 'ok', database: 'ok' });
});

test.each([
  ['code', { code: '12345' }],
  ['code', { code: '31350502AB' }],
  ['name', { name: '' }],
  ['ownership', { ownership: 'semi-public' }],
])('a kindergarten with a bad %s answers 400 naming it, and nothing is stored', async (field, change) => {
  const before = await countKindergartens();
  const response = await county.post('/api/kindergartens', { data: { ...valid, ...change } }).expect(400);
  const paths = response.body.error.details.errors.map((e) => e.path.join('.'));
  expect(paths).toContain(field);
  expect(JSON.stringify(response.body)).not.toMatch(/\bat .*\.js:\d+/);
  expect(await countKindergartens()).toBe(before);
});

test.each(['999999', '350500', '35050'])('a county code that is not a GB/T 2260 county (%s) is refused naming countyCode', async (countyCode) => {
  const before = await countKindergartens();
  const attempt = app.strapi.documents('api::kindergarten.kindergarten').create({ data: { ...valid, code: '3135050290', countyCode } as any });
  await expect(attempt).rejects.toMatchObject({ name: 'ValidationError', details: { errors: [expect.objectContaining({ path: ['countyCode'] })] } });
  expect(await countKindergartens()).toBe(before);
});

test('the panel gets the same error as field messages', async () => {
  const response = await county.post('/ra/kindergartens', { ...valid, code: '12' }).expect(400);
  expect(response.body.errors.code).toBe('机构标识码格式不正确');
  expect(response.body.message).toMatch(/[\u4e00-\u9fff]/);
  const missing = await county.post('/ra/kindergartens', { code: '3135050291', countyCode: '350502', ownership: 'public' }).expect(400);
  expect(missing.body.errors.name).toBe('幼儿园名称必填');
  const duplicate = await county.post('/ra/kindergartens', { ...valid, code: '3135050201' });
  expect([400, 409]).toContain(duplicate.status);
  expect(duplicate.body.errors.code).toBe('机构标识码已存在');
});

test('a county cannot create a kindergarten in another county', async () => {
  const before = await countKindergartens();
  await county.post('/api/kindergartens', { data: { ...valid, countyCode: '350203' } }).expect(403);
  expect(await countKindergartens()).toBe(before);
});

test('a county that leaves the county empty gets its own', async () => {
  const { countyCode, ...withoutCounty } = valid;
  const response = await county.post('/api/kindergartens', { data: { ...withoutCounty, code: '3135050298' } }).expect(201);
  expect(response.body.data.countyCode).toBe(countyCode);
});

test('a duplicate 机构标识码 answers 409 naming the field; concurrent creates make exactly one record', async () => {
  const first = await county.post('/api/kindergartens', { data: { ...valid, code: '3135050297' } }).expect(201);
  expect(first.body.data.code).toBe('3135050297');
  const again = await county.post('/api/kindergartens', { data: { ...valid, code: '3135050297' } });
  expect([400, 409]).toContain(again.status);
  expect(again.body.error.details.errors[0].path).toEqual(['code']);

  const code = '3135050296';
  const responses = await Promise.all(Array.from({ length: 12 }, () => county.post('/api/kindergartens', { data: { ...valid, code } })));
  expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
  for (const response of responses.filter((r) => r.status !== 201)) {
    expect([400, 409]).toContain(response.status);
    expect(response.body.error.details.errors[0].path).toEqual(['code']);
  }
  expect(await app.strapi.db.query('api::kindergarten.kindergarten').count({ where: { code } })).toBe(1);
});

test('unknown routes and records answer 404', async () => {
  await county.get('/api/no-such-thing').expect(404);
  await county.get('/api/kindergartens/aaaaaaaaaaaaaaaaaaaaaaaa').expect(404);
  await county.put('/api/kindergartens/aaaaaaaaaaaaaaaaaaaaaaaa', { data: { name: '不存在' } }).expect(404);
  await county.get('/ra/kindergartens/aaaaaaaaaaaaaaaaaaaaaaaa').expect(404);
});

test('a wrong password and a forged token are refused', async () => {
  await anonymous(app).post('/api/auth/local').send({ identifier: 'demo-county', password: 'wrong-password' }).expect(400);
  await anonymous(app).get('/api/kindergartens').set('Authorization', 'Bearer forged.token.value').expect(401);
});
