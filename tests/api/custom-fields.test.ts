/**
 * Custom fields defined as data: a province defines fields for children (and
 * kindergartens, staff) in its province or a part of it; the values live with the record and are
 * validated on the server from the definition; they appear in the definitions each level's forms
 * use, in the list (and its filters), the export, the import template and import, and as a chart
 * dimension; retiring hides a field and keeps its values; definitions survive a restart.
 */
import ExcelJS from 'exceljs';
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { login, type Session } from '../helpers/api';
import { residentId } from '../helpers/ids';
import { secondInstance } from '../helpers/second-instance';

let app: BootedApp;
let province: Session;
let prefecture: Session;
let county: Session;
let kindergarten: Session;
let kindergarten2: Session;
let classId: string;
let class2Id: string;
let sequence = 0;

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const CHILD = 'api::child.child';

/** A valid child of 鲤城 (or of `county` with `schoolClass`), each with its own ID numbers. */
const child = (overrides: Record<string, unknown> = {}, county = '350502') => {
  sequence += 2;
  const seq = String(101 + sequence).padStart(3, '0');
  return {
    name: `字段幼儿${sequence}`, idType: '1', idNumber: residentId(county, '20220315', seq),
    birthPlace: county, nativePlace: '福建', ethnicity: '01', nationality: '156', overseasChinese: '00', health: '10',
    householdRegion: county, householdType: '2', address: '中山路 1 号', phone: '13800000000', enrolledOn: '2025-09-01',
    enrollmentMode: '1', onlyChild: true, schoolClass: county === '350502' ? classId : class2Id,
    guardians: [{ name: '家长', relation: '1', idType: '1', idNumber: residentId(county, '19900101', seq), phone: '13800000001' }],
    ...overrides,
  };
};

const binary = (res: any, callback: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
};
const download = (session: Session, url: string) => session.get(url).buffer(true).parse(binary);
const countChildren = () => app.strapi.db.query(CHILD).count({});
const errorPaths = (response: any) => (response.body.error?.details?.errors ?? []).map((e: any) => e.path);
const applicable = async (session: Session, entity = 'child') => (await session.get(`/api/custom-fields/applicable?entity=${entity}`).expect(200)).body.data.map((d: any) => d.key).sort();

const defined: Record<string, string> = {};
let oldChildId: string;

beforeAll(async () => {
  app = await bootStrapi();
  [province, prefecture, county, kindergarten, kindergarten2] = await Promise.all(
    ['demo-province', 'demo-prefecture', 'demo-county', 'demo-kindergarten', 'demo-kindergarten-2'].map((u) => login(app, u)),
  );
  classId = (await kindergarten.get('/api/school-classes?filters[name][$eq]=小一班').expect(200)).body.data[0].documentId;
  class2Id = (await kindergarten2.get('/api/school-classes?filters[name][$eq]=小一班').expect(200)).body.data[0].documentId;
  // a record entered before any custom field exists
  oldChildId = (await kindergarten.post('/api/children', { data: child({ name: '老记录' }) }).expect(201)).body.data.documentId;
});
afterAll(async () => { await app?.stop(); });

describe('defining fields', () => {
  test('only the province defines: county, kindergarten and prefecture are refused (403), nothing is stored', async () => {
    const data = { entity: 'child', key: 'vaccinated', label: '是否接种疫苗', type: 'boolean', required: true };
    for (const session of [county, kindergarten, prefecture]) await session.post('/api/custom-fields', { data }).expect(403);
    expect(await app.strapi.db.query('api::custom-field.custom-field').count({})).toBe(0);
  });

  test('the province defines fields for its province (by default) or a part of it', async () => {
    const created = [
      { entity: 'child', key: 'vaccinated', label: '是否接种疫苗', type: 'boolean', required: true, help: '按接种证填写' },
      { entity: 'child', key: 'height', label: '身高（厘米）', type: 'number', min: 50, max: 150, regionCode: '350500' },
      { entity: 'child', key: 'insurance_no', label: '医保卡号', type: 'text', pattern: '^[A-Z]{2}\\d{6}$' },
      { entity: 'child', key: 'blood', label: '血型（复核）', type: 'choice', codeTable: 'bloodType' },
      { entity: 'child', key: 'hukou_town', label: '原户籍地', type: 'region' },
      { entity: 'child', key: 'checked_on', label: '体检日期', type: 'date' },
      { entity: 'kindergarten', key: 'canteen', label: '是否有食堂', type: 'boolean' },
      { entity: 'staff', key: 'mandarin', label: '普通话等级', type: 'text', max: 10 },
    ];
    for (const data of created) {
      const response = await province.post('/api/custom-fields', { data }).expect(201);
      expect(response.body.data).toMatchObject({ key: data.key, regionCode: data.regionCode ?? '350000', retired: false });
      defined[data.key] = response.body.data.documentId;
    }
    const listed = (await province.get('/api/custom-fields?pagination[pageSize]=50').expect(200)).body.data;
    expect(listed).toHaveLength(created.length);
    // the prefecture reads the definitions of its own part of the province
    expect((await prefecture.get('/api/custom-fields').expect(200)).body.data.map((d: any) => d.key)).toEqual(['height']);
  });

  test.each([
    ['a choice without a code table', { key: 'x1', type: 'choice' }, 'codeTable'],
    ['an unknown code table', { key: 'x2', type: 'choice', codeTable: 'nope' }, 'codeTable'],
    ['min above max', { key: 'x3', type: 'number', min: 10, max: 5 }, 'max'],
    ['a pattern that is no regular expression', { key: 'x4', type: 'text', pattern: '([a-' }, 'pattern'],
    ['a key with capitals', { key: 'Bad-Key', type: 'text' }, 'key'],
    ['an unknown type', { key: 'x5', type: 'colour' }, 'type'],
    ['a region that does not exist', { key: 'x6', type: 'text', regionCode: '359999' }, 'regionCode'],
  ])('%s is a 400 naming the field', async (_label, data, field) => {
    const before = await app.strapi.db.query('api::custom-field.custom-field').count({});
    const response = await province.post('/api/custom-fields', { data: { entity: 'child', label: '测试', ...data } }).expect(400);
    expect(errorPaths(response)).toContainEqual([field]);
    expect(await app.strapi.db.query('api::custom-field.custom-field').count({})).toBe(before);
  });

  test('a field outside the province is refused; a key is defined once per entity in a province (409)', async () => {
    await province.post('/api/custom-fields', { data: { entity: 'child', key: 'zj', label: '浙江', type: 'text', regionCode: '330000' } }).expect(403);
    const again = await province.post('/api/custom-fields', { data: { entity: 'child', key: 'vaccinated', label: '重复', type: 'boolean', regionCode: '350500' } }).expect(409);
    expect(errorPaths(again)).toEqual([['key']]);
    // the key and type of a field never change (stored values depend on them)
    const changed = await province.put(`/api/custom-fields/${defined.height}`, { data: { type: 'text' } }).expect(400);
    expect(errorPaths(changed)).toEqual([['type']]);
  });
});

describe('where fields apply', () => {
  test('a kindergarten reads the fields of its county: the prefecture-limited one only inside 泉州', async () => {
    expect(await applicable(kindergarten)).toEqual(['blood', 'checked_on', 'height', 'hukou_town', 'insurance_no', 'vaccinated']);
    expect(await applicable(kindergarten2)).toEqual(['blood', 'checked_on', 'hukou_town', 'insurance_no', 'vaccinated']);
    const [vaccinated] = (await kindergarten.get('/api/custom-fields/applicable?entity=child').expect(200)).body.data;
    expect(vaccinated).toMatchObject({ key: 'vaccinated', label: '是否接种疫苗', type: 'boolean', required: true, help: '按接种证填写' });
    expect(await applicable(kindergarten, 'kindergarten')).toEqual(['canteen']);
    expect(await applicable(county, 'staff')).toEqual(['mandarin']);
    await kindergarten.get('/api/custom-fields/applicable?entity=child&countyCode=350203').expect(400);
    await kindergarten.get('/api/custom-fields/applicable?entity=nothing').expect(400);
  });
});

describe('values are validated on the server', () => {
  test('a new child without the required field is refused with ["customFields", "vaccinated"], nothing written', async () => {
    const before = await countChildren();
    const response = await kindergarten.post('/api/children', { data: child() }).expect(400);
    expect(errorPaths(response)).toEqual([['customFields', 'vaccinated']]);
    expect(response.body.error.message).toContain('是否接种疫苗必填');
    expect(await countChildren()).toBe(before);
  });

  test.each([
    ['out of range', { vaccinated: true, height: 200 }, 'height', '不能大于 150'],
    ['not a number', { vaccinated: true, height: 'tall' }, 'height', '须为数字'],
    ['a pattern mismatch', { vaccinated: true, insurance_no: 'ab12' }, 'insurance_no', '格式不正确'],
    ['a code outside its table', { vaccinated: true, blood: '8' }, 'blood', '不是代码表中的值'],
    ['a region that does not exist', { vaccinated: true, hukou_town: '359999' }, 'hukou_town', '不是有效的行政区划代码'],
    ['an impossible date', { vaccinated: true, checked_on: '2025-02-30' }, 'checked_on', '有效日期'],
    ['a yes/no that is text', { vaccinated: 'maybe' }, 'vaccinated', '“是”或“否”'],
    ['an unknown key', { vaccinated: true, bogus: 1 }, 'bogus', '没有名为「bogus」的自定义字段'],
  ])('%s is a 400 naming the field, nothing written', async (_label, customFields, key, text) => {
    const before = await countChildren();
    const response = await kindergarten.post('/api/children', { data: child({ customFields }) }).expect(400);
    expect(errorPaths(response)).toEqual([['customFields', key]]);
    expect(response.body.error.message).toContain(text);
    expect(await countChildren()).toBe(before);
  });

  test('the prefecture-limited field does not exist for a kindergarten outside 泉州', async () => {
    const response = await kindergarten2.post('/api/children', { data: child({ customFields: { vaccinated: true, height: 100 } }, '350203') }).expect(400);
    expect(errorPaths(response)).toEqual([['customFields', 'height']]);
    await kindergarten2.post('/api/children', { data: child({ customFields: { vaccinated: false } }, '350203') }).expect(201);
  });

  test('valid values are stored with the record (cast: "98" → 98) and read back', async () => {
    const created = await kindergarten.post('/api/children', {
      data: child({ name: '已接种', customFields: { vaccinated: true, height: '98', insurance_no: 'FJ123456', blood: '4', hukou_town: '350203', checked_on: '2025-08-20' } }),
    }).expect(201);
    const read = await kindergarten.get(`/api/children/${created.body.data.documentId}`).expect(200);
    expect(read.body.data.customFields).toEqual({ vaccinated: true, height: 98, insurance_no: 'FJ123456', blood: '4', hukou_town: '350203', checked_on: '2025-08-20' });
  });

  test('kindergartens and staff carry their own fields', async () => {
    const own = (await kindergarten.get('/api/kindergartens?filters[code][$eq]=3135050201').expect(200)).body.data[0];
    const refused = await kindergarten.put(`/api/kindergartens/${own.documentId}`, { data: { customFields: { canteen: 'yes' } } }).expect(400);
    expect(errorPaths(refused)).toEqual([['customFields', 'canteen']]);
    await kindergarten.put(`/api/kindergartens/${own.documentId}`, { data: { customFields: { canteen: true } } }).expect(200);
    expect((await kindergarten.get(`/api/kindergartens/${own.documentId}`).expect(200)).body.data.customFields).toEqual({ canteen: true });
    const staff = (await kindergarten.get('/api/staff-members').expect(200)).body.data[0];
    const tooLong = await kindergarten.put(`/api/staff-members/${staff.documentId}`, { data: { customFields: { mandarin: '一级甲等一级甲等一级甲等' } } }).expect(400);
    expect(errorPaths(tooLong)).toEqual([['customFields', 'mandarin']]);
    await kindergarten.put(`/api/staff-members/${staff.documentId}`, { data: { customFields: { mandarin: '二级甲等' } } }).expect(200);
  });
});

describe('a new required field and old records', () => {
  test('the old record still reads and lists; its next edit needs the field', async () => {
    expect((await kindergarten.get(`/api/children/${oldChildId}`).expect(200)).body.data.customFields).toBeNull();
    const list = (await kindergarten.get('/api/children?pagination[pageSize]=100').expect(200)).body.data;
    expect(list.map((c: any) => c.documentId)).toContain(oldChildId);
    const refused = await kindergarten.put(`/api/children/${oldChildId}`, { data: { phone: '13900000009' } }).expect(400);
    expect(errorPaths(refused)).toEqual([['customFields', 'vaccinated']]);
    expect((await app.strapi.db.query(CHILD).findOne({ where: { documentId: oldChildId } })).phone).toBe('13800000000');
    await kindergarten.put(`/api/children/${oldChildId}`, { data: { phone: '13900000009', customFields: { vaccinated: false } } }).expect(200);
    expect((await kindergarten.get(`/api/children/${oldChildId}`).expect(200)).body.data).toMatchObject({ phone: '13900000009', customFields: { vaccinated: false } });
  });
});

describe('lists, exports, the import template and import', () => {
  test('the list filters by a yes/no field (REST and the panel bridge); an unknown filter is a 400', async () => {
    const vaccinated = (await kindergarten.get('/api/children?customFilters[vaccinated]=true&pagination[pageSize]=100').expect(200)).body.data;
    expect(vaccinated.map((c: any) => c.name)).toEqual(['已接种']);
    const not = (await kindergarten.get('/api/children?customFilters[vaccinated]=false&pagination[pageSize]=100').expect(200)).body;
    expect(not.data.map((c: any) => c.name)).toEqual(['老记录']);
    expect(not.meta.pagination.total).toBe(1);
    const ra = await kindergarten.get(`/ra/children?filter=${encodeURIComponent(JSON.stringify({ customFilters: { blood: '4' } }))}&range=[0,24]`).expect(200);
    expect(ra.body.map((c: any) => c.name)).toEqual(['已接种']);
    expect(ra.headers['content-range']).toMatch(/\/1$/);
    const bad = await kindergarten.get('/api/children?customFilters[height]=3').expect(400);
    expect(errorPaths(bad)).toEqual([['customFilters', 'height']]);
  });

  (process.env.DATABASE_URL ? test : test.skip)('PostgreSQL: the list filter is a jsonb containment a GIN index serves (no full read of a province)', async () => {
    const knex = app.strapi.db.connection;
    const seen: { sql: string; bindings: unknown[] }[] = [];
    const listen = (query: any) => { if (/custom_fields/.test(query.sql) && /\bselect\b/i.test(query.sql)) seen.push({ sql: query.sql, bindings: query.bindings }); };
    knex.on('query', listen);
    try {
      await province.get('/api/children?customFilters[vaccinated]=true&pagination[pageSize]=10').expect(200);
    } finally {
      knex.off('query', listen);
    }
    const filtered = seen.find((q) => /custom_fields[^,]*@>/.test(q.sql));
    expect(filtered).toBeDefined();
    const condition = filtered!.sql.match(/"?t0"?\."?custom_fields"?\s*@>\s*\$(\d+)/);
    expect(condition).not.toBeNull();
    const value = filtered!.bindings[Number(condition![1]) - 1];
    expect(JSON.parse(String(value))).toEqual({ vaccinated: true });
    // The index is there, and it answers that containment (the tables are tiny here, so the planner
    // would read them whole: with sequential scans off it shows which index serves the condition).
    const index = (await knex.raw("SELECT indexdef FROM pg_indexes WHERE tablename = 'children' AND indexname = 'children__custom_fields__gin' AND schemaname = current_schema()")).rows;
    expect(index).toEqual([{ indexdef: expect.stringMatching(/USING gin \(custom_fields jsonb_path_ops\)/) }]);
    const plan = await knex.transaction(async (trx) => {
      await trx.raw('SET LOCAL enable_seqscan = off');
      return (await trx.raw('EXPLAIN SELECT id FROM children WHERE custom_fields @> ?::jsonb', [value])).rows.map((r: any) => r['QUERY PLAN']).join('\n');
    });
    expect(plan).toContain('children__custom_fields__gin');
  });

  test('the export has a column per field, values in Chinese; the filter applies to it', async () => {
    const text = (await download(province, '/api/child-export?format=csv').expect(200)).body.toString('utf8');
    const [header, ...lines] = text.replace(/^\ufeff/, '').trim().split('\r\n');
    const columns = header.split(',');
    for (const label of ['是否接种疫苗', '身高（厘米）', '医保卡号', '血型（复核）']) expect(columns).toContain(label);
    const line = lines.find((l) => l.startsWith('已接种'))!.split(',');
    expect(line[columns.indexOf('是否接种疫苗')]).toBe('是');
    expect(line[columns.indexOf('血型（复核）')]).toBe('O型');
    expect(line[columns.indexOf('身高（厘米）')]).toBe('98');
    const filtered = (await download(kindergarten, `/api/child-export?format=csv&filter=${encodeURIComponent(JSON.stringify({ customFilters: { vaccinated: true } }))}`).expect(200)).body.toString('utf8');
    expect(filtered.trim().split('\r\n')).toHaveLength(2);
  });

  test('the import template has the fields as columns (required marked, yes/no and code drop-downs); import validates them', async () => {
    const template = (await download(kindergarten, '/api/child-import/template').expect(200)).body;
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(template as any);
    const sheet = book.getWorksheet('幼儿信息')!;
    const headers = (sheet.getRow(1).values as unknown[]).slice(1).map(String);
    expect(headers).toEqual(expect.arrayContaining(['*是否接种疫苗', '身高（厘米）', '血型（复核）']));
    const letter = (header: string) => {
      let text = '';
      for (let n = headers.indexOf(header) + 1; n > 0; n = Math.floor((n - 1) / 26)) text = String.fromCharCode(65 + ((n - 1) % 26)) + text;
      return text;
    };
    const validations = Object.entries((sheet as any).dataValidations.model) as [string, any][];
    const on = (header: string) => validations.filter(([address]) => address.match(/^[A-Z]+/)![0] === letter(header)).map(([, v]) => v);
    expect(on('*是否接种疫苗').some((v) => String(v.formulae[0]).includes('是,否'))).toBe(true);
    expect(on('血型（复核）').some((v) => v.type === 'list' && String(v.formulae[0]).includes('血型'))).toBe(true);
    expect(on('身高（厘米）')).toEqual([]);

    // a file: one row without the required field, one with a bad height, one valid
    const upload = new ExcelJS.Workbook();
    const data = upload.addWorksheet('幼儿信息');
    const columns = ['姓名', '身份证件类型', '证件号码', '出生地', '籍贯', '民族', '国籍/地区', '港澳台侨外', '健康状况', '户口所在地', '户口性质', '现住址', '联系电话', '入园日期', '班级', '就读方式', '是否独生子女', '监护人1姓名', '监护人1与幼儿关系', '监护人1证件号码', '是否接种疫苗', '身高（厘米）'];
    data.addRow(columns);
    const line = (n: number, vaccinated: string | null, height: string | null) => [`导入${n}`, '居民身份证', residentId('350502', '20220101', String(301 + 2 * n)), '350502', '福建', '汉族', '中国', '否', '健康或良好', '350502', '非农业', '路 1 号', '13800000000', '2025-09-01', '小一班', '走读', '是', `家长${n}`, '父亲', residentId('350502', '19900202', String(301 + 2 * n)), vaccinated, height];
    data.addRow(line(1, null, '100'));
    data.addRow(line(2, '是', '300'));
    data.addRow(line(3, '是', '101'));
    const buffer = Buffer.from(await upload.xlsx.writeBuffer());
    const started = await kindergarten.post('/api/child-import').attach('file', buffer, { filename: 'c.xlsx', contentType: XLSX }).field('mode', 'valid-only').expect(202);
    await (app.strapi.service('api::child-import.child-import') as any).settle();
    const job = (await kindergarten.get(`/api/child-import/${started.body.data.id}`).expect(200)).body.data;
    expect(job).toMatchObject({ state: 'done', imported: 1, failed: 2 });
    expect(job.errors).toEqual(expect.arrayContaining([
      expect.objectContaining({ row: 2, column: '是否接种疫苗', field: 'customFields.vaccinated' }),
      expect.objectContaining({ row: 3, column: '身高（厘米）', field: 'customFields.height' }),
    ]));
    const imported = await app.strapi.db.query(CHILD).findOne({ where: { name: '导入3' } });
    expect(imported.customFields).toEqual({ vaccinated: true, height: 101 });

    // the definitions as they are at the next import (each import reads them afresh): a wider range
    // admits the height refused above, and the field's label names the column of a problem
    await province.put(`/api/custom-fields/${defined.height}`, { data: { max: 400, label: '身高（厘米，复核）' } }).expect(200);
    const next = new ExcelJS.Workbook();
    const again = next.addWorksheet('幼儿信息');
    again.addRow(columns.map((c) => (c === '身高（厘米）' ? '身高（厘米，复核）' : c)));
    again.addRow(line(4, '是', '300'));
    again.addRow(line(5, '是', '500'));
    const second = await kindergarten.post('/api/child-import').attach('file', Buffer.from(await next.xlsx.writeBuffer()), { filename: 'c.xlsx', contentType: XLSX }).field('mode', 'valid-only').expect(202);
    await (app.strapi.service('api::child-import.child-import') as any).settle();
    const secondJob = (await kindergarten.get(`/api/child-import/${second.body.data.id}`).expect(200)).body.data;
    expect(secondJob).toMatchObject({ state: 'done', imported: 1, failed: 1 });
    expect(secondJob.errors).toEqual([expect.objectContaining({ row: 3, column: '身高（厘米，复核）', field: 'customFields.height' })]);
    expect((await app.strapi.db.query(CHILD).findOne({ where: { name: '导入4' } })).customFields).toEqual({ vaccinated: true, height: 300 });
    await province.put(`/api/custom-fields/${defined.height}`, { data: { max: 150, label: '身高（厘米）' } }).expect(200);
  });
});

describe('chart dimension', () => {
  test('children grouped by a yes/no field and by a code-table field, inside the reach', async () => {
    const expected = async (where: string) => {
      const rows = await app.strapi.db.query(CHILD).findMany({ where: { status: { $in: ['draft', 'registered'] } }, select: ['customFields', 'countyCode'] });
      return rows.filter((r: any) => r.countyCode.startsWith(where));
    };
    const result = (await province.post('/api/statistics/query', { indicator: 'children', dimension: 'custom:vaccinated' }).expect(200)).body;
    const all = await expected('35');
    const yes = all.filter((r: any) => r.customFields?.vaccinated === true).length;
    const no = all.filter((r: any) => r.customFields?.vaccinated === false).length;
    expect(yes).toBeGreaterThan(0);
    expect(result.dimension.label).toBe('是否接种疫苗');
    expect(result.rows.find((r: any) => r.key === 'true')).toMatchObject({ label: '是', value: yes });
    expect(result.rows.find((r: any) => r.key === 'false')).toMatchObject({ label: '否', value: no });
    expect(result.total.value).toBe(all.length);
    const mine = (await kindergarten2.post('/api/statistics/query', { indicator: 'children', dimension: 'custom:vaccinated' }).expect(200)).body;
    expect(mine.total.value).toBe((await app.strapi.db.query(CHILD).count({ where: { institutionCode: '3135020301', status: { $in: ['draft', 'registered'] } } })));
    const blood = (await province.post('/api/statistics/query', { indicator: 'children', dimension: 'custom:blood' }).expect(200)).body;
    expect(blood.rows.find((r: any) => r.key === '4')).toMatchObject({ label: 'O型', value: 1 });
    // text fields and unknown keys are no dimension; nothing reaches SQL
    for (const dimension of ['custom:insurance_no', "custom:x') OR 1=1 --", 'custom:nope']) {
      const bad = await province.post('/api/statistics/query', { indicator: 'children', dimension }).expect(400);
      expect(errorPaths(bad)).toEqual([['dimension']]);
    }
    const catalog = (await province.get('/api/statistics/catalog').expect(200)).body;
    expect(catalog.dimensions.map((d: any) => d.key)).toEqual(expect.arrayContaining(['custom:vaccinated', 'custom:blood']));
    // an analyst's chart page may group by it (the prefecture sees its own part: 泉州's children)
    const prefectureView = (await prefecture.get('/api/statistics/catalog').expect(200)).body.dimensions.map((d: any) => d.key);
    expect(prefectureView).toEqual(expect.arrayContaining(['custom:vaccinated', 'custom:blood']));
    const page = (await prefecture.post('/api/chart-pages', { data: { title: '接种情况', charts: [{ title: '是否接种', indicator: 'children', dimension: 'custom:vaccinated', type: 'pie' }] } }).expect(201)).body.data;
    const drawn = (await prefecture.get(`/api/chart-pages/${page.documentId ?? page.id}/charts/0/data`).expect(200)).body;
    const quanzhou = await expected('3505');
    expect(JSON.stringify(drawn)).toContain('是否接种疫苗');
    const rows = drawn.data.result.rows;
    expect(rows.find((r: any) => r.key === 'true')?.value ?? 0).toBe(quanzhou.filter((r: any) => r.customFields?.vaccinated === true).length);
  });
});

describe('retiring', () => {
  test('a retired field disappears from the definitions and forms; its values stay on the record and cannot change', async () => {
    const withValue = await app.strapi.db.query(CHILD).findOne({ where: { name: '已接种' } });
    await county.post(`/api/custom-fields/${defined.insurance_no}/retire`).expect(403);
    await province.post(`/api/custom-fields/${defined.insurance_no}/retire`).expect(200);
    expect(await applicable(kindergarten)).not.toContain('insurance_no');
    const read = await kindergarten.get(`/api/children/${withValue.documentId}`).expect(200);
    expect(read.body.data.customFields.insurance_no).toBe('FJ123456');
    // an edit that sends the record back as read keeps it; changing it is refused
    await kindergarten.put(`/api/children/${withValue.documentId}`, { data: { customFields: read.body.data.customFields } }).expect(200);
    const changed = await kindergarten.put(`/api/children/${withValue.documentId}`, { data: { customFields: { ...read.body.data.customFields, insurance_no: 'FJ000000' } } }).expect(400);
    expect(errorPaths(changed)).toEqual([['customFields', 'insurance_no']]);
    expect((await app.strapi.db.query(CHILD).findOne({ where: { id: withValue.id } })).customFields.insurance_no).toBe('FJ123456');
    // a new record cannot use it any more
    const refused = await kindergarten.post('/api/children', { data: child({ customFields: { vaccinated: true, insurance_no: 'FJ654321' } }) }).expect(400);
    expect(errorPaths(refused)).toEqual([['customFields', 'insurance_no']]);
    // definitions are never deleted (no route)
    expect([404, 405]).toContain((await province.del(`/api/custom-fields/${defined.insurance_no}`)).status);
    expect(await app.strapi.db.query('api::custom-field.custom-field').count({ where: { key: 'insurance_no' } })).toBe(1);
  });

  test('changes of definitions are in the audit trail', async () => {
    const { auditTable } = require('../../cms/dist/src/security/audit');
    const rows = await app.strapi.db.connection(auditTable(app.strapi)).where({ target_type: 'api::custom-field.custom-field' }).select('action', 'details');
    expect(rows.filter((r: any) => r.action === 'record.create').length).toBeGreaterThanOrEqual(8);
    expect(rows.some((r: any) => r.action === 'record.update' && JSON.stringify(r.details).includes('retired'))).toBe(true);
  });
});

describe('restart', () => {
  test('the definitions and values survive a restart: a second instance on the same database enforces them', async () => {
    const second = await secondInstance(app);
    try {
      const headers = { Authorization: `Bearer ${kindergarten.jwt}`, 'Content-Type': 'application/json' };
      const definitions = await (await fetch(`${second.url}/api/custom-fields/applicable?entity=child`, { headers })).json();
      expect(definitions.data.map((d: any) => d.key).sort()).toEqual(['blood', 'checked_on', 'height', 'hukou_town', 'vaccinated']);
      const refused = await fetch(`${second.url}/api/children`, { method: 'POST', headers, body: JSON.stringify({ data: child() }) });
      expect(refused.status).toBe(400);
      expect((await refused.json()).error.details.errors[0].path).toEqual(['customFields', 'vaccinated']);
    } finally {
      await second.stop();
    }
  });
});

describe('for people: keys made from labels, formats by name', () => {
  const fieldKeys: Record<string, string> = {};

  test('a field sent without a key gets one from its label in pinyin, made unique; the formats are listed by name', async () => {
    const formats = (await kindergarten.get('/api/custom-fields/formats').expect(200)).body.data;
    expect(formats.map((f: any) => f.name)).toEqual(expect.arrayContaining(['手机号码', '固定电话', '邮政编码', '统一社会信用代码', '身份证号', '整数范围']));
    const fields = [
      ['mobile', { label: '家长手机', type: 'text', format: 'mobile' }],
      ['landline', { label: '家长手机', type: 'text', format: 'landline' }],
      ['resident', { label: '紧急联系人身份证号', type: 'text', format: 'residentId' }],
      ['siblings', { label: '兄弟姐妹人数', type: 'number', format: 'integer', min: 0, max: 10 }],
    ] as const;
    for (const [name, data] of fields) {
      const response = await province.post('/api/custom-fields', { data: { entity: 'child', ...data } }).expect(201);
      fieldKeys[name] = response.body.data.key;
      expect(response.body.data.format).toBe(data.format);
    }
    expect(fieldKeys).toEqual({ mobile: 'jia_zhang_shou_ji', landline: 'jia_zhang_shou_ji_2', resident: 'jin_ji_lian_xi_ren_shen_fen_zheng', siblings: 'xiong_di_jie_mei_ren_shu' });
  });

  test.each([
    ['an unknown format', { type: 'text', format: 'colour' }, 'format'],
    ['a number format on a text field', { type: 'text', format: 'integer' }, 'format'],
    ['a format and an advanced pattern at once', { type: 'text', format: 'postcode', pattern: '^\\d+$' }, 'pattern'],
  ])('%s is a 400 naming the field', async (_label, data, field) => {
    const response = await province.post('/api/custom-fields', { data: { entity: 'child', label: '格式测试', ...data } }).expect(400);
    expect(errorPaths(response)).toContainEqual([field]);
  });

  test('values are checked by their format, with a message naming the field and the format', async () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ [fieldKeys.mobile]: '1380000' }, fieldKeys.mobile, '家长手机须为 11 位手机号码'],
      [{ [fieldKeys.landline]: '22123456' }, fieldKeys.landline, '带区号的固定电话'],
      [{ [fieldKeys.resident]: residentId('350502', '19900101', '123').slice(0, 17) + 'Y' }, fieldKeys.resident, '校验位和出生日期'],
      [{ [fieldKeys.siblings]: 2.5 }, fieldKeys.siblings, '兄弟姐妹人数须为整数'],
      [{ [fieldKeys.siblings]: 11 }, fieldKeys.siblings, '不能大于 10'],
    ];
    for (const [values, key, text] of cases) {
      const response = await kindergarten.post('/api/children', { data: child({ customFields: { vaccinated: true, ...values } }) }).expect(400);
      expect(errorPaths(response)).toEqual([['customFields', key]]);
      expect(response.body.error.message).toContain(text);
    }
    const valid = residentId('350502', '19900101', '123');
    const flipped = valid.slice(0, 17) + (valid[17] === '0' ? '1' : '0');
    await kindergarten.post('/api/children', { data: child({ customFields: { vaccinated: true, [fieldKeys.resident]: flipped } }) }).expect(400);
    const ok = await kindergarten.post('/api/children', {
      data: child({ customFields: { vaccinated: true, [fieldKeys.mobile]: '13912345678', [fieldKeys.landline]: '0595-22123456', [fieldKeys.resident]: valid, [fieldKeys.siblings]: 2 } }),
    }).expect(201);
    expect(ok.body.data.customFields).toMatchObject({ [fieldKeys.mobile]: '13912345678', [fieldKeys.siblings]: 2 });
  });
});
