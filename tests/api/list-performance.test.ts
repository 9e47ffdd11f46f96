/**
 * The children's lists under load (cms/src/domain/list-counts.ts, config/lists.json,
 * database/postgres/070-scope-aligned-list-indexes.sql, database/postgres/071-likely-match-index-only.sql):
 * - a page turn of the same filter does not count again (the statements are observed with knex's
 *   'query' event), each reach keeps its own total, and a write to the children drops the totals;
 * - far beyond the limit the total is the planner's estimate without a count (PostgreSQL);
 * - a county's list, in id order and in the panel's order by name, is read through an index that
 *   starts with the county code, not by walking the primary key (PostgreSQL, EXPLAIN);
 * - the likely-duplicate search is answered from the index alone (PostgreSQL, EXPLAIN);
 * - a read runs without BEGIN/COMMIT (cms/src/runtime/reads-without-transaction.ts) while a write keeps
 *   its transaction; a list reads the fields it answers with, no encrypted column
 *   (cms/src/domain/list-columns.ts); the exact duplicate check is one statement.
 * The plans are asked with 20,000 children of other counties added for the time of the test, because
 * on the few demo rows any plan is cheap: what is asserted is which index serves the scope and order.
 */
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { anonymous, login, type Session } from '../helpers/api';

const CHILD = 'api::child.child';
const postgres = Boolean(process.env.DATABASE_URL);
/** EXPLAIN, plans and the planner's estimate exist on PostgreSQL only; SQLite runs the rest. */
const onPostgres = postgres ? test : test.skip;

let app: BootedApp;
let province: Session;
let county: Session;
let kindergarten: Session;
let statements: string[] = [];

const observe = (query: { sql: string }) => statements.push(query.sql);
/** The statements that count children (Strapi's count, the capped count or the planner's estimate). */
const countStatements = () => statements.filter((sql) => /\bchildren\b/.test(sql) && (/count\(/i.test(sql) || /^\s*EXPLAIN/i.test(sql)));
const total = (response: { headers: Record<string, string> }) => Number(response.headers['content-range'].split('/')[1]);
const ra = (session: Session, filter: object, range: [number, number], sort: [string, string] = ['name', 'ASC']) =>
  session.get(`/ra/children?${new URLSearchParams({ filter: JSON.stringify(filter), range: JSON.stringify(range), sort: JSON.stringify(sort) })}`).expect(200);

beforeAll(async () => {
  process.env.SEED_DEMO_CHILDREN = 'true';
  app = await bootStrapi();
  delete process.env.SEED_DEMO_CHILDREN;
  [province, county, kindergarten] = await Promise.all(['demo-province', 'demo-county', 'demo-kindergarten'].map((u) => login(app, u)));
  if (postgres) await app.strapi.db.connection.raw('ANALYZE children');
  app.strapi.db.connection.on('query', observe);
}, 300_000); // a boot on a machine shared by several test runs

afterAll(async () => {
  app?.strapi.db.connection.removeListener('query', observe);
  delete process.env.LIST_EXACT_COUNT_UP_TO;
  await app?.stop();
});

beforeEach(() => { statements = []; });

test('a page turn of the same filter does not count again; each reach has its own total; a write drops the totals', async () => {
  const filter = { sex: 'female' };
  const first = await ra(province, filter, [0, 1]);
  expect(countStatements().length).toBeGreaterThan(0);
  const provinceTotal = total(first);
  expect(provinceTotal).toBeGreaterThan(2);

  statements = [];
  const second = await ra(province, filter, [2, 3]);
  expect(total(second)).toBe(provinceTotal);
  expect(second.body.length).toBeGreaterThan(0);
  expect(countStatements()).toEqual([]);
  // another order of the same filter: the same total, not counted again either
  await ra(province, filter, [0, 1], ['id', 'DESC']);
  expect(countStatements()).toEqual([]);

  // the same filter in a smaller reach is counted for that reach, never answered from the province's total
  const countyFirst = await ra(county, filter, [0, 1]);
  const countyTotal = await app.strapi.db.query(CHILD).count({ where: { sex: 'female', countyCode: '350502' } });
  expect(total(countyFirst)).toBe(countyTotal);
  expect(countyTotal).toBeLessThan(provinceTotal);
  const kindergartenTotal = await app.strapi.db.query(CHILD).count({ where: { sex: 'female', institutionCode: '3135050201' } });
  expect(total(await ra(kindergarten, filter, [0, 1]))).toBe(kindergartenTotal);

  // a write to the children drops the totals: the next page turn counts, and sees the change
  const victim = await app.strapi.db.query(CHILD).findOne({ where: { sex: 'female', institutionCode: '3135050201' }, orderBy: { id: 'desc' } });
  await app.strapi.db.query(CHILD).delete({ where: { id: victim.id } });
  statements = [];
  const after = await ra(province, filter, [2, 3]);
  expect(countStatements().length).toBeGreaterThan(0);
  expect(total(after)).toBe(provinceTotal - 1);
  expect(total(await ra(kindergarten, filter, [0, 1]))).toBe(kindergartenTotal - 1);
});

onPostgres('far beyond the limit the total is the planner\'s estimate, without counting the rows', async () => {
  process.env.LIST_EXACT_COUNT_UP_TO = '1';
  try {
    const response = await province.get('/api/children?pagination[pageSize]=5&filters[status][$ne]=cancelled').expect(200);
    expect(response.headers['x-total-estimated']).toBe('true');
    expect(response.body.meta.pagination.total).toBeGreaterThan(3);
    const counts = countStatements();
    expect(counts.some((sql) => /^\s*EXPLAIN/i.test(sql))).toBe(true);
    expect(counts.filter((sql) => /count\(/i.test(sql))).toEqual([]);
  } finally {
    delete process.env.LIST_EXACT_COUNT_UP_TO;
  }
});

/** The plan of a statement the app ran, with sequential and bitmap scans priced out. */
async function plan(sql: string, bindings: unknown[] = []): Promise<string> {
  const knex = app.strapi.db.connection;
  return knex.transaction(async (trx) => {
    await trx.raw('SET LOCAL enable_seqscan = off');
    await trx.raw('SET LOCAL enable_bitmapscan = off');
    // knex's 'query' event gives PostgreSQL's positional parameters; knex.raw binds `?`
    const result = await trx.raw(`EXPLAIN ${sql.replace(/\$\d+/g, '?')}`, bindings);
    return result.rows.map((row: Record<string, string>) => row['QUERY PLAN']).join('\n');
  });
}

/** The SELECT of rows (not the count) a county's list ran, with its bindings. */
async function listStatement(url: string): Promise<{ sql: string; bindings: unknown[] }> {
  const captured: { sql: string; bindings: unknown[] }[] = [];
  const capture = (query: { sql: string; bindings: unknown[] }) => captured.push(query);
  app.strapi.db.connection.on('query', capture);
  try {
    await county.get(url).expect(200);
  } finally {
    app.strapi.db.connection.removeListener('query', capture);
  }
  const select = captured.find((q) => /from "?[\w"]*\.?"?children"? as "?t0"?/i.test(q.sql) && /order by/i.test(q.sql) && !/count\(/i.test(q.sql));
  if (!select) throw new Error(`no list statement among:\n${captured.map((q) => q.sql).join('\n')}`);
  return select;
}

/**
 * Other counties' children, 20,000 of them, so that the planner weighs a county's list as it does in a
 * province (on 30 demo rows walking the primary key looks as cheap as anything). Removed afterwards.
 */
async function withOtherCounties(run: () => Promise<void>): Promise<void> {
  const knex = app.strapi.db.connection;
  await knex.raw(`INSERT INTO children (document_id, name, sex, birth_date, pinyin_key, status, county_code, institution_code)
    SELECT 'perf' || g, '测试' || g, CASE WHEN g % 2 = 0 THEN 'female' ELSE 'male' END, DATE '2021-01-01' + (g % 1000),
           'ce shi ' || g, 'registered', '3501' || lpad((g % 40)::text, 2, '0'), '31350100' || lpad((g % 90)::text, 2, '0')
    FROM generate_series(1, 20000) AS g`);
  await knex.raw('ANALYZE children');
  try {
    await run();
  } finally {
    await knex.raw("DELETE FROM children WHERE document_id LIKE 'perf%'");
    await knex.raw('ANALYZE children');
  }
}

onPostgres('a county\'s list, in id order and in the panel\'s order (by name), reads the county\'s index entries in that order', async () => {
  // the API's default order is the row id
  const byId = await listStatement('/api/children?filters[sex][$eq]=female&pagination[pageSize]=25');
  expect(byId.sql).toMatch(/order by "?t0"?\."?id"? asc/i);
  const range = encodeURIComponent('[0,24]');
  const byName = await listStatement(`/ra/children?filter=${encodeURIComponent('{"sex":"female"}')}&range=${range}&sort=${encodeURIComponent('["name","ASC"]')}`);
  let idPlan = '';
  let namePlan = '';
  await withOtherCounties(async () => {
    idPlan = await plan(byId.sql, byId.bindings);
    namePlan = await plan(byName.sql, byName.bindings);
  });
  expect(idPlan).toMatch(/Index Scan using children__county_code_id/);
  expect(idPlan).not.toMatch(/children_pkey|Seq Scan/);
  expect(namePlan).toMatch(/Index Scan using children__county_code_(name|pinyin_key_name)/);
  // an Incremental Sort orders only the ties of one name (by id); a whole Sort would read the county
  expect(namePlan).not.toMatch(/children_pkey|Seq Scan|(^|->)\s*Sort\s+\(/m);
});

onPostgres('the likely-duplicate search is answered from the index alone', async () => {
  const knex = app.strapi.db.connection;
  const sample = await knex('children').select('birth_date', 'sex').first();
  const sql = knex('children').select('id', 'document_id', 'name', 'pinyin_key', 'institution_code', 'county_code')
    .where('birth_date', sample.birth_date).where('sex', sample.sex).toSQL();
  let text = '';
  await withOtherCounties(async () => {
    await knex.raw('VACUUM (ANALYZE) children'); // the visibility map, as after the nightly autovacuum
    text = await plan(sql.sql, sql.bindings as unknown[]);
  });
  expect(text).toMatch(/Index Only Scan using children__likely_match/);
});

test('a session JWT costs no API-token lookup, no settings read and no user lookup once cached; an API token is still looked up; a blocked account is refused at once', async () => {
  // a write to a role drops the caches (an earlier test may have filled them almost cacheSeconds ago)
  const role = await app.strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: 'authenticated' } });
  await app.strapi.db.query('plugin::users-permissions.role').update({ where: { id: role.id }, data: { description: role.description } });
  await province.get('/api/children?pagination[pageSize]=1').expect(200); // the caches filled
  statements = [];
  await province.get('/api/children?pagination[pageSize]=1').expect(200);
  expect(statements.filter((sql) => /strapi_api_tokens|strapi_core_store_settings|\bup_users\b|\bup_roles\b/.test(sql))).toEqual([]);
  // a bearer that is not a JWT may be an API token: it is looked up (and refused, being none)
  statements = [];
  await anonymous(app).get('/api/children').set('Authorization', `Bearer ${'ab'.repeat(64)}`).expect(401);
  expect(statements.some((sql) => /strapi_api_tokens/.test(sql))).toBe(true);
  // blocking an account refuses its next request at once, its user cached or not
  await kindergarten.get('/api/children?pagination[pageSize]=1').expect(200);
  const user = await app.strapi.db.query('plugin::users-permissions.user').findOne({ where: { username: 'demo-kindergarten' } });
  await app.strapi.db.query('plugin::users-permissions.user').update({ where: { id: user.id }, data: { blocked: true } });
  await kindergarten.get('/api/children?pagination[pageSize]=1').expect(401);
});

test('the dashboard counts its kindergartens in one statement, keeps the figures per reach until a write, with the figures of counting one by one', async () => {
  const KINDERGARTEN = 'api::kindergarten.kindergarten';
  const count = (where: Record<string, unknown>) => app.strapi.db.query(KINDERGARTEN).count({ where: { $and: [where, { status: { $ne: 'closed' } }] } });
  // the dashboard's own statement: the kindergarten totals and the areas as FILTER columns of one scan
  const dashboardCounts = () => statements.filter((sql) => /\bkindergartens\b/.test(sql) && /count\(\*\) filter \(where/i.test(sql));
  for (const [session, prefix] of [[province, '35'], [county, '350502']] as const) {
    // a write to a kindergarten drops the kept figures: the next load counts, once, in one statement
    const some = await app.strapi.db.query(KINDERGARTEN).findOne({ where: { countyCode: { $startsWith: prefix } } });
    await app.strapi.db.query(KINDERGARTEN).update({ where: { id: some.id }, data: { name: some.name } });
    statements = [];
    const body = (await session.get('/api/dashboard').expect(200)).body;
    expect(dashboardCounts()).toHaveLength(1);
    // the same reach again: the figures kept, not counted again, the same answer
    statements = [];
    const again = (await session.get('/api/dashboard').expect(200)).body;
    expect(dashboardCounts()).toHaveLength(0);
    expect(again.kindergartens).toBe(body.kindergartens);
    expect(again.byCounty).toEqual(body.byCounty);
    const inReach = { countyCode: { $startsWith: prefix } };
    expect(body.kindergartens).toBe(await count(inReach));
    expect(body.publicKindergartens).toBe(await count({ $and: [inReach, { ownership: 'public' }] }));
    expect(body.inclusiveKindergartens).toBe(await count({ $and: [inReach, { $or: [{ inclusive: true }, { ownership: 'public' }] }] }));
    expect(body.byCounty.length).toBeGreaterThan(0);
    for (const area of body.byCounty) {
      const areaPrefix = area.countyCode.replace(/(00)+$/, '');
      expect(area.kindergartens).toBe(await count({ $and: [inReach, { countyCode: { $startsWith: areaPrefix } }] }));
    }
  }
  // a kindergarten closed by one reach's write is out of every reach's kept figures at once
  const before = (await province.get('/api/dashboard').expect(200)).body.kindergartens;
  const open = await app.strapi.db.query(KINDERGARTEN).findOne({ where: { countyCode: { $startsWith: '350502' }, status: { $ne: 'closed' } } });
  await app.strapi.db.query(KINDERGARTEN).update({ where: { id: open.id }, data: { status: 'closed' } });
  try {
    expect((await province.get('/api/dashboard').expect(200)).body.kindergartens).toBe(before - 1);
  } finally {
    await app.strapi.db.query(KINDERGARTEN).update({ where: { id: open.id }, data: { status: open.status } });
  }
});

test('turning pages reads the rows after the page seen (keyset), stable under an insert before it', async () => {
  const ids = (response: { body: { rowId: number }[] }) => response.body.map((record) => record.rowId);
  const baseline = ids(await ra(province, {}, [0, 9]));
  expect(baseline).toHaveLength(10);
  const first = ids(await ra(province, {}, [0, 4]));
  expect(first).toEqual(baseline.slice(0, 5));
  // a child whose name sorts before every other (pinyin "a"), added while the first page is on screen
  const sample = await app.strapi.db.query(CHILD).findOne({ where: { institutionCode: '3135050201' } });
  const added = await app.strapi.db.query(CHILD).create({
    data: { name: '阿一', pinyinKey: 'a yi', sex: 'female', birthDate: sample.birthDate, countyCode: sample.countyCode, institutionCode: sample.institutionCode, status: 'draft' },
  });
  try {
    statements = [];
    const second = ids(await ra(province, {}, [5, 9]));
    // OFFSET 5 would now repeat the first page's last row; the keyset continues after it
    expect(second).toEqual(baseline.slice(5, 10));
    const page = statements.find((sql) => /\bchildren\b/.test(sql) && /order by/i.test(sql) && !/count\(/i.test(sql));
    expect(page).toMatch(/pinyin_key["`]?\s*>/);
    // the new child is on the first page when it is read again
    expect(ids(await ra(province, {}, [0, 4]))[0]).toBe(added.id);
  } finally {
    await app.strapi.db.query(CHILD).delete({ where: { id: added.id } });
  }
});

test('a list is one statement, without BEGIN/COMMIT and without the encrypted columns; a write keeps its transaction; the exact duplicate check is one statement', async () => {
  const url = '/api/children?filters[sex][$eq]=female&pagination[pageSize]=5&sort=name:asc';
  await province.get(url).expect(200); // the total cached
  statements = [];
  const response = await province.get(url).expect(200);
  const children = statements.filter((sql) => /\bchildren\b/.test(sql));
  expect(statements.filter((sql) => /^\s*(BEGIN|COMMIT)\b/i.test(sql))).toEqual([]);
  expect(children).toHaveLength(1);
  expect(children[0]).not.toMatch(/\.\*/);
  expect(children[0]).not.toMatch(/"id_number"|"student_number"/);
  // the answer is unchanged: the masked forms and the panel's columns are there, private fields are not
  const row = response.body.data[0];
  expect(row).toEqual(expect.objectContaining({ name: expect.any(String), idNumberMasked: expect.any(String), status: expect.any(String), documentId: expect.any(String) }));
  expect(row).not.toHaveProperty('idNumber');
  expect(row).not.toHaveProperty('pinyinKey');
  // a write through the document service still runs in its transaction
  const child = await app.strapi.db.query(CHILD).findOne({ where: { institutionCode: '3135050201' } });
  statements = [];
  await app.strapi.documents(CHILD).update({ documentId: child.documentId, data: { health: child.health } } as any);
  expect(statements.some((sql) => /^\s*BEGIN\b/i.test(sql))).toBe(true);
  expect(statements.some((sql) => /^\s*COMMIT\b/i.test(sql))).toBe(true);
  // the exact duplicate check: the blind-index lookup with the names joined, one statement
  const holder = await app.strapi.db.query(CHILD).findOne({ where: { idType: '1', idNumber: { $notNull: true } } });
  statements = [];
  const check = await county.post('/api/children/check-duplicates').send({ data: { idType: '1', idNumber: holder.idNumber } }).expect(200);
  expect(check.body.data.exact).toEqual(expect.objectContaining({ countyCode: holder.countyCode, countyName: expect.any(String) }));
  expect(statements.filter((sql) => /\b(children|kindergartens|regions)\b/.test(sql))).toHaveLength(1);
});

test('a jump to the last page reads it from the end (reverse order, the exact total known): the same rows as reading through', async () => {
  const ids = (response: { body: { rowId: number }[] }) => response.body.map((record) => record.rowId);
  const filter = { sex: 'male' };
  const count = total(await ra(province, filter, [0, 2]));
  expect(count).toBeGreaterThan(8);
  const all = ids(await ra(province, filter, [0, count - 1]));
  expect(all).toHaveLength(count);
  const lastStart = Math.floor((count - 1) / 3) * 3;
  statements = [];
  const last = ids(await ra(province, filter, [lastStart, lastStart + 2]));
  expect(last).toEqual(all.slice(lastStart));
  const page = statements.find((sql) => /\bchildren\b/.test(sql) && /order by/i.test(sql) && !/count\(/i.test(sql));
  expect(page).toMatch(/pinyin_key["`]?\s+desc/i);
  expect(page).not.toMatch(/offset/i);
});

test('the children\'s and staff lists answer as Strapi\'s own sanitising would, and a query it refuses is refused every time', async () => {
  const { leanQuery } = require('../../cms/dist/src/domain/lean-list');
  for (const [uid, path] of [[CHILD, '/api/children'], ['api::staff.staff', '/api/staff-members']] as const) {
    const url = `${path}?pagination[pageSize]=5&sort=name:asc`;
    const first = await province.get(url).expect(200);
    const second = await province.get(url).expect(200); // the validated query kept
    expect(second.body).toEqual(first.body);
    expect(first.body.data.length).toBeGreaterThan(0);
    // every row as Strapi's output sanitiser leaves it: no private attribute (ID numbers, 学籍号, pinyinKey, …)
    const contentType: any = app.strapi.contentType(uid as any);
    const sanitized = await app.strapi.contentAPI.sanitize.output(first.body.data, contentType, {} as any);
    expect(first.body.data).toEqual(sanitized);
    for (const row of first.body.data) {
      for (const key of Object.keys(row)) expect(contentType.attributes[key]?.private).not.toBe(true);
    }
    // a filter on a private field: refused (400) each time, never answered from what was kept
    for (let i = 0; i < 2; i += 1) await province.get(`${path}?filters[idNumber][$eq]=1`).expect(400);
    // the other levels reach only their own rows through the same path
    const own = await county.get(url).expect(200);
    for (const row of own.body.data) expect(row.countyCode ?? '350502').toMatch(/^350502/);
  }
  // each request gets its own copy of the kept query, with its own page
  const controller = { validateQuery: jest.fn(async () => undefined), sanitizeQuery: jest.fn(async (ctx: any) => structuredClone(ctx.query)) };
  const ability = {};
  const ctx = (page: number) => ({ state: { auth: { ability }, route: { method: 'GET', path: '/children' } }, query: { filters: { sex: 'female' }, pagination: { page } }, path: '/api/children' });
  const one = await leanQuery(controller, ctx(1));
  one.filters.sex = 'male';
  const two = await leanQuery(controller, ctx(2));
  expect(two).toEqual({ filters: { sex: 'female' }, pagination: { page: 2 } });
  expect(controller.validateQuery).toHaveBeenCalledTimes(1);
  expect(controller.sanitizeQuery).toHaveBeenCalledTimes(1);
  // another permission set (a new ability object): validated again
  await leanQuery(controller, { ...ctx(1), state: { auth: { ability: {} }, route: { method: 'GET', path: '/children' } } });
  expect(controller.validateQuery).toHaveBeenCalledTimes(2);
});

test('a query shape Strapi accepted is not validated again; an invalid key is refused every time; an unknown output sanitiser always runs', async () => {
  const { validationMemoCounts, shapeOf } = require('../../cms/dist/src/runtime/validation-memo');
  const { privateKeysOnly } = require('../../cms/dist/src/domain/lean-list');
  // the shape: keys and nesting, values by type only
  expect(shapeOf({ name: { $eq: '甲' }, $or: [{ sex: 'female' }, { id: { $gt: 3 } }] })).toEqual(shapeOf({ name: { $eq: '乙' }, $or: [{ sex: 'male' }, { id: { $gt: 9 } }] }));
  expect(shapeOf({ name: { $eq: 'a' } })).not.toEqual(shapeOf({ nme: { $eq: 'a' } }));

  // reads of one filter shape through the document service (a list the lean read does not take, an
  // export, a service): the filters differ by their values only, walked once
  const children = app.strapi.documents(CHILD as any);
  await children.findMany({ filters: { sex: { $eq: 'female' }, name: { $gt: 'a' } }, sort: 'name:asc', limit: 2 } as any);
  const before = validationMemoCounts();
  for (const name of ['b', 'c', 'd']) {
    const rows = await children.findMany({ filters: { sex: { $eq: 'male' }, name: { $gt: name } }, sort: 'name:asc', limit: 2 } as any);
    for (const row of rows) expect(row.sex).toBe('male');
  }
  const after = validationMemoCounts();
  // each of the three skipped its walks (a read of the app's own in the background may walk meanwhile)
  expect(after.skipped - before.skipped).toBeGreaterThanOrEqual(3);
  expect(after.walked - before.walked).toBeLessThan(3);
  // and through the API's page turns: each page continues after the one before
  await province.get('/api/children?filters[sex][$eq]=female&pagination[page]=1&pagination[pageSize]=2&sort=name:asc').expect(200);
  const apiPage2 = await province.get('/api/children?filters[sex][$eq]=female&pagination[page]=2&pagination[pageSize]=2&sort=name:asc').expect(200);
  const apiPage3 = await province.get('/api/children?filters[sex][$eq]=female&pagination[page]=3&pagination[pageSize]=2&sort=name:asc').expect(200);
  const seen = new Set(apiPage2.body.data.map((row: any) => row.documentId));
  expect(apiPage3.body.data.length).toBeGreaterThan(0);
  for (const row of apiPage3.body.data) expect(seen.has(row.documentId)).toBe(false);

  // the document service still refuses an unknown key, every time, also inside a shape like an accepted one
  await children.findMany({ filters: { $or: [{ name: { $eq: '甲' } }, { sex: { $eq: 'female' } }] } } as any);
  for (let i = 0; i < 2; i += 1) {
    await expect(children.findMany({ filters: { $or: [{ name: { $eq: '甲' } }, { bogus: { $eq: 'female' } }] } } as any)).rejects.toThrow(/Invalid key bogus/);
    await expect(children.findMany({ filters: { name: { $eq: '甲' } }, sort: 'bogus:asc' } as any)).rejects.toThrow(/Invalid key bogus/);
  }
  // and through the API: a private field in a filter (400) after the same shape on a public one (200)
  await province.get('/api/children?filters[name][$eq]=x').expect(200);
  for (let i = 0; i < 2; i += 1) await province.get('/api/children?filters[idNumber][$eq]=x').expect(400);

  // users-permissions' output sanitiser (a role's `users` relation only) leaves flat rows as they are:
  // their private keys are dropped without the walk; a row with a relation gets the walk
  const registered: unknown[] = (app.strapi as any).sanitizers.get('content-api.output');
  expect(registered.length).toBeGreaterThan(0);
  expect(privateKeysOnly(app.strapi, app.strapi.contentType(CHILD as any), [{ id: 1, name: 'a', pinyinKey: 'a' }])).toEqual(['pinyinKey']);
  expect(privateKeysOnly(app.strapi, app.strapi.contentType(CHILD as any), [{ id: 1, name: 'a', schoolClass: { id: 2 } }])).toBeNull();
  // the recognised sanitiser does what the skip assumes: a flat child row unchanged, a role's users removed
  const { RELATIONS_ONLY } = require('../../cms/dist/src/domain/lean-list');
  expect(RELATIONS_ONLY.size).toBe(1);
  const [relationsOnly] = [...RELATIONS_ONLY] as Array<(schema: unknown, entity: unknown) => Promise<any>>;
  expect(registered).toContain(relationsOnly);
  const flatRow = { id: 1, documentId: 'abc', name: '甲', sex: 'female', birthDate: '2021-01-01', idNumberMasked: '3505**', countyCode: '350502', institutionCode: '3135050201', status: 'registered' };
  expect(await relationsOnly(app.strapi.contentType(CHILD as any), { ...flatRow })).toEqual(flatRow);
  const role = await relationsOnly(app.strapi.contentType('plugin::users-permissions.role' as any), { id: 1, name: 'r', users: [{ id: 2 }] });
  expect(role).toEqual({ id: 1, name: 'r' });
  // any other registered output sanitiser is never skipped: Strapi's walk runs
  const other = jest.fn((_schema: unknown, entity: unknown) => entity);
  registered.push(other);
  try {
    expect(privateKeysOnly(app.strapi, app.strapi.contentType(CHILD as any), [{ id: 1, name: 'a', pinyinKey: 'a' }])).toBeNull();
  } finally {
    registered.splice(registered.indexOf(other), 1);
  }
});

test('the lean read answers exactly what the document service answers: every level, filters, orders, pages; what it does not understand takes the usual path', async () => {
  const { setLeanRead, leanReadCounts } = require('../../cms/dist/src/domain/lean-read');
  const [ministry, prefecture, otherCounty] = await Promise.all(['demo-ministry', 'demo-prefecture', 'demo-county-2'].map((u) => login(app, u)));
  const levels: Array<[string, Session]> = [['ministry', ministry], ['province', province], ['prefecture', prefecture], ['county', county], ['county-2', otherCounty], ['kindergarten', kindergarten]];
  const raList = (filter: object, range: [number, number], sort: [string, string]) =>
    `/ra/children?${new URLSearchParams({ filter: JSON.stringify(filter), range: JSON.stringify(range), sort: JSON.stringify(sort) })}`;
  // [path, taken by the lean read]
  const lists: Array<[string, boolean]> = [
    ...[1, 2, 3, 4].map((page) => [`/api/children?pagination[page]=${page}&pagination[pageSize]=4&sort=name:asc`, true] as [string, boolean]),
    ['/api/children?filters[sex][$eq]=female&pagination[page]=2&pagination[pageSize]=3&sort=name:desc', true],
    ['/api/children?filters[status][$in][0]=registered&filters[status][$in][1]=draft&sort=birthDate:asc&pagination[start]=2&pagination[limit]=5', true],
    ['/api/children?filters[birthDate][$gte]=2020-01-01&sort[0]=birthDate:desc&sort[1]=name:asc&pagination[pageSize]=6', true],
    ['/api/children?filters[$or][0][name][$containsi]=王&filters[$or][1][sex][$eq]=male&sort=id:desc&pagination[pageSize]=5', true],
    ['/api/children?filters[migrant][$eq]=true&filters[name][$notNull]=true&sort=name:asc', true],
    ['/api/children?pagination[pageSize]=3&pagination[withCount]=false', true],
    ['/api/children?pagination[page]=1000&pagination[pageSize]=3&sort=name:asc', true],
    ['/api/children?filters[documentId][$ne]=x&filters[id][$gt]=0&sort=name:asc&pagination[pageSize]=3', true],
    [raList({ status: 'registered' }, [0, 4], ['name', 'ASC']), true],
    [raList({ status: 'registered' }, [5, 9], ['name', 'ASC']), true],
    [raList({ sex: 'male' }, [0, 9], ['birthDate', 'DESC']), true],
    ['/api/staff-members?sort=name:asc&pagination[pageSize]=3', true],
    ['/api/staff-members?filters[sex][$eq]=female&sort=hiredOn:desc&pagination[page]=2&pagination[pageSize]=2', true],
    // not understood: a relation in the filter, a populate, a search: the document service's read
    ['/api/children?filters[schoolClass][name][$containsi]=班&sort=name:asc', false],
    ['/api/children?populate=schoolClass&pagination[pageSize]=3&sort=name:asc', false],
    ['/api/children?_q=王&pagination[pageSize]=3', false],
  ];
  const answer = (response: any) => ({ status: response.status, body: response.body, range: response.headers['content-range'], estimated: response.headers['x-total-estimated'] });
  let withRows = 0;
  try {
    for (const [level, session] of levels) {
      // the usual read first for half of the lists, the lean one first for the other half: each records
      // the keyset's starts the other then reads after
      for (const [i, [path, lean]] of lists.entries()) {
        const order = i % 2 === 0 ? [false, true] : [true, false];
        const answers: Record<string, unknown> = {};
        for (const on of order) {
          setLeanRead(on);
          const before = leanReadCounts();
          const response = await session.get(path);
          const after = leanReadCounts();
          const reads = after.kept + after.direct - before.kept - before.direct;
          if (on && response.status === 200) expect([path, reads > 0]).toEqual([path, lean]);
          answers[String(on)] = answer(response);
        }
        expect([level, path, answers.true]).toEqual([level, path, answers.false]);
        const body: any = (answers.true as any).body;
        if ((Array.isArray(body) ? body : body?.data)?.length > 0) withRows += 1;
      }
    }
  } finally {
    setLeanRead(true);
  }
  // most of them answer rows (each level sees the demo children or staff of its reach)
  expect(withRows).toBeGreaterThan(levels.length * lists.length / 2);
  // the page turns of one list reuse its statement (kept per shape: the reach's codes, the keyset's
  // values and the page are its bindings)
  const page = (session: Session, n: number) => session.get(`/api/children?filters[sex][$eq]=male&pagination[page]=${n}&pagination[pageSize]=2&sort=name:asc`).expect(200);
  await page(county, 1);
  await page(county, 2); // the first page after a recorded start: its shape is new
  const before = leanReadCounts();
  await page(county, 3);
  await page(county, 4);
  await page(otherCounty, 1); // another reach of the same level: the same statement, its own county code
  const after = leanReadCounts();
  expect(after.kept - before.kept).toBe(3);
  expect(after.compiled).toBe(before.compiled);
});
