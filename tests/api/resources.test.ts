/**
 * 玩教具与图书 (docs/safety-and-resources.md): a kindergarten's inventory per school year against the
 * per-child minimums of config/resources.json, shortfalls flagged per kindergarten and summed per
 * county (against hand SQL), each level's reach, the Excel import (all rows or none) and export.
 */
import ExcelJS from 'exceljs';
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { login, type Session } from '../helpers/api';
import { readDomainConfig } from '../../cms/src/runtime/paths';
import { configProblems } from '../../cms/src/runtime/config-schema';

let app: BootedApp;
let kindergarten: Session;
let kindergarten2: Session;
let county: Session;
let county2: Session;
let prefecture: Session;
let province: Session;
let ministry: Session;

const K1 = '3135050201'; // county 350502
const K2 = '3135020301'; // county 350203
const YEAR = '2030-2031';
const config = readDomainConfig<any>('resources.json');
const paths = (res: any) => (res.body.error?.details?.errors ?? []).map((e: any) => e.path.join('.'));
const table = (name: string) => (app.schema ? `${app.schema}.${name}` : name);
const toys = (n: number) => Object.fromEntries(config.toyCategories.map((c: any) => [c.key, n]));

beforeAll(async () => {
  app = await bootStrapi();
  [kindergarten, kindergarten2, county, county2, prefecture, province, ministry] = await Promise.all(
    ['demo-kindergarten', 'demo-kindergarten-2', 'demo-county', 'demo-county-2', 'demo-prefecture', 'demo-province', 'demo-ministry'].map((u) => login(app, u)),
  );
}, 300_000);
afterAll(async () => { await app?.stop(); });

/** Children counted against the minimums, per kindergarten, by hand. */
async function childrenOf(code: string): Promise<number> {
  const [{ n }] = await app.strapi.db.connection(table('children')).count({ n: '*' }).where('institution_code', code).whereIn('status', config.countedStatuses);
  return Number(n);
}

test('config/resources.json has a validator naming file and path', () => {
  const broken = JSON.parse(JSON.stringify(config));
  broken.books.perChild = -1;
  broken.toyCategories[1].key = broken.toyCategories[0].key;
  const read = (name: string) => (name === 'resources.json' ? broken : readDomainConfig(name));
  expect(configProblems(read).filter((p) => p.file === 'config/resources.json').map((p) => p.path)).toEqual(['resources.books.perChild', 'resources.toyCategories[1].key']);
});

describe('inventories', () => {
  let inventoryId: string;

  test('bad input: 400 naming each field; the county does not fill a kindergarten’s inventory', async () => {
    const bad = await kindergarten.post('/api/resource-inventories', { data: { schoolYear: '2030-2032', books: -3, toys: { sports: 'many', rockets: 2 } } }).expect(400);
    expect(paths(bad)).toEqual(expect.arrayContaining(['schoolYear', 'books', 'toys.sports', 'toys.rockets']));
    for (const session of [county, prefecture, province, ministry]) await session.post('/api/resource-inventories', { data: { schoolYear: YEAR, books: 1 } }).expect(403);
  });

  test('the kindergarten records its year once; edits the counts, not the year', async () => {
    const created = await kindergarten.post('/api/resource-inventories', { data: { schoolYear: YEAR, books: 5, toys: { sports: 3 } } }).expect(201);
    inventoryId = created.body.data.documentId;
    expect(created.body.data).toMatchObject({ institutionCode: K1, countyCode: '350502', schoolYear: YEAR, books: 5, toys: { ...toys(0), sports: 3 } });
    const again = await kindergarten.post('/api/resource-inventories', { data: { schoolYear: YEAR, books: 5 } }).expect(409);
    expect(paths(again)).toEqual(['schoolYear']);
    await kindergarten.put(`/api/resource-inventories/${inventoryId}`, { data: { schoolYear: '2031-2032' } }).expect(400);
    const changed = await kindergarten.put(`/api/resource-inventories/${inventoryId}`, { data: { books: 7 } }).expect(200);
    expect(changed.body.data.books).toBe(7);
    await kindergarten2.put(`/api/resource-inventories/${inventoryId}`, { data: { books: 9 } }).expect(404);
    await county.put(`/api/resource-inventories/${inventoryId}`, { data: { books: 9 } }).expect(403);
  });

  test('reach: its kindergarten and county and the levels above read it; others do not', async () => {
    for (const session of [kindergarten, county, prefecture, province, ministry]) await session.get(`/api/resource-inventories/${inventoryId}`).expect(200);
    for (const session of [kindergarten2, county2]) await session.get(`/api/resource-inventories/${inventoryId}`).expect(404);
  });

  test('shortfalls per kindergarten and per county, against hand SQL and the per-child minimums', async () => {
    const answer = (await county.get(`/api/resource-inventories/shortfalls?schoolYear=${YEAR}`).expect(200)).body;
    const k1 = answer.kindergartens.find((k: any) => k.code === K1);
    const children = await childrenOf(K1);
    expect(k1.children).toBe(children);
    const books = k1.lines.find((l: any) => l.key === 'books');
    expect(books).toMatchObject({ have: 7, required: Math.ceil(children * config.books.perChild), shortfall: Math.max(0, Math.ceil(children * config.books.perChild) - 7) });
    const sports = config.toyCategories.find((c: any) => c.key === 'sports');
    expect(k1.lines.find((l: any) => l.key === 'sports')).toMatchObject({ have: 3, required: Math.ceil(children * sports.perChild) });
    expect(k1.reported).toBe(true);
    expect(k1.flagged).toBe(k1.lines.some((l: any) => l.shortfall > 0));
    // every kindergarten of the county is listed; those without an inventory are flagged as unreported
    const kindergartens = await app.strapi.db.connection(table('kindergartens')).select('code').where('county_code', '350502').whereNot('status', 'closed');
    expect(answer.kindergartens.map((k: any) => k.code).sort()).toEqual(kindergartens.map((k: any) => k.code).sort());
    expect(answer.kindergartens.filter((k: any) => k.code !== K1).every((k: any) => !k.reported && k.flagged)).toBe(true);
    // the county's sums: children by hand SQL over its kindergartens; required books = Σ per kindergarten
    const [{ n }] = await app.strapi.db.connection(table('children')).count({ n: '*' }).where('county_code', '350502').whereIn('status', config.countedStatuses);
    const sum = answer.counties.find((c: any) => c.countyCode === '350502');
    expect(answer.counties).toHaveLength(1);
    expect(sum.children).toBe(Number(n));
    expect(sum.kindergartens).toBe(kindergartens.length);
    expect(sum.reported).toBe(1);
    expect(sum.lines.books.have).toBe(7);
    expect(sum.lines.books.required).toBe(answer.kindergartens.reduce((s: number, k: any) => s + Math.ceil(k.children * config.books.perChild), 0));
    expect(sum.lines.books.shortfall).toBe(answer.kindergartens.reduce((s: number, k: any) => s + k.lines[0].shortfall, 0));
    await county.get('/api/resource-inventories/shortfalls?schoolYear=2030').expect(400);
  });

  test('each level sums its own reach', async () => {
    const own = (await kindergarten.get(`/api/resource-inventories/shortfalls?schoolYear=${YEAR}`).expect(200)).body;
    expect(own.kindergartens.map((k: any) => k.code)).toEqual([K1]);
    const other = (await county2.get(`/api/resource-inventories/shortfalls?schoolYear=${YEAR}`).expect(200)).body;
    expect(other.counties.map((c: any) => c.countyCode)).toEqual(['350203']);
    expect(other.counties[0].reported).toBe(0);
    const pref = (await prefecture.get(`/api/resource-inventories/shortfalls?schoolYear=${YEAR}`).expect(200)).body;
    expect(pref.counties.every((c: any) => c.countyCode.startsWith('3505'))).toBe(true);
    const all = (await ministry.get(`/api/resource-inventories/shortfalls?schoolYear=${YEAR}`).expect(200)).body;
    expect(all.counties.map((c: any) => c.countyCode)).toEqual(expect.arrayContaining(['350502', '350203']));
    const [{ n }] = await app.strapi.db.connection(table('children')).count({ n: '*' }).whereIn('status', config.countedStatuses);
    expect(all.counties.reduce((s: number, c: any) => s + c.children, 0)).toBe(Number(n));
  });
});

describe('Excel', () => {
  const workbook = async (rows: unknown[][], edit?: (sheet: ExcelJS.Worksheet) => void) => {
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('玩教具与图书');
    sheet.addRow(['机构标识码', '学年', '图书（册）', ...config.toyCategories.map((c: any) => `${c.name}（${c.unit}）`)]);
    for (const row of rows) sheet.addRow(row);
    edit?.(sheet);
    return Buffer.from(await book.xlsx.writeBuffer());
  };

  test('import: a bad row writes nothing; a good file creates and updates; another kindergarten’s rows are refused', async () => {
    const before = await app.strapi.db.query('api::resource-inventory.resource-inventory').count();
    const bad = await kindergarten.post('/api/resource-inventories/import').attach('file', await workbook([[K1, '2031-2032', 400, 10], [K1, '2032-2033', -1]]), '玩教具.xlsx').expect(400);
    expect(paths(bad)).toEqual(['rows.3.books']);
    expect(bad.body.error.message).toContain('第 3 行');
    const foreign = await kindergarten.post('/api/resource-inventories/import').attach('file', await workbook([[K2, '2031-2032', 1]]), 'x.xlsx').expect(400);
    expect(paths(foreign)).toEqual(['rows.2.institutionCode']);
    const formula = await kindergarten.post('/api/resource-inventories/import').attach('file', await workbook([[K1, '2031-2032', 1]], (s) => { s.getCell('C2').value = { formula: '1+1' } as any; }), 'x.xlsx').expect(400);
    expect(paths(formula)).toEqual(['file']);
    await kindergarten.post('/api/resource-inventories/import').attach('file', Buffer.from('not a workbook'), 'x.xlsx').expect(400);
    expect(await app.strapi.db.query('api::resource-inventory.resource-inventory').count()).toBe(before);
    await county.post('/api/resource-inventories/import').attach('file', await workbook([[K1, '2031-2032', 1]]), 'x.xlsx').expect(403);
    const ok = await kindergarten.post('/api/resource-inventories/import').attach('file', await workbook([[K1, '2031-2032', 400, 10, 2, 1, 1, 1, 1], ['', YEAR, 800]]), 'x.xlsx').expect(200);
    expect(ok.body.data).toEqual({ created: 1, updated: 1, total: 2 });
    const rows = await app.strapi.db.query('api::resource-inventory.resource-inventory').findMany({ where: { institutionCode: K1 }, orderBy: { schoolYear: 'asc' } });
    expect(rows.map((r: any) => [r.schoolYear, r.books])).toEqual([[YEAR, 800], ['2031-2032', 400]]);
  });

  test('export: the caller’s inventories with a column per category; recorded', async () => {
    const before = await app.strapi.db.query('api::export-record.export-record').count();
    const csv = await county.get('/api/safety-export/inventories?format=csv').expect(200);
    expect(csv.text).toContain('学年');
    expect(csv.text).toContain('体育活动类（件）');
    expect(csv.text).toContain('2031-2032');
    expect((await county2.get('/api/safety-export/inventories?format=csv').expect(200)).text).not.toContain('2031-2032');
    expect(await app.strapi.db.query('api::export-record.export-record').count()).toBe(before + 2);
  });
});
