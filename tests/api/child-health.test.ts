/**
 * 卫生保健 (docs/health.md): health checks with growth indicators computed at save, vaccination
 * certificate checks, allergies and chronic conditions — who may read and write what at every level
 * (kindergarten, county, prefecture, province, ministry; another county and kindergarten; a teacher),
 * bad input, and the rates (体检率, 接种证查验率, 超重率, 肥胖率) of the statistics against hand SQL.
 */
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { login, type Session } from '../helpers/api';
import { residentId } from '../helpers/ids';
import ExcelJS from 'exceljs';

let app: BootedApp;
const sessions: Record<string, Session> = {};
const as = async (username: string) => (sessions[username] ??= await login(app, username));
const sql = async (text: string, bindings: unknown[] = []) => {
  const qualified = app.schema ? text.replace(/\b(FROM|JOIN) (\w+)/g, `$1 ${app.schema}.$2`) : text;
  const result: any = await app.strapi.db.connection.raw(qualified, bindings as any);
  return (Array.isArray(result) ? result : result.rows)[0];
};
const iso = (date: Date) => date.toISOString().slice(0, 10);
const daysAgo = (days: number) => iso(new Date(Date.now() - days * 86_400_000));
const now = new Date();
// about 4 years 8 months old: inside the WHO 2–5 years tables for every check below
const BIRTH = iso(new Date(Date.UTC(now.getUTCFullYear() - 4, now.getUTCMonth() - 8, 1)));

let n = 0;
function child(classId: string) {
  n += 1;
  return {
    name: `保健${n}`, idType: '1', idNumber: residentId('350502', BIRTH.replace(/-/g, ''), String(100 + n * 2 + 1)), birthPlace: '350502', nativePlace: '福建', ethnicity: '01', nationality: '156',
    overseasChinese: '00', health: '10', householdRegion: '350502', householdType: '1', address: '某路', phone: '1', enrolledOn: '2025-09-01', enrollmentMode: '1', onlyChild: false,
    leftBehind: '0', migrant: false, schoolClass: classId, guardians: [{ name: '家长', relation: '1', idType: '1', idNumber: residentId('350502', '19900101', String(700 + n)) }],
  };
}
const check = (childId: string, extra: Record<string, unknown> = {}) => ({ child: childId, checkType: 'periodic', checkDate: daysAgo(30), checkedBy: '鲤城区妇幼保健院', heightCm: 110, weightKg: 19, visionLeft: 5.0, visionRight: 4.9, haemoglobin: 120, conclusion: '发育正常', ...extra });

// three children in 鲤城区实验幼儿园 (demo-kindergarten), one in 思明区第一幼儿园 (demo-kindergarten-2)
const kids: string[] = [];
const kidIdNumbers: string[] = [];
let otherKid: string;
let otherIdNumber: string;
let checkId: string;
let conditionId: string;
let vaccinationId: string;

beforeAll(async () => {
  app = await bootStrapi();
  const kindergarten = await as('demo-kindergarten');
  const classId = (await kindergarten.get('/api/school-classes?filters[name][$eq]=小一班').expect(200)).body.data[0].documentId;
  for (let i = 0; i < 3; i += 1) {
    const data = child(classId);
    kidIdNumbers.push(data.idNumber);
    kids.push((await kindergarten.post('/api/children', { data }).expect(201)).body.data.documentId);
  }
  const other = await as('demo-kindergarten-2');
  const otherClass = (await other.get('/api/school-classes?filters[name][$eq]=小一班').expect(200)).body.data[0].documentId;
  const data = { ...child(otherClass), idNumber: residentId('350203', BIRTH.replace(/-/g, ''), '901'), birthPlace: '350203', householdRegion: '350203' };
  otherIdNumber = data.idNumber;
  otherKid = (await other.post('/api/children', { data }).expect(201)).body.data.documentId;
}, 300_000);
afterAll(async () => { await app?.stop(); });

describe('health checks (入园体检, 定期体检)', () => {
  test('the kindergarten records a check: age, BMI, z-scores and flags computed at save, client values ignored', async () => {
    const kindergarten = await as('demo-kindergarten');
    // a place outside the reach is refused by the access scope before anything else
    await kindergarten.post('/api/child-health-checks', { data: check(kids[0], { countyCode: '350203' }) }).expect(403);
    const created = await kindergarten.post('/api/child-health-checks', { data: check(kids[0], { checkType: 'entrance', checkDate: daysAgo(200), weightKg: 23, bmiZ: -9, nutritionStatus: 'normal', ageMonths: 1 }) }).expect(201);
    expect(created.body.data).toMatchObject({ checkType: 'entrance', bmi: 19.01, nutritionStatus: 'overweight', growthFlags: ['overweight'], underweight: false, institutionCode: '3135050201', countyCode: '350502' });
    expect(created.body.data.bmiZ).toBeGreaterThan(2);
    expect(created.body.data.ageMonths).toBeGreaterThanOrEqual(48);
    checkId = created.body.data.documentId;
    // the latest check of child 0 is normal; child 1 obese; child 2 none
    expect((await kindergarten.post('/api/child-health-checks', { data: check(kids[0]) }).expect(201)).body.data).toMatchObject({ nutritionStatus: 'normal', growthFlags: [] });
    expect((await kindergarten.post('/api/child-health-checks', { data: check(kids[1], { weightKg: 27 }) }).expect(201)).body.data).toMatchObject({ nutritionStatus: 'obese', growthFlags: ['overweight', 'obese'] });
    // an update recomputes
    const updated = await kindergarten.put(`/api/child-health-checks/${checkId}`, { data: { weightKg: 15 } }).expect(200);
    expect(updated.body.data).toMatchObject({ nutritionStatus: 'thin', growthFlags: ['thin'] });
    await kindergarten.put(`/api/child-health-checks/${checkId}`, { data: { weightKg: 23 } }).expect(200);
  });

  test('bad input: 400 naming each field, nothing written', async () => {
    const kindergarten = await as('demo-kindergarten');
    const before = await app.strapi.db.query('api::child-health-check.child-health-check').count();
    const tomorrow = iso(new Date(Date.now() + 2 * 86_400_000));
    const bad = await kindergarten.post('/api/child-health-checks', { data: check(kids[2], { checkType: 'yearly', heightCm: 400, weightKg: 'heavy', checkDate: tomorrow }) }).expect(400);
    expect(bad.body.error.details.errors.map((e: any) => e.path[0]).sort()).toEqual(['checkDate', 'checkType', 'heightCm', 'weightKg']);
    expect(bad.body.error.message).toContain('身高（cm）须在');
    const early = await kindergarten.post('/api/child-health-checks', { data: check(kids[2], { checkDate: '2015-01-01' }) }).expect(400);
    expect(early.body.error.details.errors[0]).toMatchObject({ path: ['checkDate'], message: '日期不能早于幼儿出生日期' });
    await kindergarten.post('/api/child-health-checks', { data: check('') }).expect(400);
    expect(await app.strapi.db.query('api::child-health-check.child-health-check').count()).toBe(before);
  });

  test('a child outside the reach is no child: another kindergarten, another county, and no moving a record to another child', async () => {
    const response = await (await as('demo-kindergarten-2')).post('/api/child-health-checks', { data: check(kids[2]) }).expect(400);
    expect(response.body.error.details.errors[0].path).toEqual(['child']);
    await (await as('demo-kindergarten')).put(`/api/child-health-checks/${checkId}`, { data: { child: kids[2] } }).expect(400);
  });

  test.each([
    ['demo-kindergarten', true], ['demo-county', true], ['demo-prefecture', true], ['demo-province', true], ['demo-ministry', true],
    ['demo-kindergarten-2', false], ['demo-county-2', false],
  ])('%s reads the check: %s', async (username, reaches) => {
    const session = await as(username);
    const list = await session.get('/api/child-health-checks?pagination[pageSize]=100').expect(200);
    expect(list.body.data.some((c: any) => c.documentId === checkId)).toBe(reaches);
    await session.get(`/api/child-health-checks/${checkId}`).expect(reaches ? 200 : 404);
  });

  test.each(['demo-county', 'demo-prefecture', 'demo-province', 'demo-ministry', 'demo-kindergarten-2'])('%s may not write a check', async (username) => {
    const session = await as(username);
    expect([403, 404]).toContain((await session.put(`/api/child-health-checks/${checkId}`, { data: { weightKg: 20 } })).status);
    expect([400, 403]).toContain((await session.post('/api/child-health-checks', { data: check(kids[2]) })).status);
    expect([403, 404]).toContain((await session.del(`/api/child-health-checks/${checkId}`)).status);
    expect((await app.strapi.db.query('api::child-health-check.child-health-check').findOne({ where: { documentId: checkId } })).weightKg).toBe(23);
  });
});

describe('vaccination certificate checks (查验预防接种证)', () => {
  test('statuses of the code table; needs completion; a bad status or order of dates is a 400', async () => {
    const kindergarten = await as('demo-kindergarten');
    const created = await kindergarten.post('/api/vaccination-checks', { data: { child: kids[0], checkDate: daysAgo(100), status: 'toComplete', vaccinesToComplete: '麻腮风第二剂' } }).expect(201);
    vaccinationId = created.body.data.documentId;
    expect(created.body.data).toMatchObject({ status: 'toComplete', institutionCode: '3135050201', countyCode: '350502' });
    await kindergarten.post('/api/vaccination-checks', { data: { child: kids[1], checkDate: daysAgo(100), status: 'complete' } }).expect(201);
    await kindergarten.post('/api/vaccination-checks', { data: { child: kids[2], checkDate: daysAgo(100), status: 'notProvided' } }).expect(201);
    const bad = await kindergarten.post('/api/vaccination-checks', { data: { child: kids[2], checkDate: daysAgo(10), status: 'maybe' } }).expect(400);
    expect(bad.body.error.details.errors[0]).toMatchObject({ path: ['status'], message: '查验结果不是代码表中的值' });
    const order = await kindergarten.put(`/api/vaccination-checks/${vaccinationId}`, { data: { completedOn: daysAgo(200) } }).expect(400);
    expect(order.body.error.details.errors[0].path).toEqual(['completedOn']);
  });

  test.each([
    ['demo-kindergarten', true], ['demo-county', true], ['demo-prefecture', true], ['demo-province', true], ['demo-ministry', true],
    ['demo-kindergarten-2', false], ['demo-county-2', false],
  ])('%s reads the certificate check: %s', async (username, reaches) => {
    await (await as(username)).get(`/api/vaccination-checks/${vaccinationId}`).expect(reaches ? 200 : 404);
  });
});

describe('allergies and chronic conditions: the kindergarten and its county only', () => {
  test('the kindergarten records an allergy', async () => {
    const created = await (await as('demo-kindergarten')).post('/api/child-health-conditions', { data: { child: kids[0], conditionType: 'allergy', description: '花生过敏', careInstructions: '餐食去除花生' } }).expect(201);
    conditionId = created.body.data.documentId;
    expect(created.body.data).toMatchObject({ conditionType: 'allergy', active: true, countyCode: '350502' });
    const bad = await (await as('demo-kindergarten')).post('/api/child-health-conditions', { data: { child: kids[0], conditionType: 'x', description: '' } }).expect(400);
    expect(bad.body.error.details.errors.map((e: any) => e.path[0])).toContain('conditionType');
  });

  test.each([['demo-kindergarten', 200], ['demo-county', 200], ['demo-county-2', 404], ['demo-kindergarten-2', 404]])('%s reads it: %i', async (username, status) => {
    const session = await as(username);
    await session.get(`/api/child-health-conditions/${conditionId}`).expect(status);
    const list = await session.get('/api/child-health-conditions').expect(200);
    expect(list.body.data.some((c: any) => c.documentId === conditionId)).toBe(status === 200);
  });

  test.each(['demo-prefecture', 'demo-province', 'demo-ministry'])('%s is refused the records (403): it sees counts in the statistics', async (username) => {
    const session = await as(username);
    await session.get('/api/child-health-conditions').expect(403);
    await session.get(`/api/child-health-conditions/${conditionId}`).expect(403);
    const figures = (await session.post('/api/statistics/query', { indicator: 'withHealthConditions', dimension: 'county', filters: { region: '350502' } }).expect(200)).body;
    expect(figures.total.value).toBe(1);
  });

  test('the county reads but does not write', async () => {
    const county = await as('demo-county');
    await county.put(`/api/child-health-conditions/${conditionId}`, { data: { description: '改' } }).expect(403);
    await county.post('/api/child-health-conditions', { data: { child: kids[1], conditionType: 'chronic', description: '哮喘' } }).expect(403);
  });

  test('every write is in the audit trail', async () => {
    const row = await sql(`SELECT COUNT(*) AS n, SUM(CASE WHEN actor_username = 'demo-kindergarten' THEN 1 ELSE 0 END) AS own FROM audit_entries WHERE target_type IN ('api::child-health-check.child-health-check', 'api::vaccination-check.vaccination-check', 'api::child-health-condition.child-health-condition')`);
    // 3 checks, 2 updates, 3 certificate checks, 1 condition: all by the kindergarten
    expect(Number(row.n)).toBeGreaterThanOrEqual(9);
    expect(Number(row.own)).toBe(Number(row.n));
  });
});

describe('rates in the statistics, against hand SQL', () => {
  test('体检率, 接种证查验率, 超重率, 肥胖率 per kindergarten', async () => {
    const county = await as('demo-county');
    const value = async (indicator: string) => (await county.post('/api/statistics/query', { indicator, dimension: 'kindergarten' }).expect(200)).body.rows.find((r: any) => r.key === '3135050201');
    const since = daysAgo(365);
    const checked = await sql(`SELECT COUNT(DISTINCT l.child_id) AS n FROM child_health_checks h JOIN child_health_checks_child_lnk l ON l.child_health_check_id = h.id JOIN children c ON c.id = l.child_id WHERE c.institution_code = ? AND h.check_date >= ?`, ['3135050201', since]);
    const vaccinated = await sql(`SELECT COUNT(DISTINCT l.child_id) AS n FROM vaccination_checks v JOIN vaccination_checks_child_lnk l ON l.vaccination_check_id = v.id JOIN children c ON c.id = l.child_id WHERE c.institution_code = ? AND v.status IN ('complete', 'toComplete')`, ['3135050201']);
    const children = await sql(`SELECT COUNT(*) AS n FROM children WHERE institution_code = ? AND status IN ('draft', 'registered')`, ['3135050201']);
    // the latest check of each child: a check with no later one of the same child
    const latest = `SELECT h.nutrition_status AS s FROM child_health_checks h JOIN child_health_checks_child_lnk l ON l.child_health_check_id = h.id JOIN children c ON c.id = l.child_id
      WHERE c.institution_code = ? AND NOT EXISTS (SELECT 1 FROM child_health_checks h2 JOIN child_health_checks_child_lnk l2 ON l2.child_health_check_id = h2.id WHERE l2.child_id = l.child_id AND (h2.check_date > h.check_date OR (h2.check_date = h.check_date AND h2.id > h.id)))`;
    const overweight = await sql(`SELECT COUNT(*) AS n FROM (${latest}) x WHERE x.s = 'overweight'`, ['3135050201']);
    const obese = await sql(`SELECT COUNT(*) AS n FROM (${latest}) x WHERE x.s = 'obese'`, ['3135050201']);
    expect([Number(checked.n), Number(vaccinated.n), Number(children.n), Number(overweight.n), Number(obese.n)]).toEqual([2, 2, 3, 0, 1]);

    expect(await value('healthCheckRate')).toMatchObject({ numerator: Number(checked.n), denominator: Number(children.n), value: Math.round((2 / 3) * 10000) / 10000 });
    expect(await value('vaccinationCheckRate')).toMatchObject({ numerator: Number(vaccinated.n), denominator: Number(children.n) });
    expect(await value('overweightRate')).toMatchObject({ numerator: Number(overweight.n), denominator: 2, value: 0 });
    expect(await value('obesityRate')).toMatchObject({ numerator: Number(obese.n), denominator: 2, value: 0.5 });
  });

  test('per class (班级): the class of the three children, named with its kindergarten', async () => {
    const result = (await (await as('demo-kindergarten')).post('/api/statistics/query', { indicator: 'healthCheckRate', dimension: 'schoolClass' }).expect(200)).body;
    const row = result.rows.find((r: any) => r.numerator > 0);
    expect(row).toMatchObject({ numerator: 2, denominator: 3 });
    expect(row.label).toContain('小一班');
    expect(row.label).toContain('鲤城区实验幼儿园');
    const hand = await sql(`SELECT s.document_id AS id, COUNT(*) AS n FROM children c JOIN children_school_class_lnk l ON l.child_id = c.id JOIN school_classes s ON s.id = l.school_class_id WHERE c.institution_code = ? GROUP BY s.document_id`, ['3135050201']);
    expect(row.key).toBe(hand.id);
    expect(Number(hand.n)).toBe(3);
  });

  test('each level sees the rates of its reach only', async () => {
    const total = async (username: string) => (await (await as(username)).post('/api/statistics/query', { indicator: 'healthCheckRate', dimension: 'county' }).expect(200)).body.total;
    expect(await total('demo-county')).toMatchObject({ numerator: 2, denominator: 3 });
    expect(await total('demo-county-2')).toMatchObject({ numerator: 0, denominator: 1 });
    expect(await total('demo-kindergarten-2')).toMatchObject({ numerator: 0, denominator: 1 });
    expect(await total('demo-province')).toMatchObject({ numerator: 2, denominator: 4 });
    expect(await total('demo-ministry')).toMatchObject({ numerator: 2, denominator: 4 });
  });

  test('a check of the other kindergarten moves only its figures', async () => {
    await (await as('demo-kindergarten-2')).post('/api/child-health-checks', { data: check(otherKid) }).expect(201);
    const total = async (username: string) => (await (await as(username)).post('/api/statistics/query', { indicator: 'healthCheckRate', dimension: 'county' }).expect(200)).body.total;
    expect(await total('demo-county-2')).toMatchObject({ numerator: 1, denominator: 1, value: 1 });
    expect(await total('demo-county')).toMatchObject({ numerator: 2, denominator: 3 });
  });
});

describe('custom fields and the export', () => {
  test('the province adds a health-check field: validated on save, a column of the export', async () => {
    const province = await as('demo-province');
    await province.post('/api/custom-fields', { data: { entity: 'healthCheck', key: 'dental_caries', label: '龋齿数', type: 'number', min: 0, max: 20 } }).expect(201);
    const kindergarten = await as('demo-kindergarten');
    const bad = await kindergarten.post('/api/child-health-checks', { data: check(kids[2], { customFields: { dental_caries: 99 } }) }).expect(400);
    expect(bad.body.error.details.errors[0].path).toEqual(['customFields', 'dental_caries']);
    const good = await kindergarten.post('/api/child-health-checks', { data: check(kids[2], { checkDate: daysAgo(400), customFields: { dental_caries: 2 } }) }).expect(201);
    expect(good.body.data.customFields).toEqual({ dental_caries: 2 });
  });

  test.each([['demo-county', 4], ['demo-province', 5], ['demo-county-2', 1], ['demo-kindergarten-2', 1]])('%s exports the checks of its reach: %i rows', async (username, count) => {
    const response = await (await as(username)).get('/api/child-health-check-export?format=xlsx').buffer(true).parse((res: any, callback: any) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => callback(null, Buffer.concat(chunks)));
    }).expect(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(response.body as any);
    const sheet = book.worksheets[0];
    const rows: string[][] = [];
    sheet.eachRow((row) => rows.push((row.values as any[]).slice(1).map((v) => (v === null || v === undefined ? '' : String(v)))));
    const [headers, ...data] = rows;
    expect(headers).toEqual(expect.arrayContaining(['幼儿', '体检类型', '体检日期', '身高（cm）', 'BMI-for-age Z 分', '生长发育评价', '龋齿数']));
    expect(data).toHaveLength(count);
    const text = rows.map((r) => r.join('\t')).join('\n');
    if (username === 'demo-county') {
      expect(text).toContain('保健2');
      expect(text).toContain('超重、肥胖');
      expect(text).toContain('定期体检');
    }
    if (username.endsWith('-2')) expect(text).not.toContain('保健1');
  });
});


describe('Excel import of health and certificate checks (cms/src/domain/import/health-import.ts)', () => {
  const binary = (res: any, callback: any) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => callback(null, Buffer.concat(chunks)));
  };
  const workbook = async (sheetName: string, headers: string[], rows: unknown[][]) => {
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet(sheetName);
    sheet.addRow(headers);
    for (const row of rows) sheet.addRow(row);
    return Buffer.from(await book.xlsx.writeBuffer());
  };
  const CHECK_HEADERS = ['证件号码', '幼儿姓名', '*体检类型', '体检日期', '体检机构', '身高（cm）', '体重（kg）', '龋齿数'];
  const checks = () => app.strapi.db.query('api::child-health-check.child-health-check').count();

  test('the template: the data sheet with the child\'s and the check\'s columns, code-table drop-downs, the custom field', async () => {
    const response = await (await as('demo-kindergarten')).get('/api/health-import/checks/template').buffer(true).parse(binary).expect(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(response.body as any);
    const sheet = book.getWorksheet('体检记录')!;
    const headers = (sheet.getRow(1).values as any[]).slice(1);
    expect(headers).toEqual(expect.arrayContaining(['学籍号', '证件类型', '证件号码', '幼儿姓名', '*体检类型', '*体检日期', '身高（cm）', '体重（kg）', '龋齿数']));
    const typeColumn = headers.indexOf('*体检类型') + 1;
    expect((sheet.getCell(2, typeColumn) as any).dataValidation).toMatchObject({ type: 'list' });
    expect(book.getWorksheet('体检类型')!.getColumn(2).values).toEqual(expect.arrayContaining(['入园体检', '定期体检']));
    expect(book.getWorksheet('说明')).toBeDefined();
    // a county does not import (the kindergarten's records)
    await (await as('demo-county')).get('/api/health-import/checks/template').expect(403);
    await (await as('demo-kindergarten')).get('/api/health-import/unknown/template').expect(404);
  });

  test('a file with a bad row is refused whole: 400 naming each row and column, nothing stored; the report says why per row', async () => {
    const kindergarten = await as('demo-kindergarten');
    const before = await checks();
    const file = await workbook('体检记录', CHECK_HEADERS, [
      [kidIdNumbers[0], '保健1', '定期体检', daysAgo(5), '鲤城区妇幼保健院', 111, 19.5, 1],
      [otherIdNumber, '', '定期体检', daysAgo(5), '', 100, 16, ''],
      [kidIdNumbers[1], '别人', 'yearly', daysAgo(5), '', 400, 16, 99],
    ]);
    const refused = await kindergarten.post('/api/health-import/checks').attach('file', file, '体检.xlsx').expect(400);
    const fields = refused.body.error.details.errors.map((e: any) => e.path[0]).sort();
    // the other kindergarten's child is not found; row 4: the name is not the child's (checked first)
    expect(fields).toEqual(['rows.3.idNumber', 'rows.4.name']);
    expect(refused.body.error.message).toContain('第 3 行「证件号码」：未找到该幼儿');
    expect(await checks()).toBe(before);
    const fixedName = await workbook('体检记录', CHECK_HEADERS, [[kidIdNumbers[1], '保健2', 'yearly', daysAgo(5), '', 400, 16, 99]]);
    const bad = await kindergarten.post('/api/health-import/checks').attach('file', fixedName, '体检.xlsx').expect(400);
    expect(bad.body.error.details.errors.map((e: any) => e.path[0]).sort()).toEqual(['rows.2.checkType', 'rows.2.heightCm']);
    expect(bad.body.error.message).toContain('第 2 行「身高（cm）」：身高（cm）须在');

    const report = await kindergarten.post('/api/health-import/checks/report').attach('file', file, '体检.xlsx').buffer(true).parse(binary).expect(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(report.body as any);
    const sheet = book.getWorksheet('体检记录')!;
    const headers = (sheet.getRow(1).values as any[]).slice(1);
    const result = headers.indexOf('导入结果') + 1;
    const reason = headers.indexOf('错误说明') + 1;
    expect(sheet.getCell(2, result).value).toBe('正确，未导入（文件有错误）');
    expect(sheet.getCell(3, result).value).toBe('错误');
    expect(String(sheet.getCell(4, reason).value)).toContain('与学籍姓名「保健2」不一致');
    expect(await checks()).toBe(before);
  });

  test('a good file: every row created through the same rules (computed growth, custom field), the kindergarten\'s own children only', async () => {
    const kindergarten = await as('demo-kindergarten');
    const before = await checks();
    const file = await workbook('体检记录', CHECK_HEADERS, [
      [kidIdNumbers[0], '保健1', '定期体检', daysAgo(3), '鲤城区妇幼保健院', 110, 23, 1],
      [kidIdNumbers[1], '', 'entrance', daysAgo(3), '', 110, 19, ''],
    ]);
    const ok = await kindergarten.post('/api/health-import/checks').attach('file', file, '体检.xlsx').expect(200);
    expect(ok.body.data).toEqual({ created: 2, total: 2 });
    expect(await checks()).toBe(before + 2);
    const stored = await app.strapi.db.query('api::child-health-check.child-health-check').findMany({ where: { checkDate: daysAgo(3) }, orderBy: { id: 'asc' } });
    expect(stored.map((c: any) => [c.checkType, c.nutritionStatus, c.customFields?.dental_caries ?? null, c.institutionCode])).toEqual([
      ['periodic', 'overweight', 1, '3135050201'], ['entrance', 'normal', null, '3135050201'],
    ]);
    expect(stored[0].weightForHeightZ).toBeGreaterThan(2);
    // the same file again: the same child, day and type are already there
    const again = await kindergarten.post('/api/health-import/checks').attach('file', file, '体检.xlsx').expect(400);
    expect(again.body.error.details.errors[0].path[0]).toBe('rows.2.checkDate');
    // the other kindergarten cannot reach these children
    const foreign = await (await as('demo-kindergarten-2')).post('/api/health-import/checks').attach('file', file, '体检.xlsx').expect(400);
    expect(foreign.body.error.details.errors[0].path[0]).toBe('rows.2.idNumber');
  });

  test('certificate checks: by code-table name; the county may not import', async () => {
    const kindergarten = await as('demo-kindergarten');
    const file = await workbook('接种证查验', ['证件类型', '证件号码', '查验日期', '查验结果', '需补种疫苗'], [['居民身份证', kidIdNumbers[2], daysAgo(2), '需补种', '乙脑']]);
    await (await as('demo-county')).post('/api/health-import/vaccinations').attach('file', file, 'v.xlsx').expect(403);
    const ok = await kindergarten.post('/api/health-import/vaccinations').attach('file', file, 'v.xlsx').expect(200);
    expect(ok.body.data.created).toBe(1);
    const stored = await app.strapi.db.query('api::vaccination-check.vaccination-check').findOne({ where: { checkDate: daysAgo(2) } });
    expect(stored).toMatchObject({ status: 'toComplete', vaccinesToComplete: '乙脑', institutionCode: '3135050201' });
    const missing = await kindergarten.post('/api/health-import/vaccinations').attach('file', await workbook('接种证查验', ['证件号码', '查验日期'], [[kidIdNumbers[2], daysAgo(1)]]), 'v.xlsx').expect(400);
    expect(missing.body.error.details.errors[0].path).toEqual(['file']);
  });
});
