/**
 * Exports of the kindergartens and staff lists (xlsx, csv): per level, what is in the file (a county
 * its own kindergartens, a kindergarten its own staff, a prefecture or province more); staff ID
 * numbers masked except for the person's kindergarten and county; private fields absent; Chinese
 * headings and code names; custom fields as columns (only those that concern the reach); the list's
 * filters (REST, the panel's filter JSON, custom-field filters); the CSV BOM; each export recorded;
 * 403 for a role without the action.
 */
import ExcelJS from 'exceljs';
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { anonymous, kindergartenId, login, type Session } from '../helpers/api';

let app: BootedApp;
let ministry: Session;
let province: Session;
let prefecture: Session;
let county: Session;
let county2: Session;
let kindergarten: Session;
let kindergarten2: Session;
let sysadmin: Session;

const KINDERGARTEN = 'api::kindergarten.kindergarten';
const STAFF = 'api::staff.staff';
/** 林晓梅, the principal of 3135050201 (config/demo.json), and 李婷 of 3135020301 (思明区). */
const LIN = '350502197803120287';
const LI = '350203198102110240';
const masked = (id: string) => `${id.slice(0, 6)}***********${id.slice(-1)}`;

const binary = (res: any, callback: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
};
const download = (session: Session, url: string) => session.get(url).buffer(true).parse(binary);

/** A CSV file as rows of cells (quoted cells with doubled quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  for (const line of text.replace(/^\ufeff/, '').split('\r\n').filter(Boolean)) {
    const cells: string[] = [];
    let cell = '';
    let quoted = false;
    for (let i = 0; i < line.length; i += 1) {
      const c = line[i];
      if (quoted && c === '"' && line[i + 1] === '"') { cell += '"'; i += 1; } else if (c === '"') quoted = !quoted;
      else if (c === ',' && !quoted) { cells.push(cell); cell = ''; } else cell += c;
    }
    cells.push(cell);
    rows.push(cells);
  }
  return rows;
}

/** The table of a download (xlsx or csv) as objects keyed by heading, with the headings. */
async function table(session: Session, url: string) {
  const response = await download(session, url).expect(200);
  let rows: string[][];
  if (url.includes('format=csv')) {
    expect(response.headers['content-type']).toContain('text/csv');
    expect(response.body.toString('utf8').charCodeAt(0)).toBe(0xfeff);
    // a cell a spreadsheet would turn into a number starts with a tab (cms/src/domain/sheet-cells.ts), which readers trim
    rows = parseCsv(response.body.toString('utf8')).map((cells) => cells.map((cell) => cell.replace(/^\t/, '')));
  } else {
    expect(response.headers['content-type']).toContain('spreadsheetml');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(response.body as any);
    rows = [];
    // dates are date cells, read as YYYY-MM-DD
    const plain = (v: unknown) => (v instanceof Date ? v.toISOString().slice(0, 10) : v);
    book.worksheets[0].eachRow((r) => rows.push((r.values as unknown[]).slice(1).map(plain).map((v) => (v === null || v === undefined ? '' : String(v)))));
  }
  const [headers, ...lines] = rows;
  return { headers, text: response.body.toString('utf8'), rows: lines.map((line) => Object.fromEntries(headers.map((h, i) => [h, line[i] ?? '']))) };
}

const lastRecord = async () => (await app.strapi.db.query('api::export-record.export-record').findMany({ orderBy: { id: 'desc' }, limit: 1 }))[0];
const countWhere = (uid: string, where: Record<string, unknown>) => app.strapi.db.query(uid as any).count({ where });

beforeAll(async () => {
  app = await bootStrapi();
  [ministry, province, prefecture, county, county2, kindergarten, kindergarten2, sysadmin] = await Promise.all(
    ['demo-ministry', 'demo-province', 'demo-prefecture', 'demo-county', 'demo-county-2', 'demo-kindergarten', 'demo-kindergarten-2', 'demo-sysadmin'].map((u) => login(app, u)),
  );
  for (const data of [
    { entity: 'kindergarten', key: 'canteen', label: '是否有食堂', type: 'boolean' },
    { entity: 'kindergarten', key: 'xm_project', label: '厦门专项', type: 'text', regionCode: '350200' },
    { entity: 'staff', key: 'mandarin', label: '普通话等级', type: 'text' },
    { entity: 'staff', key: 'party_member', label: '是否党员', type: 'boolean' },
  ]) await province.post('/api/custom-fields', { data }).expect(201);
  await kindergarten.put(`/api/kindergartens/${await kindergartenId(app, '3135050201')}`, { data: { customFields: { canteen: true } } }).expect(200);
  await kindergarten2.put(`/api/kindergartens/${await kindergartenId(app, '3135020301')}`, { data: { customFields: { xm_project: '海湾园所' } } }).expect(200);
  const lin = await app.strapi.db.query(STAFF).findOne({ where: { name: '林晓梅' } });
  await kindergarten.put(`/api/staff-members/${lin.documentId}`, { data: { customFields: { mandarin: '二级甲等', party_member: true } } }).expect(200);
});
afterAll(async () => { await app?.stop(); });

describe('kindergartens export', () => {
  test('a county gets its own kindergartens only, headings and codes in Chinese, its custom fields; recorded', async () => {
    const own = await countWhere(KINDERGARTEN, { countyCode: '350502' });
    expect(own).toBe(3);
    const { headers, rows } = await table(county, '/api/kindergarten-export?format=xlsx');
    expect(rows).toHaveLength(own);
    expect(rows.every((r) => r['所属区县代码'] === '350502')).toBe(true);
    for (const heading of ['机构标识码', '幼儿园名称', '办学性质', '普惠性', '办园状态', '城乡分类', '办别', '等级', '许可证截止日期', '登记状态', '占地面积（平方米）', '是否有食堂']) expect(headers).toContain(heading);
    // a field limited to 厦门 does not concern 鲤城区; no relation or JSON column
    expect(headers).not.toContain('厦门专项');
    expect(headers.some((h) => /customFields|county|classes/.test(h))).toBe(false);
    const first = rows.find((r) => r['机构标识码'] === '3135050201')!;
    expect(first).toMatchObject({
      幼儿园名称: '泉州市鲤城区实验幼儿园', 办学性质: '公办', 普惠性: '是', 办园状态: '正常办园', 城乡分类: '主城区', 办别: '教育部门办',
      等级: '一级园', 许可证截止日期: '2030-08-31', 登记状态: '已登记', 是否有食堂: '是',
    });
    expect(rows.find((r) => r['机构标识码'] === '3135050203')).toMatchObject({ 办学性质: '民办', 是否有食堂: '' });
    expect(await lastRecord()).toMatchObject({ kind: 'kindergartens', format: 'xlsx', rowCount: own, username: 'demo-county', level: 'county', reach: 'region:350502', fullNumbers: false });
  });

  test('the other county sees its own and the 厦门 field; a prefecture more, the province and Ministry all; csv with a BOM', async () => {
    const xiamen = await table(county2, '/api/kindergarten-export?format=csv');
    expect(xiamen.rows.map((r) => r['机构标识码']).sort()).toEqual(['3135020301', '3135020302']);
    expect(xiamen.rows.find((r) => r['机构标识码'] === '3135020301')!['厦门专项']).toBe('海湾园所');
    const quanzhou = await table(prefecture, '/api/kindergarten-export?format=csv');
    expect(quanzhou.rows).toHaveLength(await countWhere(KINDERGARTEN, { countyCode: { $startsWith: '3505' } }));
    expect(quanzhou.rows.map((r) => r['机构标识码'])).toEqual(expect.arrayContaining(['3135050201', '3135050301', '3135058101']));
    expect(quanzhou.rows.some((r) => r['所属区县代码'].startsWith('3502'))).toBe(false);
    expect(quanzhou.headers).not.toContain('厦门专项');
    expect(await lastRecord()).toMatchObject({ kind: 'kindergartens', format: 'csv', rowCount: quanzhou.rows.length, reach: 'region:3505' });
    const fujian = await table(province, '/api/kindergarten-export?format=csv');
    expect(fujian.rows).toHaveLength(await countWhere(KINDERGARTEN, { countyCode: { $startsWith: '35' } }));
    expect(fujian.headers).toEqual(expect.arrayContaining(['是否有食堂', '厦门专项']));
    const all = await table(ministry, '/api/kindergarten-export?format=csv');
    expect(all.rows).toHaveLength(await countWhere(KINDERGARTEN, {}));
  });

  test('a kindergarten exports its own record only', async () => {
    const { rows } = await table(kindergarten, '/api/kindergarten-export?format=csv');
    expect(rows.map((r) => r['机构标识码'])).toEqual(['3135050201']);
    expect(await lastRecord()).toMatchObject({ kind: 'kindergartens', rowCount: 1, reach: 'institution:3135050201' });
  });

  test('the list filters apply: REST filters, the panel filter JSON with its search, custom-field filters', async () => {
    const privateOnes = await table(province, '/api/kindergarten-export?format=csv&filters[ownership][$eq]=private');
    expect(privateOnes.rows.length).toBe(await countWhere(KINDERGARTEN, { ownership: 'private' }));
    expect(privateOnes.rows.every((r) => r['办学性质'] === '民办')).toBe(true);
    expect((await lastRecord()).filters).toEqual({ ownership: { $eq: 'private' } });
    const searched = await table(province, `/api/kindergarten-export?format=csv&filter=${encodeURIComponent(JSON.stringify({ q: '蓝天', status: 'operating' }))}`);
    expect(searched.rows.map((r) => r['幼儿园名称'])).toEqual(['丰泽区蓝天幼儿园']);
    const canteen = await table(prefecture, `/api/kindergarten-export?format=csv&filter=${encodeURIComponent(JSON.stringify({ customFilters: { canteen: true } }))}`);
    expect(canteen.rows.map((r) => r['机构标识码'])).toEqual(['3135050201']);
    const rest = await table(county, '/api/kindergarten-export?format=csv&customFilters[canteen]=true');
    expect(rest.rows).toHaveLength(1);
    await download(province, `/api/kindergarten-export?format=csv&filter=${encodeURIComponent('{not json')}`).expect(400);
    await download(province, '/api/kindergarten-export?format=pdf').expect(400);
  });
});

describe('staff export', () => {
  test('a kindergarten gets its own staff with full ID numbers, codes in Chinese, the custom fields; recorded', async () => {
    const own = await countWhere(STAFF, { institutionCode: '3135050201' });
    expect(own).toBeGreaterThan(1);
    const { headers, rows, text } = await table(kindergarten, '/api/staff-export?format=xlsx');
    expect(rows).toHaveLength(own);
    expect(rows.every((r) => r['所在幼儿园'] === '3135050201' && r['幼儿园名称'] === '泉州市鲤城区实验幼儿园')).toBe(true);
    for (const heading of ['姓名', '岗位', '身份证件类型', '身份证件号', '最高学历', '职称', '编制', '任职状态', '普通话等级', '是否党员']) expect(headers).toContain(heading);
    expect(text).not.toContain('李婷');
    expect(rows.find((r) => r['姓名'] === '林晓梅')).toMatchObject({
      岗位: '园长', 身份证件类型: '居民身份证', 身份证件号: LIN, 性别: '女', 最高学历: '本科', 职称: '副高级', 编制: '在编', 任职状态: '在职',
      资格证种类: '幼儿园教师资格证', 入职日期: '2000-09-01', 普通话等级: '二级甲等', 是否党员: '是',
    });
    expect(await lastRecord()).toMatchObject({ kind: 'staff', format: 'xlsx', rowCount: own, level: 'institution', reach: 'institution:3135050201', fullNumbers: true });
  });

  test('the county sees full numbers of its staff; the prefecture and province masked ones; private keys never leave', async () => {
    const own = await table(county, '/api/staff-export?format=csv');
    expect(own.rows.find((r) => r['姓名'] === '林晓梅')!['身份证件号']).toBe(LIN);
    expect(own.text).not.toContain('李婷');
    expect(await lastRecord()).toMatchObject({ kind: 'staff', fullNumbers: true, reach: 'region:350502' });

    const quanzhou = await table(prefecture, '/api/staff-export?format=csv');
    expect(quanzhou.rows).toHaveLength(await countWhere(STAFF, { countyCode: { $startsWith: '3505' } }));
    expect(quanzhou.rows.find((r) => r['姓名'] === '林晓梅')!['身份证件号']).toBe(masked(LIN));
    expect(quanzhou.text).not.toContain(LIN);
    expect(quanzhou.text).not.toContain('李婷');
    expect(await lastRecord()).toMatchObject({ kind: 'staff', fullNumbers: false, reach: 'region:3505', rowCount: quanzhou.rows.length });

    const fujian = await table(province, '/api/staff-export?format=csv');
    expect(fujian.rows.map((r) => r['姓名'])).toEqual(expect.arrayContaining(['林晓梅', '李婷']));
    expect(fujian.rows.find((r) => r['姓名'] === '李婷')!['身份证件号']).toBe(masked(LI));
    const keys = (await app.strapi.db.query(STAFF).findMany({ select: ['idKey', 'idNumber'] })) as any[];
    for (const { idKey, idNumber } of keys) {
      expect(fujian.text).not.toContain(idKey);
      expect(fujian.text).not.toContain(idNumber);
    }
    expect(fujian.headers.some((h) => /idKey|idNumberMasked|customFields|trainings/.test(h))).toBe(false);
  });

  test('the other kindergarten exports only its staff', async () => {
    const { rows } = await table(kindergarten2, '/api/staff-export?format=csv');
    expect(rows.map((r) => r['姓名']).sort()).toEqual(['周敏', '李婷'].sort());
    expect(rows.find((r) => r['姓名'] === '李婷')!['身份证件号']).toBe(LI);
  });

  test('the list filters apply (REST, the panel filter JSON, custom fields); a filter on the private number probes nothing', async () => {
    const teachers = await table(prefecture, '/api/staff-export?format=csv&filters[post][$eq]=02');
    expect(teachers.rows.length).toBe(await countWhere(STAFF, { post: '02', countyCode: { $startsWith: '3505' } }));
    expect(teachers.rows.every((r) => r['岗位'] === '专任教师')).toBe(true);
    const named = await table(province, `/api/staff-export?format=csv&filter=${encodeURIComponent(JSON.stringify({ name_containsi: '晓梅' }))}`);
    expect(named.rows.map((r) => r['姓名'])).toEqual(['林晓梅']);
    const party = await table(province, `/api/staff-export?format=csv&filter=${encodeURIComponent(JSON.stringify({ customFilters: { party_member: true } }))}`);
    expect(party.rows.map((r) => r['姓名'])).toEqual(['林晓梅']);
    const all = await countWhere(STAFF, { countyCode: { $startsWith: '35' } });
    const probe = await download(province, `/api/staff-export?format=csv&filters[idNumber][$eq]=${LIN}`);
    expect([200, 400]).toContain(probe.status);
    if (probe.status === 200) expect(parseCsv(probe.body.toString('utf8')).length - 1).toBe(all);
  });
});

describe('the audit trail', () => {
  test('each export route is in the audit trail as an export, with who and the path', async () => {
    const knex = app.strapi.db.connection;
    const entries = async (route: string) => (app.schema ? knex.withSchema(app.schema).from('audit_entries') : knex('audit_entries'))
      .where({ action: 'export', target_type: route, actor_username: 'demo-county' }).count({ n: '*' }).first();
    for (const route of ['/api/kindergarten-export', '/api/staff-export', '/api/child-export']) {
      const before = Number((await entries(route))?.n ?? 0);
      await county.get(`${route}?format=csv`).expect(200);
      expect(Number((await entries(route))?.n ?? 0)).toBe(before + 1);
    }
  });
});

describe('who may export', () => {
  test('a role without the actions gets 403; no login, 401 or 403; nothing recorded', async () => {
    const before = await app.strapi.db.query('api::export-record.export-record').count();
    await sysadmin.get('/api/kindergarten-export?format=csv').expect(403);
    await sysadmin.get('/api/staff-export?format=csv').expect(403);
    expect([401, 403]).toContain((await anonymous(app).get('/api/staff-export?format=csv')).status);
    expect([401, 403]).toContain((await anonymous(app).get('/api/kindergarten-export?format=csv')).status);
    expect(await app.strapi.db.query('api::export-record.export-record').count()).toBe(before);
  });
});
