/**
 * Each level creates, disables and resets the passwords of accounts one level below it, inside its
 * own reach, and nowhere else.
 */
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { anonymous, login, type Session } from '../helpers/api';

let app: BootedApp;
beforeAll(async () => { app = await bootStrapi(); });
afterAll(async () => { await app?.stop(); });

const accountId = async (username: string) =>
  (await app.strapi.db.query('plugin::users-permissions.user').findOne({ where: { username } })).documentId;

describe('who lists whom', () => {
  const visible: [string, string[]][] = [
    ['demo-ministry', ['demo-province']],
    ['demo-province', ['demo-prefecture']],
    ['demo-prefecture', ['demo-county']],
    ['demo-county', ['demo-kindergarten']],
    ['demo-county-2', ['demo-kindergarten-2']],
  ];
  test.each(visible)('%s lists only the accounts one level below, in its reach', async (username, expected) => {
    const session = await login(app, username);
    const response = await session.get('/api/accounts?pagination[limit]=100').expect(200);
    expect(response.body.data.map((a) => a.username).sort()).toEqual(expected);
    expect(response.body.meta.pagination.total).toBe(expected.length);
    expect(JSON.stringify(response.body)).not.toMatch(/password/i);
    const ra = await session.get('/ra/accounts?range=[0,9]&sort=["username","ASC"]&filter={}').expect(200);
    expect(ra.headers['content-range']).toBe(`accounts 0-${expected.length - 1}/${expected.length}`);
  });

  test('a kindergarten manages no accounts (403 by the role matrix)', async () => {
    const session = await login(app, 'demo-kindergarten');
    await session.get('/api/accounts').expect(403);
    await session.post('/api/accounts', { data: { username: 'x-teacher', fullName: '某' } }).expect(403);
  });

  test('an account two levels below, or in another place, answers 404', async () => {
    const prefecture = await login(app, 'demo-prefecture');
    await prefecture.get(`/api/accounts/${await accountId('demo-kindergarten')}`).expect(404);
    await prefecture.post(`/api/accounts/${await accountId('demo-kindergarten')}/reset-password`).expect(404);
    const county = await login(app, 'demo-county');
    await county.get(`/api/accounts/${await accountId('demo-kindergarten-2')}`).expect(404);
    await county.put(`/api/accounts/${await accountId('demo-kindergarten-2')}`, { data: { blocked: true } }).expect(404);
    await county.get(`/api/accounts/${await accountId('demo-county')}`).expect(404);
  });

  test('the panel identity says who the user is and whom they manage', async () => {
    const county = await login(app, 'demo-county');
    const me = await county.get('/api/me').expect(200);
    expect(me.body).toMatchObject({ username: 'demo-county', level: 'county', levelName: '县级', regionCode: '350502', regionName: '鲤城区', manages: { key: 'institution' } });
    const kindergarten = await login(app, 'demo-kindergarten');
    const mine = await kindergarten.get('/api/me').expect(200);
    expect(mine.body).toMatchObject({ level: 'institution', institutionCode: '3135050201', institutionName: '泉州市鲤城区实验幼儿园', manages: null });
  });
});

describe('a county manages its kindergartens’ accounts', () => {
  let county: Session;
  beforeAll(async () => { county = await login(app, 'demo-county'); });

  test('creates an account for a kindergarten in its county; the new user logs in with the temporary password', async () => {
    const created = await county.post('/api/accounts', { data: { username: 'licheng-haibin', fullName: '海滨园长', institutionCode: '3135050202' } }).expect(201);
    expect(created.body.data).toMatchObject({ username: 'licheng-haibin', level: 'institution', regionCode: '350502', institutionCode: '3135050202', blocked: false });
    const password = created.body.data.temporaryPassword;
    expect(password).toMatch(/^(?=.*[A-Z])(?=.*[a-z])(?=.*\d).{12,}$/);
    const session = await login(app, 'licheng-haibin', password);
    const list = await session.get('/api/kindergartens').expect(200);
    expect(list.body.data.map((k) => k.code)).toEqual(['3135050202']);
  });

  test('refuses a kindergarten outside its county, naming the field, and stores nothing', async () => {
    const response = await county.post('/api/accounts', { data: { username: 'siming-intruder', fullName: '越权', institutionCode: '3135020301' } }).expect(400);
    expect(response.body.error.details.errors[0].path).toEqual(['institutionCode']);
    expect(await app.strapi.db.query('plugin::users-permissions.user').findOne({ where: { username: 'siming-intruder' } })).toBeNull();
  });

  test('refuses bad input with the field and a Chinese reason', async () => {
    const taken = await county.post('/api/accounts', { data: { username: 'demo-kindergarten-2', fullName: '重名', institutionCode: '3135050203' } }).expect(400);
    expect(taken.body.error.details.errors[0]).toMatchObject({ path: ['username'], message: '用户名已存在' });
    const shape = await county.post('/ra/accounts', { username: 'a b', fullName: '' }).expect(400);
    expect(shape.body.errors.username).toMatch(/用户名/);
    expect(shape.body.errors.fullName).toMatch(/姓名/);
  });

  test('resets a password: the old one stops working, the new one works', async () => {
    const id = await accountId('demo-kindergarten');
    const reset = await county.post(`/ra/accounts/${id}/reset-password`).expect(200);
    const password = reset.body.password;
    await anonymous(app).post('/api/auth/local').send({ identifier: 'demo-kindergarten', password: process.env.DEMO_PASSWORD }).expect(400);
    await login(app, 'demo-kindergarten', password);
    // restore the demo password for the other tests
    await app.strapi.plugin('users-permissions').service('user').edit((await app.strapi.db.query('plugin::users-permissions.user').findOne({ where: { username: 'demo-kindergarten' } })).id, { password: process.env.DEMO_PASSWORD });
  });

  test('disables and re-enables an account; a disabled account cannot log in or use an old token', async () => {
    const id = await accountId('demo-kindergarten');
    const session = await login(app, 'demo-kindergarten');
    await county.put(`/ra/accounts/${id}`, { blocked: true, level: 'ministry', regionCode: '110000' }).expect(200);
    const stored = await app.strapi.db.query('plugin::users-permissions.user').findOne({ where: { documentId: id } });
    expect(stored).toMatchObject({ blocked: true, level: 'institution', institutionCode: '3135050201' });
    await anonymous(app).post('/api/auth/local').send({ identifier: 'demo-kindergarten', password: process.env.DEMO_PASSWORD }).expect(400);
    const old = await session.get('/api/kindergartens');
    expect([401, 403]).toContain(old.status);
    await county.put(`/api/accounts/${id}`, { data: { blocked: false } }).expect(200);
    await login(app, 'demo-kindergarten');
  });
});

describe('higher levels', () => {
  test('the province creates a prefecture account only for a prefecture of its province', async () => {
    const province = await login(app, 'demo-province');
    await province.post('/api/accounts', { data: { username: 'xiamen-city', fullName: '厦门市教育局', regionCode: '350200' } }).expect(201);
    const foreign = await province.post('/api/accounts', { data: { username: 'hangzhou-city', fullName: '杭州', regionCode: '330100' } }).expect(400);
    expect(foreign.body.error.details.errors[0].path).toEqual(['regionCode']);
    const wrongLevel = await province.post('/api/accounts', { data: { username: 'licheng-2', fullName: '鲤城', regionCode: '350502' } }).expect(400);
    expect(wrongLevel.body.error.details.errors[0].path).toEqual(['regionCode']);
  });

  test('the ministry creates province accounts anywhere, and nothing else', async () => {
    const ministry = await login(app, 'demo-ministry');
    const created = await ministry.post('/api/accounts', { data: { username: 'zhejiang', fullName: '浙江省教育厅', regionCode: '330000' } }).expect(201);
    expect(created.body.data.level).toBe('province');
    await ministry.post('/api/accounts', { data: { username: 'hz', fullName: '杭州', regionCode: '330100' } }).expect(400);
  });

  test('anonymous self-registration is closed', async () => {
    const response = await anonymous(app).post('/api/auth/local/register').send({ username: 'walk-in', email: 'walk@in.invalid', password: 'Passw0rd!23' });
    expect([400, 403, 404]).toContain(response.status);
    expect(await app.strapi.db.query('plugin::users-permissions.user').findOne({ where: { username: 'walk-in' } })).toBeNull();
  });
});

describe('demo passwords at start', () => {
  test('a start gives a demo account whose password was changed the demo password again, and compares no unchanged account', async () => {
    const { seedDemo } = require('../../cms/dist/src/bootstrap/demo');
    const users = app.strapi.plugin('users-permissions').service('user');
    await seedDemo(app.strapi); // what the tests above changed (reset passwords) is put back
    const user = await app.strapi.db.query('plugin::users-permissions.user').findOne({ where: { username: 'demo-county-2' } });
    await users.edit(user.id, { password: 'Changed#Passw0rd-2026' });
    await login(app, 'demo-county-2', 'Changed#Passw0rd-2026');

    const validatePassword = users.validatePassword;
    const compared: string[] = [];
    users.validatePassword = (password: string, hash: string) => { compared.push(hash); return validatePassword.call(users, password, hash); };
    try {
      await seedDemo(app.strapi);
      expect(compared).toHaveLength(1); // only the changed account
      await login(app, 'demo-county-2');
      compared.length = 0;
      await seedDemo(app.strapi);
      expect(compared).toEqual([]);
    } finally {
      users.validatePassword = validatePassword;
    }
  });
});
