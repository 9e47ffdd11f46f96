/**
 * Every level tries list, count, read, update and delete inside and outside its reach.
 * Reach (config/demo.json): 福建 35 ⊃ 泉州 3505 ⊃ 鲤城 350502 ⊃ 泉州市鲤城区实验幼儿园 3135050201;
 * 厦门 3502 ⊃ 思明 350203 ⊃ 厦门市思明区第一幼儿园 3135020301 is outside the Quanzhou accounts' reach.
 */
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { DEMO, kindergartenId, login, type Session } from '../helpers/api';

let app: BootedApp;
beforeAll(async () => { app = await bootStrapi(); });
afterAll(async () => { await app?.stop(); });

const ALL = Object.values(DEMO).flat();
const QUANZHOU = [...DEMO.licheng, ...DEMO.fengze, ...DEMO.shishi];

type Case = {
  username: string;
  sees: string[];
  inside: string;
  outside?: string;
  mayUpdate: boolean;
  mayDelete: boolean;
};

const cases: Case[] = [
  { username: 'demo-ministry', sees: ALL, inside: DEMO.siming[0], mayUpdate: false, mayDelete: false },
  { username: 'demo-province', sees: ALL, inside: DEMO.huli[1], mayUpdate: true, mayDelete: false },
  { username: 'demo-prefecture', sees: QUANZHOU, inside: DEMO.shishi[0], outside: DEMO.siming[0], mayUpdate: true, mayDelete: false },
  { username: 'demo-county', sees: DEMO.licheng, inside: DEMO.licheng[1], outside: DEMO.fengze[0], mayUpdate: true, mayDelete: true },
  { username: 'demo-kindergarten', sees: [DEMO.licheng[0]], inside: DEMO.licheng[0], outside: DEMO.licheng[1], mayUpdate: true, mayDelete: false },
  { username: 'demo-county-2', sees: DEMO.siming, inside: DEMO.siming[1], outside: DEMO.licheng[0], mayUpdate: true, mayDelete: true },
  { username: 'demo-kindergarten-2', sees: [DEMO.siming[0]], inside: DEMO.siming[0], outside: DEMO.huli[0], mayUpdate: true, mayDelete: false },
];

describe.each(cases)('$username', ({ username, sees, inside, outside, mayUpdate, mayDelete }) => {
  let session: Session;
  beforeAll(async () => { session = await login(app, username); });

  test('lists exactly the kindergartens in its reach, and the total agrees', async () => {
    const response = await session.get('/api/kindergartens?pagination[pageSize]=100&sort=code:asc').expect(200);
    expect(response.body.data.map((k) => k.code)).toEqual([...sees].sort());
    expect(response.body.meta.pagination.total).toBe(sees.length);
  });

  test('counts agree with the list: paginated total, panel Content-Range and dashboard', async () => {
    const page = await session.get('/api/kindergartens?pagination[pageSize]=1').expect(200);
    expect(page.body.meta.pagination.total).toBe(sees.length);
    const ra = await session.get('/ra/kindergartens?range=[0,0]&sort=["code","ASC"]&filter={}').expect(200);
    expect(ra.headers['content-range']).toBe(`kindergartens 0-0/${sees.length}`);
    const dashboard = await session.get('/api/dashboard').expect(200);
    expect(dashboard.body.kindergartens).toBe(sees.length);
    const byArea = dashboard.body.byCounty.reduce((sum, area) => sum + area.kindergartens, 0);
    expect(byArea).toBe(sees.length);
  });

  test('filters cannot widen the reach', async () => {
    const response = await session.get('/api/kindergartens?filters[$or][0][countyCode][$startsWith]=35&filters[$or][1][code][$null]=true').expect(200);
    expect(response.body.meta.pagination.total).toBe(sees.length);
  });

  test('reads a kindergarten inside its reach', async () => {
    const response = await session.get(`/api/kindergartens/${await kindergartenId(app, inside)}`).expect(200);
    expect(response.body.data.code).toBe(inside);
  });

  if (outside) {
    test('a kindergarten outside its reach answers 404 to read, update and delete alike', async () => {
      const id = await kindergartenId(app, outside);
      const before = await app.strapi.db.query('api::kindergarten.kindergarten').findOne({ where: { code: outside } });
      await session.get(`/api/kindergartens/${id}`).expect(404);
      await session.get(`/ra/kindergartens/${id}`).expect(404);
      const update = await session.put(`/api/kindergartens/${id}`, { data: { name: '被越权修改的名称' } });
      expect(update.status).toBe(mayUpdate ? 404 : 403);
      const remove = await session.del(`/api/kindergartens/${id}`);
      expect(remove.status).toBe(mayDelete ? 404 : 403);
      const after = await app.strapi.db.query('api::kindergarten.kindergarten').findOne({ where: { code: outside } });
      expect(after).toEqual(before);
    });

    test('a relation reached through populate carries nothing out of its reach', async () => {
      const outsideCounty = (await app.strapi.db.query('api::kindergarten.kindergarten').findOne({ where: { code: outside } })).countyCode;
      const response = await session.get(`/api/regions?filters[code][$eq]=${outsideCounty}&populate=kindergartens`).expect(200);
      const shown = response.body.data[0].kindergartens.map((k) => k.code);
      expect(shown.every((code) => sees.includes(code))).toBe(true);
      expect(shown).not.toContain(outside);
    });
  }

  test(mayUpdate ? 'updates a kindergarten inside its reach' : 'may not update kindergartens (403)', async () => {
    const id = await kindergartenId(app, inside);
    const response = await session.put(`/api/kindergartens/${id}`, { data: { phone: '0595-22000000' } });
    if (mayUpdate) {
      expect(response.status).toBe(200);
      expect(response.body.data.phone).toBe('0595-22000000');
    } else expect(response.status).toBe(403);
  });

  test(mayDelete ? 'deletes a kindergarten inside its reach' : 'may not delete kindergartens (403)', async () => {
    const row = await app.strapi.documents('api::kindergarten.kindergarten').create({
      data: { code: `99${String(Date.now()).slice(-8)}`, name: '待删除的测试幼儿园', countyCode: (await app.strapi.db.query('api::kindergarten.kindergarten').findOne({ where: { code: inside } })).countyCode, ownership: 'public' } as any,
    });
    const response = await session.del(`/api/kindergartens/${row.documentId}`);
    expect(response.status).toBe(mayDelete ? 204 : 403);
    const still = await app.strapi.db.query('api::kindergarten.kindergarten').findOne({ where: { documentId: row.documentId } });
    expect(Boolean(still)).toBe(!mayDelete);
    if (still) await app.strapi.db.query('api::kindergarten.kindergarten').delete({ where: { id: still.id } });
  });
});

describe('populate from a region in reach', () => {
  test('the county sees its own kindergartens under its region, and none under another', async () => {
    const county = await login(app, 'demo-county');
    const own = await county.get('/api/regions?filters[code][$eq]=350502&populate=kindergartens').expect(200);
    expect(own.body.data[0].kindergartens.map((k) => k.code).sort()).toEqual(DEMO.licheng);
    const other = await county.get('/api/regions?filters[code][$eq]=350203&populate[kindergartens][fields][0]=name').expect(200);
    expect(other.body.data[0].kindergartens).toEqual([]);
    const star = await county.get('/api/regions?filters[code][$eq]=350203&populate=*').expect(200);
    expect(star.body.data[0].kindergartens).toEqual([]);
  });
});

describe('nobody logged in', () => {
  test('reaches no kindergarten', async () => {
    const request = require('supertest');
    await request(app.strapi.server.httpServer).get('/api/kindergartens').expect(403);
    await request(app.strapi.server.httpServer).get('/ra/kindergartens').expect(403);
  });
});

(process.env.DATABASE_URL ? describe : describe.skip)('PostgreSQL indexes for prefix scope (database/postgres)', () => {
  test('county codes have a text_pattern_ops index, so LIKE prefix% can use it', async () => {
    const result = await app.strapi.db.connection.raw(
      `select indexdef from pg_indexes where schemaname = ? and indexname = 'kindergartens__county_code__pattern'`, [app.schema]);
    expect(result.rows[0]?.indexdef).toMatch(/text_pattern_ops/);
  });
});
