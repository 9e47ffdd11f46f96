/**
 * Excel import and export of children: the template, hostile files, every kind of row error, both
 * modes, re-import without duplicates, the error report, progress of the job, reach per level;
 * exports scoped per level with masking, recorded; the graduates package.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import request from 'supertest';
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { login, type Session } from '../helpers/api';
import { residentId } from '../helpers/ids';

let app: BootedApp;
let kindergarten: Session;
let kindergarten2: Session;
let county: Session;
let county2: Session;
let province: Session;
let class2Id: string;

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const HEADERS = ['姓名', '身份证件类型', '证件号码', '性别', '出生日期', '出生地', '籍贯', '民族', '国籍/地区', '港澳台侨外', '健康状况', '户口所在地', '户口性质', '现住址', '联系电话', '入园日期', '班级', '就读方式', '是否独生子女', '监护人1姓名', '监护人1与幼儿关系', '监护人1身份证件类型', '监护人1证件号码', '监护人1联系电话'];
const wrongCheck = (id: string) => `${id.slice(0, 17)}${id.endsWith('0') ? '1' : '0'}`;
const fullWidth = (text: string) => text.replace(/[0-9A-Za-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

/** One valid row (by header), with overrides. */
const row = (n: number, overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  姓名: `导入幼儿${n}`, 身份证件类型: '居民身份证', 证件号码: residentId('350502', '20220315', String(100 + 2 * n + 1).padStart(3, '0')),
  出生地: '350502', 籍贯: '福建泉州', 民族: '汉族', '国籍/地区': '中国', 港澳台侨外: '否', 健康状况: '健康或良好', 户口所在地: '350502', 户口性质: '非农业',
  现住址: '鲤城区中山路 8 号', 联系电话: '13800000000', 入园日期: '2025-09-01', 班级: '小一班', 就读方式: '走读', 是否独生子女: '是',
  监护人1姓名: `家长${n}`, 监护人1与幼儿关系: '父亲', 监护人1身份证件类型: '居民身份证', 监护人1证件号码: residentId('350502', '19900101', String(100 + 2 * n + 1).padStart(3, '0')), 监护人1联系电话: '13900000000',
  ...overrides,
});

async function workbook(rows: Record<string, unknown>[], decorate?: (sheet: ExcelJS.Worksheet) => void, headers = HEADERS): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('幼儿信息');
  sheet.addRow(headers);
  for (const r of rows) sheet.addRow(headers.map((h) => (r[h] === undefined ? null : r[h])));
  decorate?.(sheet);
  return Buffer.from(await book.xlsx.writeBuffer());
}

const upload = (session: Session, buffer: Buffer, fields: Record<string, string> = {}, name = 'children.xlsx') => {
  let test = session.post('/api/child-import').attach('file', buffer, { filename: name, contentType: XLSX });
  for (const [key, value] of Object.entries(fields)) test = test.field(key, value);
  return test;
};

/** The upload's 202; any other answer fails with the error the server gave (a bare status says nothing). */
async function accepted(pending: PromiseLike<request.Response>): Promise<request.Response> {
  const response = await pending;
  if (response.status !== 202) throw new Error(`expected 202, got ${response.status}: ${JSON.stringify(response.body?.error ?? response.text)}`);
  return response;
}

async function finished(session: Session, id: string) {
  await (app.strapi.service('api::child-import.child-import') as any).settle();
  const response = await session.get(`/api/child-import/${id}`).expect(200);
  return response.body.data;
}

const binary = (res: any, callback: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
};
const download = (session: Session, url: string) => session.get(url).buffer(true).parse(binary);

async function readSheet(buffer: Buffer, name?: string) {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(buffer as any);
  const sheet = name ? book.getWorksheet(name)! : book.worksheets[0];
  const rows: unknown[][] = [];
  sheet.eachRow((r) => rows.push((r.values as unknown[]).slice(1)));
  return { book, sheet, rows };
}

const countChildren = (where: Record<string, unknown> = {}) => app.strapi.db.query('api::child.child').count({ where });
const countEvents = (where: Record<string, unknown> = {}) => app.strapi.db.query('api::child-event.child-event').count({ where });

beforeAll(async () => {
  app = await bootStrapi();
  [kindergarten, kindergarten2, county, county2, province] = await Promise.all(
    ['demo-kindergarten', 'demo-kindergarten-2', 'demo-county', 'demo-county-2', 'demo-province'].map((u) => login(app, u)),
  );
  class2Id = (await kindergarten2.get('/api/school-classes?filters[name][$eq]=小一班').expect(200)).body.data[0].documentId;
});
afterAll(async () => { await app?.stop(); });

describe('template', () => {
  test('a data sheet with Chinese headers, one sheet per code table with drop-downs, and instructions', async () => {
    const response = await download(kindergarten, '/api/child-import/template').expect(200);
    expect(response.headers['content-type']).toContain('spreadsheetml');
    const { book, rows } = await readSheet(response.body, '幼儿信息');
    const headers = rows[0].map(String);
    expect(headers).toEqual(expect.arrayContaining(['*姓名', '*民族', '证件号码', '*监护人1姓名', '监护人2证件号码', '班级']));
    for (const name of ['民族', '国籍地区', '身份证件类型', '港澳台侨外', '健康状况', '户口性质', '就读方式', '与幼儿关系', '本园班级', '说明']) expect(book.getWorksheet(name)).toBeTruthy();
    expect(book.getWorksheet('民族')!.getRow(2).values).toEqual([undefined, '01', '汉族']);
    const validations = Object.entries((book.getWorksheet('幼儿信息') as any).dataValidations.model) as [string, any][];
    const ethnicityColumn = String.fromCharCode(65 + headers.indexOf('*民族'));
    expect(validations.some(([address, v]) => address.startsWith(ethnicityColumn) && v.type === 'list' && String(v.formulae[0]).includes('民族'))).toBe(true);
    expect(String(book.getWorksheet('说明')!.getCell('A1').value)).toContain('导入说明');
  });
});

describe('hostile files answer 400 naming the problem, and nothing is stored', () => {
  let before: number;
  beforeAll(async () => { before = await app.strapi.db.query('api::child-import.child-import').count({}); });
  afterAll(async () => { expect(await app.strapi.db.query('api::child-import.child-import').count({})).toBe(before); });

  const expectFileError = async (response: request.Response, text: string) => {
    expect(response.status).toBe(400);
    expect(response.body.error.details.errors[0].path).toEqual(['file']);
    expect(response.body.error.message).toContain(text);
  };

  test('not an xlsx: text, an old .xls, a corrupt archive', async () => {
    await expectFileError(await upload(kindergarten, Buffer.from('姓名,性别\n张三,男\n'), {}, 'children.csv'), '不是 Excel 工作簿');
    await expectFileError(await upload(kindergarten, Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(600)]), {}, 'children.xls'), '.xls');
    await expectFileError(await upload(kindergarten, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(2000, 7)])), '已损坏');
  });

  test('over 10 MB', async () => {
    const big = Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(10 * 1024 * 1024 + 10)]);
    await expectFileError(await upload(kindergarten, big), '10 MB');
  });

  test('formulas, naming the cells', async () => {
    const buffer = await workbook([row(1)], (sheet) => { sheet.getCell('O2').value = { formula: 'CONCATENATE("138","00000000")', result: '13800000000' } as any; });
    await expectFileError(await upload(kindergarten, buffer), 'O2');
  });

  test('merged cells, naming the range', async () => {
    const buffer = await workbook([row(1), row(2)], (sheet) => sheet.mergeCells('G2:G3'));
    await expectFileError(await upload(kindergarten, buffer), 'G2:G3');
  });

  test('more rows than the configured limit; missing required columns; no data', async () => {
    process.env.IMPORT_MAX_ROWS = '3';
    try {
      await expectFileError(await upload(kindergarten, await workbook([1, 2, 3, 4].map((n) => row(n)))), '超过 3 行');
    } finally {
      delete process.env.IMPORT_MAX_ROWS;
    }
    await expectFileError(await upload(kindergarten, await workbook([row(1)], undefined, HEADERS.filter((h) => h !== '民族'))), '缺少必填列：民族');
    await expectFileError(await upload(kindergarten, await workbook([])), '没有数据行');
  });

  test('only a kindergarten imports; a bad mode or a class of another kindergarten is a 400', async () => {
    await upload(province, await workbook([row(1)])).expect(403);
    const mode = await upload(kindergarten, await workbook([row(1)]), { mode: 'some' }).expect(400);
    expect(mode.body.error.details.errors[0].path).toEqual(['mode']);
    const otherClass = await upload(kindergarten, await workbook([row(1)]), { schoolClass: class2Id }).expect(400);
    expect(otherClass.body.error.details.errors[0].path).toEqual(['schoolClass']);
  });
});

describe('rows', () => {
  const heldElsewhere = residentId('350203', '20220101', '051');
  let rows: Record<string, unknown>[];
  let file: Buffer;
  let rejectedId: string;

  beforeAll(async () => {
    // A child of 思明区 (another county) holding a number the file repeats.
    await kindergarten2.post('/api/children', { data: {
      name: '厦门幼儿', idType: '1', idNumber: heldElsewhere, birthPlace: '350203', nativePlace: '福建厦门', ethnicity: '01', nationality: '156', overseasChinese: '00', health: '10',
      householdRegion: '350203', householdType: '2', address: '思明区 1 号', phone: '13800000000', enrolledOn: '2025-09-01', enrollmentMode: '1', onlyChild: true, schoolClass: class2Id,
      guardians: [{ name: '厦门家长', relation: '1', idType: '1', idNumber: residentId('350203', '19900101', '013') }],
    } }).expect(201);
    rows = [
      row(1), // valid
      row(2, { 姓名: null }), // 3: missing required
      row(3, { 民族: '火星族' }), // 4: bad code
      row(4, { 证件号码: wrongCheck(residentId('350502', '20220315', '109')) }), // 5: bad check character
      row(5, { 性别: '女', 出生日期: '2022-03-16' }), // 6: sex and birth date disagree with the ID (sequence 111: a boy, born 2022-03-15)
      row(6, { 证件号码: row(1).证件号码 }), // 7: duplicate of row 2 in the file
      row(7, { 证件号码: heldElsewhere }), // 8: held in 思明区
      row(8, { 入园日期: '2025/9/1', 出生日期: '20220315' }), // 9: text dates, valid
      row(9, { 证件号码: ` ${fullWidth(residentId('350502', '20220315', '119'))}　`, 姓名: ' 全角　幼儿 ', 联系电话: fullWidth('13800000009') }), // 10: full-width, valid
      row(10, { 入园日期: '2025年13月1日' }), // 11: a date that is no date
      row(11, { 入园日期: 45901 }), // 12: Excel serial date (2025-09-01), valid
      row(12, { 身份证件类型: 'Z', 证件号码: null, 性别: '女', 出生日期: new Date(Date.UTC(2022, 4, 6)) }), // 13: no ID, a guardian's ID, an Excel date: valid
      {}, // 14: empty row: ignored
      row(13, { 班级: '不存在的班' }), // 15: unknown class
    ];
    file = await workbook(rows);
  });

  test('all-or-none: every row checked, each error names row, column and reason; nothing is written', async () => {
    const before = await countChildren();
    const started = await accepted(upload(kindergarten, file, { mode: 'all-or-none' }));
    expect(started.body.data).toMatchObject({ mode: 'all-or-none', total: 13 });
    rejectedId = started.body.data.id;
    const job = await finished(kindergarten, rejectedId);
    expect(job).toMatchObject({ state: 'rejected', total: 13, processed: 13, ok: 5, failed: 8, imported: 0, progress: 1, hasReport: true });
    expect(await countChildren()).toBe(before);
    expect(await countEvents({ childName: { $in: ['导入幼儿1', '导入幼儿8'] } })).toBe(0);
    const byRow = (n: number) => job.errors.filter((e) => e.row === n);
    expect(byRow(3)).toEqual([expect.objectContaining({ column: '姓名', field: 'name', message: expect.stringContaining('必填') })]);
    expect(byRow(4)).toEqual([expect.objectContaining({ column: '民族', message: expect.stringContaining('火星族') })]);
    expect(byRow(5)).toEqual([expect.objectContaining({ field: 'idNumber', message: expect.stringContaining('校验') })]);
    expect(byRow(6).map((e) => e.field).sort()).toEqual(['birthDate', 'sex']);
    expect(byRow(7)).toEqual([expect.objectContaining({ field: 'idNumber', message: '与第 2 行的证件号码重复' })]);
    expect(byRow(8)).toEqual([expect.objectContaining({ field: 'idNumber', message: expect.stringContaining('思明区') })]);
    expect(JSON.stringify(byRow(8))).not.toContain('厦门幼儿');
    expect(byRow(11)).toEqual([expect.objectContaining({ column: '入园日期', message: expect.stringContaining('日期格式无法识别') })]);
    expect(byRow(15)).toEqual([expect.objectContaining({ column: '班级', message: expect.stringContaining('不存在的班') })]);
    for (const ok of [2, 9, 10, 12, 13]) expect(byRow(ok)).toEqual([]);
  });

  test('the error report: the uploaded rows with their result and reasons', async () => {
    const report = await download(kindergarten, `/api/child-import/${rejectedId}/report`).expect(200);
    const { rows: sheetRows } = await readSheet(report.body);
    expect(sheetRows[0].slice(-2)).toEqual(['导入结果', '错误说明']);
    expect(sheetRows).toHaveLength(14);
    const line = (name: string) => sheetRows.find((r) => r[0] === name)!;
    expect(line('导入幼儿3').slice(-2)).toEqual(['错误', expect.stringContaining('民族：民族「火星族」不是代码表中的值')]);
    expect(line('导入幼儿1')).toContain('未导入');
    // cells as typed, through the import's scratch file: a date cell stays a date, a number a number
    expect(line('导入幼儿12')[HEADERS.indexOf('出生日期')]).toEqual(new Date(Date.UTC(2022, 4, 6)));
    expect(line('导入幼儿11')[HEADERS.indexOf('入园日期')]).toBe(45901);
    await download(kindergarten2, `/api/child-import/${rejectedId}/report`).expect(404);
  });

  test('valid-only: the valid rows are written with derived fields, normalised, in their class', async () => {
    const started = await accepted(upload(kindergarten, file, { mode: 'valid-only' }));
    const job = await finished(kindergarten, started.body.data.id);
    expect(job).toMatchObject({ state: 'done', ok: 5, failed: 8, skipped: 0, imported: 5, hasReport: true });
    // rows were written: the report holds the 8 rows to fix, each with its row in the file, not the 5 imported
    const report = new ExcelJS.Workbook();
    await report.xlsx.load((await download(kindergarten, `/api/child-import/${started.body.data.id}/report`).expect(200)).body);
    const reportRows: unknown[][] = [];
    report.worksheets[0].eachRow((r) => reportRows.push((r.values as unknown[]).slice(1)));
    const reportHeaders = reportRows[0].map(String);
    expect(reportHeaders.slice(-3)).toEqual(['导入结果', '错误说明', '原行号']);
    expect(reportRows.slice(1).map((r) => r[reportHeaders.indexOf('导入结果')])).toEqual(Array(8).fill('错误'));
    expect(reportRows.slice(1).map((r) => r[reportHeaders.indexOf('原行号')])).toEqual([...new Set(job.errors.map((e: any) => e.row))]);
    const imported = await app.strapi.db.query('api::child.child').findMany({ where: { name: { $in: ['导入幼儿1', '全角 幼儿', '导入幼儿8', '导入幼儿11', '导入幼儿12'] } }, populate: ['guardians', 'schoolClass'] });
    expect(imported).toHaveLength(5);
    const fw = imported.find((c) => c.name === '全角 幼儿');
    expect(fw).toMatchObject({ idNumber: residentId('350502', '20220315', '119'), sex: 'male', birthDate: '2022-03-15', phone: '13800000009', institutionCode: '3135050201', countyCode: '350502', status: 'draft' });
    expect(fw.idKey).toHaveLength(64);
    expect(fw.idNumberMasked).toBe(`350502***********${fw.idNumber.slice(-1)}`);
    expect(fw.schoolClass.name).toBe('小一班');
    // stored as an entered record is (encrypted at rest when the security settings say so), never two ways
    const stored = async (name: string) => (await app.strapi.db.connection('children').where('name', name).first('id_number')).id_number;
    const encryptedAtRest = String(await stored('厦门幼儿')).startsWith('enc:');
    expect(String(await stored('全角 幼儿')).startsWith('enc:')).toBe(encryptedAtRest);
    expect(fw.guardians[0]).toMatchObject({ name: '家长9', relation: '1', idType: '1' });
    // the guardian as the entry form stores one (PostgreSQL writes the import by COPY): its number
    // decrypts, its masked form and blind index are there, and its link orders it first
    const guardian = fw.guardians[0];
    expect(guardian.idNumber).toMatch(/^350502\d{11}[\dX]$/);
    expect(guardian.idNumberMasked).toBe(`350502***********${guardian.idNumber.slice(-1)}`);
    const rawGuardian = await app.strapi.db.connection('components_family_guardians').where('id', guardian.id).first('id_number', 'id_key');
    expect(String(rawGuardian.id_number).startsWith('enc:')).toBe(encryptedAtRest);
    expect(rawGuardian.id_key).toHaveLength(64);
    const link = await app.strapi.db.connection('children_cmps').where({ entity_id: fw.id, cmp_id: guardian.id }).first('field', 'component_type', 'order');
    expect(link).toMatchObject({ field: 'guardians', component_type: 'family.guardian' });
    expect(Number(link.order)).toBe(1);
    expect(imported.find((c) => c.name === '导入幼儿11')).toMatchObject({ enrolledOn: '2025-09-01' });
    expect(imported.find((c) => c.name === '导入幼儿12')).toMatchObject({ idType: 'Z', idNumber: null, sex: 'female', birthDate: '2022-05-06' });
    // An imported child reads like any other through the API.
    const one = await kindergarten.get(`/api/children/${fw.documentId}`).expect(200);
    expect(one.body.data.idNumber).toBe(fw.idNumber);
    // Each has its 入园分班 event, as a child entered one by one has: in its class, by the importer, on its enrolment date.
    for (const child of imported) {
      const history = (await kindergarten.get(`/api/children/${child.documentId}/history`).expect(200)).body.data;
      expect(history).toEqual([expect.objectContaining({ type: 'enrollment', before: null, after: { className: '小一班', grade: 'small', status: 'draft' }, occurredOn: '2025-09-01', institutionCode: '3135050201' })]);
      expect(history[0].actorName).toBe((await app.strapi.db.query('plugin::users-permissions.user').findOne({ where: { username: 'demo-kindergarten' } })).fullName || 'demo-kindergarten');
    }
    const event = await app.strapi.db.query('api::child-event.child-event').findOne({ where: { childDocumentId: fw.documentId } });
    expect(event).toMatchObject({ countyCode: '350502', childName: '全角 幼儿', studentNumber: null });
    // The county sees them in its reach; another county does not.
    expect((await county.get(`/api/child-events?filters[childDocumentId][$eq]=${fw.documentId}`).expect(200)).body.data).toHaveLength(1);
    expect((await county2.get(`/api/child-events?filters[childDocumentId][$eq]=${fw.documentId}`).expect(200)).body.data).toHaveLength(0);
  });

  test('importing the same file again creates nothing: imported rows are 已导入 and skipped', async () => {
    const before = await countChildren();
    const started = await accepted(upload(kindergarten, file, { mode: 'valid-only' }));
    const job = await finished(kindergarten, started.body.data.id);
    expect(job).toMatchObject({ state: 'done', ok: 0, skipped: 5, failed: 8, imported: 0 });
    expect(await countChildren()).toBe(before);
    const again = await accepted(upload(kindergarten, await workbook([row(1), row(20)]), { mode: 'all-or-none' }));
    expect(await finished(kindergarten, again.body.data.id)).toMatchObject({ state: 'done', skipped: 1, imported: 1 });
  });

  test('the fixed report is uploaded again and imports the corrected rows', async () => {
    const report = await download(kindergarten, `/api/child-import/${rejectedId}/report`).expect(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(report.body);
    const sheet = book.worksheets[0];
    const headers = (sheet.getRow(1).values as unknown[]).slice(1).map(String);
    sheet.eachRow((r, n) => {
      if (n === 1) return;
      if (r.getCell(headers.indexOf('民族') + 1).value === '火星族') r.getCell(headers.indexOf('民族') + 1).value = '汉族';
      if (!r.getCell(1).value) r.getCell(1).value = '补填姓名';
    });
    const started = await accepted(upload(kindergarten, Buffer.from(await book.xlsx.writeBuffer()), { mode: 'valid-only' }));
    const job = await finished(kindergarten, started.body.data.id);
    expect(job).toMatchObject({ state: 'done', imported: 2, skipped: 5 });
    expect(await countChildren({ name: { $in: ['补填姓名', '导入幼儿3'] } })).toBe(2);
  });

  test('a default class fills empty class cells; progress and jobs are read within reach only', async () => {
    const classId = (await kindergarten.get('/api/school-classes?filters[name][$eq]=中一班').expect(200)).body.data[0].documentId;
    const started = await accepted(upload(kindergarten, await workbook([row(30, { 班级: null })]), { schoolClass: classId }));
    const id = started.body.data.id;
    expect(started.body.data.progress).toBeGreaterThanOrEqual(0);
    const job = await finished(kindergarten, id);
    expect(job).toMatchObject({ state: 'done', imported: 1, defaultClass: '中一班' });
    const child = await app.strapi.db.query('api::child.child').findOne({ where: { name: '导入幼儿30' }, populate: ['schoolClass'] });
    expect(child.schoolClass.name).toBe('中一班');
    await kindergarten2.get(`/api/child-import/${id}`).expect(404);
    await county2.get(`/api/child-import/${id}`).expect(403);
    const list = await kindergarten.get('/api/child-import').expect(200);
    expect(list.body.data.map((j) => j.id)).toContain(id);
    expect((await kindergarten2.get('/api/child-import').expect(200)).body.data.map((j) => j.id)).not.toContain(id);
  });
});

describe('imports at once in one process (config/imports.json rowsAtOnce)', () => {
  /** Three valid rows of their own (born 2022-03-16: no other test's numbers). */
  const rowsOf = (name: string, from: number) => [0, 1, 2].map((i) => row(0, {
    姓名: `${name}${i}`, 证件号码: residentId('350502', '20220316', String(101 + 2 * (from + i)).padStart(3, '0')),
    监护人1证件号码: residentId('350502', '19900316', String(101 + 2 * (from + i)).padStart(3, '0')),
  }));
  const service = () => app.strapi.service('api::child-import.child-import') as any;
  afterEach(() => { delete process.env.IMPORT_ROWS_AT_ONCE; });

  test('an import that would go beyond the rows running waits, still queued, and runs once they end', async () => {
    process.env.IMPORT_ROWS_AT_ONCE = '4';
    // another import of 2 rows is running in this process
    const release = await service().rowBudget.acquire(2);
    let id = '';
    try {
      id = (await accepted(upload(kindergarten, await workbook(rowsOf('轮候幼儿', 0))))).body.data.id;
      await new Promise((resolve) => setTimeout(resolve, 2500));
      const waiting = (await kindergarten.get(`/api/child-import/${id}`).expect(200)).body.data;
      expect(waiting).toMatchObject({ state: 'queued', imported: 0 });
      expect(await countChildren({ name: { $startsWith: '轮候幼儿' } })).toBe(0);
    } finally {
      release();
    }
    const job = await finished(kindergarten, id);
    expect(job).toMatchObject({ state: 'done', imported: 3 });
    expect(job.timings.queuedMs).toBeGreaterThan(1000);
    expect(await countChildren({ name: { $startsWith: '轮候幼儿' } })).toBe(3);
    expect(service().rowBudget.held).toBe(0);
  });

  test('imports that fit run beside the running ones without waiting', async () => {
    process.env.IMPORT_ROWS_AT_ONCE = '4';
    const release = await service().rowBudget.acquire(1);
    try {
      const id = (await accepted(upload(kindergarten, await workbook(rowsOf('并行幼儿', 3))))).body.data.id;
      const job = await finished(kindergarten, id);
      expect(job).toMatchObject({ state: 'done', imported: 3 });
      expect(job.timings.queuedMs).toBe(0);
      expect(service().rowBudget.held).toBe(1);
    } finally {
      release();
    }
  });
});

describe('uploaded files', () => {
  /** The files of the temporary directory holding exactly these bytes (formidable writes each upload there). */
  const copiesOf = (bytes: Buffer) => fs.readdirSync(os.tmpdir()).filter((name) => {
    const file = path.join(os.tmpdir(), name);
    try {
      return fs.statSync(file).size === bytes.length && fs.readFileSync(file).equals(bytes);
    } catch {
      return false; // a directory, or a file of another suite gone meanwhile
    }
  });

  test('no copy of an uploaded spreadsheet (children\'s personal data) stays on disk, accepted or refused', async () => {
    const accepted202 = await workbook([row(40)]);
    await accepted(upload(kindergarten, accepted202, { mode: 'valid-only' }));
    expect(copiesOf(accepted202)).toEqual([]);
    const refused = await workbook([row(41)], (sheet) => { sheet.getCell('A2').value = { formula: 'CONCAT("导入","幼儿")', result: '导入幼儿' } as any; });
    expect((await upload(kindergarten, refused)).status).toBe(400);
    expect(copiesOf(refused)).toEqual([]);
    await (app.strapi.service('api::child-import.child-import') as any).settle();
  });
});

describe('a large file', () => {
  /**
   * 3,000 rows and a column of notes the import ignores, so that the file is over 2 MB: read by the
   * streaming reader and checked a batch (config/imports.json validateChunk) at a time. `repeat`: row i
   * gets the ID number of row `repeat[i]`.
   */
  async function largeFile(repeat: Record<number, number> = {}, change: (i: number, values: unknown[]) => void = () => undefined, headers = HEADERS): Promise<Buffer> {
    const { PassThrough } = await import('node:stream');
    const crypto = await import('node:crypto');
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (chunk) => chunks.push(chunk));
    const book = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: false });
    const sheet = book.addWorksheet('幼儿信息');
    sheet.addRow([...headers, '备注']).commit();
    const day0 = Date.UTC(2021, 0, 1);
    const idOf = (i: number) => residentId('350503', new Date(day0 + (i % 700) * 86400000).toISOString().slice(0, 10).replace(/-/g, ''), String(401 + 2 * Math.floor(i / 700)).padStart(3, '0'));
    for (let i = 0; i < 3000; i += 1) {
      const r = row(0, {
        姓名: `批量幼儿${i}`, 证件号码: idOf(repeat[i] ?? i), 现住址: `泉州市鲤城区中山路第${i}号院`,
        监护人1证件号码: residentId('350503', `1990${String(1 + (i % 12)).padStart(2, '0')}${String(1 + (i % 28)).padStart(2, '0')}`, String(501 + 2 * Math.floor(i / 336)).padStart(3, '0')),
      });
      const values = [...headers.map((h) => r[h] ?? null), crypto.randomBytes(750).toString('base64')];
      change(i, values);
      sheet.addRow(values).commit();
    }
    sheet.commit();
    await book.commit();
    const file = Buffer.concat(chunks);
    expect(file.length).toBeGreaterThan(2 * 1024 * 1024);
    return file;
  }

  test('a number repeated in a later batch is named as in a small file; all-or-none writes nothing, and the report has every row', async () => {
    const before = await countChildren();
    const eventsBefore = await countEvents();
    const started = await accepted(upload(kindergarten, await largeFile({ 2500: 10 }), { mode: 'all-or-none' }));
    const job = await finished(kindergarten, started.body.data.id);
    expect(job).toMatchObject({ state: 'rejected', total: 3000, ok: 2999, failed: 1, imported: 0, hasReport: true });
    expect(job.errors).toEqual([{ row: 2502, column: '证件号码', field: 'idNumber', message: '与第 12 行的证件号码重复' }]);
    // PostgreSQL wrote the first batches while reading on: all of it rolled back, their events too
    expect(await countChildren()).toBe(before);
    expect(await countEvents()).toBe(eventsBefore);
    const report = await download(kindergarten, `/api/child-import/${started.body.data.id}/report`).expect(200);
    const { rows } = await readSheet(report.body);
    expect(rows).toHaveLength(3001);
    expect(rows[0].slice(-3)).toEqual(['备注', '导入结果', '错误说明']);
    const result = HEADERS.length + 1;
    expect(rows[1][result]).toBe('未导入');
    expect(rows[2501].slice(result, result + 2)).toEqual(['错误', '证件号码：与第 12 行的证件号码重复']);
    expect(rows[2501][0]).toBe('批量幼儿2500');
  });

  test('read once, by the job: the upload checks its headers (400), a problem of the whole file fails the job with the reason and writes nothing', async () => {
    const missing = await upload(kindergarten, await largeFile({}, () => undefined, HEADERS.filter((h) => h !== '民族')));
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toContain('缺少必填列：民族');
    const before = await countChildren();
    const eventsBefore = await countEvents();
    const formula = await largeFile({}, (i, values) => { if (i === 2900) values[0] = { formula: 'CONCATENATE("批量","幼儿")', result: '批量幼儿' }; });
    const started = await accepted(upload(kindergarten, formula, { mode: 'valid-only' }));
    expect(started.body.data.total).toBeGreaterThanOrEqual(3000);
    const job = await finished(kindergarten, started.body.data.id);
    expect(job).toMatchObject({ state: 'failed', imported: 0, message: expect.stringMatching(/^导入文件无法读取：单元格含公式：A2902（姓名）/) });
    expect(await countChildren()).toBe(before);
    expect(await countEvents()).toBe(eventsBefore);
    process.env.IMPORT_MAX_ROWS = '2000';
    try {
      const tooMany = await accepted(upload(kindergarten, await largeFile(), { mode: 'valid-only' }));
      expect(await finished(kindergarten, tooMany.body.data.id)).toMatchObject({ state: 'failed', imported: 0, message: '导入文件无法读取：数据行超过 2000 行：请分成几个文件上传' });
    } finally {
      delete process.env.IMPORT_MAX_ROWS;
    }
    expect(await countChildren()).toBe(before);
  });

  test('3,000 rows streamed: Chinese text split between zip chunks reads whole, every row imported in one go', async () => {
    const before = await countChildren();
    const started = await accepted(upload(kindergarten, await largeFile(), { mode: 'all-or-none' }));
    const job = await finished(kindergarten, started.body.data.id);
    expect(job.errors).toEqual([]);
    expect(job).toMatchObject({ state: 'done', total: 3000, imported: 3000 });
    expect(await countChildren()).toBe(before + 3000);
    expect(await countChildren({ address: '泉州市鲤城区中山路第2999号院' })).toBe(1);
    // One 入园分班 event per child, written with them (one INSERT per chunk, same transaction).
    expect(await countEvents({ type: 'enrollment', childName: { $startsWith: '批量幼儿' } })).toBe(3000);
    const last = await app.strapi.db.query('api::child.child').findOne({ where: { name: '批量幼儿2999' } });
    expect(await countEvents({ type: 'enrollment', childDocumentId: last.documentId })).toBe(1);
  });

  const onPostgres = process.env.DATABASE_URL ? test : test.skip;
  /** A `largeFile` change: row i named `${name}${i}`, with an ID number of `county` of its own (no row of the tests before). */
  const namedIn = (name: string, county: string) => (i: number, values: unknown[]) => {
    values[0] = `${name}${i}`;
    values[2] = residentId(county, new Date(Date.UTC(2021, 0, 1) + (i % 700) * 86400000).toISOString().slice(0, 10).replace(/-/g, ''), String(101 + 2 * Math.floor(i / 700)).padStart(3, '0'));
  };

  onPostgres('PostgreSQL: a small children table is analysed in the import\'s transaction; one another transaction holds is left as it is, and the import goes on', async () => {
    const knex = app.strapi.db.connection;
    const table = (app.strapi.db.metadata.get('api::child.child') as any).tableName;
    const seen: string[] = [];
    const capture = (query: { sql: string }) => { if (/analyze|savepoint|lock_timeout|set_config/i.test(query.sql)) seen.push(query.sql); };
    // another transaction holds the lock ANALYZE needs (autovacuum, another import) while the import runs
    const holder = await knex.transaction();
    await holder.raw('LOCK TABLE ?? IN SHARE UPDATE EXCLUSIVE MODE', [table]);
    knex.on('query', capture);
    const before = await countChildren();
    let job: any;
    try {
      const started = await accepted(upload(kindergarten, await largeFile({}, namedIn('分析幼儿', '350505')), { mode: 'all-or-none' }));
      job = await finished(kindergarten, started.body.data.id);
    } finally {
      knex.off('query', capture);
      await holder.rollback();
    }
    expect(job.errors.slice(0, 3)).toEqual([]);
    expect(job).toMatchObject({ state: 'done', imported: 3000 });
    expect(await countChildren()).toBe(before + 3000);
    // tried under a savepoint with a short lock timeout, given up, the timeout restored
    expect(seen.some((sql) => /^ANALYZE /.test(sql))).toBe(true);
    expect(seen).toContain('ROLLBACK TO SAVEPOINT import_analyze');
    expect(seen.some((sql) => /set_config/.test(sql))).toBe(true);
  });

  onPostgres('PostgreSQL: a write the database refuses midway (the 1,500th child\'s class link) fails the job and rolls back every row written before it', async () => {
    const knex = app.strapi.db.connection;
    const schema = app.strapi.config.get('database.connection.connection.schema') as string | undefined;
    const qualified = (name: string) => (schema ? `"${schema}"."${name}"` : `"${name}"`);
    const children = (app.strapi.db.metadata.get('api::child.child') as any);
    const links = children.attributes.schoolClass.joinTable;
    const { rows: [{ sequence }] } = await knex.raw('SELECT pg_get_serial_sequence(?, ?) AS sequence', [qualified(children.tableName), 'id']);
    const { rows: [{ last }] } = await knex.raw(`SELECT last_value AS last FROM ${sequence}`);
    await knex.raw(`CREATE FUNCTION ${qualified('refuse_late_link')}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.${links.joinColumn.name} > ${Number(last) + 1500} THEN RAISE EXCEPTION 'refused for the test'; END IF; RETURN NEW; END $$`);
    await knex.raw(`CREATE TRIGGER refuse_late_link BEFORE INSERT ON ${qualified(links.name)} FOR EACH ROW EXECUTE FUNCTION ${qualified('refuse_late_link')}()`);
    const before = await countChildren();
    const eventsBefore = await countEvents();
    let job: any;
    try {
      const started = await accepted(upload(kindergarten, await largeFile({}, namedIn('拒写幼儿', '350506')), { mode: 'valid-only' }));
      job = await finished(kindergarten, started.body.data.id);
    } finally {
      await knex.raw(`DROP TRIGGER refuse_late_link ON ${qualified(links.name)}`);
      await knex.raw(`DROP FUNCTION ${qualified('refuse_late_link')}()`);
    }
    // the user reads what happened in Chinese, not the database's words
    expect(job).toMatchObject({ state: 'failed', imported: 0, message: '导入时发生错误，本次导入已全部撤销，没有写入任何数据：请稍后重试' });
    // the chunks written before the refused one are rolled back with it: no child, no event, no link
    expect(await countChildren()).toBe(before);
    expect(await countEvents()).toBe(eventsBefore);
    expect(await countChildren({ name: { $startsWith: '拒写幼儿' } })).toBe(0);
    const { rows: [{ count }] } = await knex.raw(`SELECT count(*)::int AS count FROM ${qualified(links.name)} WHERE ${links.joinColumn.name} > ?`, [Number(last)]);
    expect(count).toBe(0);
  });
});

describe('exports', () => {
  const records = () => app.strapi.db.query('api::export-record.export-record').findMany({ orderBy: { id: 'desc' } });

  test('the kindergarten exports its children with full ID numbers, as xlsx; the export is recorded', async () => {
    const own = await countChildren({ institutionCode: '3135050201' });
    const response = await download(kindergarten, '/api/child-export?format=xlsx').expect(200);
    expect(response.headers['content-type']).toContain('spreadsheetml');
    const { rows } = await readSheet(response.body);
    expect(rows).toHaveLength(own + 1);
    const idColumn = rows[0].indexOf('证件号码');
    expect(rows.map((r) => r[idColumn])).toContain(residentId('350502', '20220315', '119'));
    expect(rows.find((r) => r[0] === '全角 幼儿')![rows[0].indexOf('民族')]).toBe('汉族');
    const [record] = await records();
    expect(record).toMatchObject({ kind: 'children', format: 'xlsx', rowCount: own, username: 'demo-kindergarten', level: 'institution', reach: 'institution:3135050201', fullNumbers: true });
  });

  test('the province gets masked numbers in csv (UTF-8 BOM); the list filters apply', async () => {
    const response = await download(province, '/api/child-export?format=csv').expect(200);
    const text = response.body.toString('utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expect(text).toContain('350502********');
    expect(text).not.toContain(residentId('350502', '20220315', '119'));
    expect(text).toContain('厦门幼儿');
    const filtered = await download(province, `/api/child-export?format=csv&filters[name][$eq]=${encodeURIComponent('全角 幼儿')}`).expect(200);
    expect(filtered.body.toString('utf8').trim().split('\r\n')).toHaveLength(2);
    const ra = await download(province, `/api/child-export?format=csv&filter=${encodeURIComponent(JSON.stringify({ q: '导入幼儿1' }))}`).expect(200);
    expect(ra.body.toString('utf8')).not.toContain('厦门幼儿');
    const [record] = await records();
    expect(record).toMatchObject({ kind: 'children', format: 'csv', username: 'demo-province', reach: 'region:35', fullNumbers: false });
  });

  test('each level exports only its reach: the other county sees none of 鲤城区; filtering on a private field probes nothing', async () => {
    const text = (await download(county2, '/api/child-export?format=csv').expect(200)).body.toString('utf8');
    expect(text).toContain('厦门幼儿');
    expect(text).not.toContain('导入幼儿1');
    const countyText = (await download(county, '/api/child-export?format=csv').expect(200)).body.toString('utf8');
    expect(countyText).toContain(residentId('350502', '20220315', '119'));
    expect(countyText).not.toContain('厦门幼儿');
    const probe = (await download(province, `/api/child-export?format=csv&filters[idNumber][$eq]=nothing`).expect((r) => expect([200, 400]).toContain(r.status)));
    if (probe.status === 200) expect(probe.body.toString('utf8').split('\r\n').length).toBeGreaterThan(3);
    await download(province, '/api/child-export?format=pdf').expect(400);
  });

  test('graduates: the package for the primary-school 学籍 system with the 学籍号', async () => {
    const child = await app.strapi.db.query('api::child.child').findOne({ where: { name: '导入幼儿8' } });
    await app.strapi.db.query('api::child.child').update({ where: { id: child.id }, data: { status: 'graduated', studentNumber: `G${child.idNumber}` } });
    const response = await download(kindergarten, '/api/child-export/graduates?schoolYear=2026-2027').expect(200);
    const { rows } = await readSheet(response.body);
    expect(rows).toHaveLength(2);
    expect(rows[0].slice(0, 2)).toEqual(['学籍号', '姓名']);
    expect(rows[1].slice(0, 2)).toEqual([`G${child.idNumber}`, '导入幼儿8']);
    expect((await download(kindergarten, '/api/child-export/graduates?schoolYear=2025-2026').expect(200)).body.length).toBeGreaterThan(0);
    await kindergarten.get('/api/child-export/graduates?schoolYear=2026').expect(400);
    await province.get('/api/child-export/graduates?schoolYear=2026-2027').expect(403);
    const [empty, one] = await records();
    expect(empty).toMatchObject({ kind: 'graduates', rowCount: 0 });
    expect(one).toMatchObject({ kind: 'graduates', rowCount: 1, username: 'demo-kindergarten', filters: { status: { $eq: 'graduated' }, schoolClass: { schoolYear: { $eq: '2026-2027' } } } });
  });
});

describe('the uploaded workbook kept for its job', () => {
  const UPLOAD = 'api::child-import.child-import-upload';
  const service = () => app.strapi.service('api::child-import.child-import') as any;

  test('is stored sealed in parts, read back byte for byte, and a workbook stored whole before parts still opens', async () => {
    const { sealText } = require('../../cms/dist/src/domain/import/sealed-file');
    const workbook = Buffer.concat([Buffer.from('PK-like header 350203202107060381 '), Buffer.alloc(200_000, 7), Buffer.from(' tail')]);
    const jobId = 900_001;
    try {
      await service().storeWorkbook(jobId, workbook, 65_536);
      const parts = await app.strapi.db.query(UPLOAD).findMany({ where: { job: jobId }, select: ['part', 'content'], orderBy: { part: 'asc' } });
      expect(parts.map((p: any) => p.part)).toEqual([0, 1, 2, 3]);
      // sealed: no part holds the ID number of the file in clear
      for (const part of parts) expect(part.content).not.toContain('350203202107060381');
      expect((await service().storedWorkbook(jobId)).equals(workbook)).toBe(true);

      const older = jobId + 1;
      const now = new Date();
      await app.strapi.db.query(UPLOAD).create({ data: { documentId: `older-upload-${Date.now()}`, job: older, content: sealText(workbook), createdAt: now, updatedAt: now, publishedAt: now } });
      expect((await service().storedWorkbook(older)).equals(workbook)).toBe(true);
    } finally {
      await app.strapi.db.query(UPLOAD).deleteMany({ where: { job: { $in: [jobId, jobId + 1] } } });
    }
    await expect(service().storedWorkbook(jobId)).rejects.toThrow('no longer stored');
  });

  test('an empty file is still one stored part', async () => {
    const jobId = 900_003;
    try {
      await service().storeWorkbook(jobId, Buffer.alloc(0), 65_536);
      expect(await app.strapi.db.query(UPLOAD).count({ where: { job: jobId } })).toBe(1);
      expect((await service().storedWorkbook(jobId)).length).toBe(0);
    } finally {
      await app.strapi.db.query(UPLOAD).deleteMany({ where: { job: jobId } });
    }
  });
});
