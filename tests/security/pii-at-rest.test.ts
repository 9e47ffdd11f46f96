/**
 * ID numbers at rest beyond the records themselves (docs/security/audit-and-pii-at-rest.md):
 * - a key-information change keeps the old and new ID numbers encrypted in its payload, shows them
 *   masked, and still applies the right number when approved;
 * - an import's error report is encrypted, mode 0600, downloadable by its own kindergarten only
 *   (each download a `pii.read`), and deleted after config/imports.json reportRetentionDays;
 * - printing a confirmation form that shows full ID numbers is a `pii.read`.
 */
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { bootStrapi, REPOSITORY_ROOT, type BootedApp } from '../helpers/boot';
import { login, type Session } from '../helpers/api';
import { residentId } from '../helpers/ids';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const importsConfig = require(path.join(REPOSITORY_ROOT, 'config', 'imports.json'));
// loaded after the boot (the compiled modules read DATA_DIR when first loaded)
const auditTable = (strapi: unknown) => require(path.join(REPOSITORY_ROOT, 'cms', 'dist', 'src', 'security', 'audit')).auditTable(strapi);

let app: BootedApp;
let kindergarten: Session;
let kindergarten2: Session;
let county: Session;
let classId: string;
let serial = 0;

const table = (name: string) => (app.schema ? `${app.schema}.${name}` : name);
const piiReads = (where: Record<string, unknown> = {}) => app.strapi.db.connection(auditTable(app.strapi)).where({ action: 'pii.read', ...where }).orderBy('id', 'asc');

const childData = (name: string, idNumber: string, guardianId: string) => ({
  name, idType: '1', idNumber, birthPlace: '350502', nativePlace: '福建泉州', ethnicity: '01', nationality: '156', overseasChinese: '00', health: '10',
  householdRegion: '350502', householdType: '2', address: '鲤城区中山路 2 号', phone: '13800000000', enrolledOn: '2025-09-01', enrollmentMode: '1', onlyChild: true,
  schoolClass: classId, guardians: [{ name: '监护人', relation: '1', idType: '1', idNumber: guardianId, phone: '13800000001' }],
});

async function registeredChild() {
  serial += 1;
  const birth = `202205${String(serial).padStart(2, '0')}`;
  const idNumber = residentId('350502', birth, String(500 + serial * 2 + 1));
  const created = await kindergarten.post('/api/children', { data: childData(`静态${serial}`, idNumber, residentId('350502', '19870202', String(600 + serial * 2 + 1))) }).expect(201);
  const id = created.body.data.documentId as string;
  await kindergarten.post(`/api/children/${id}/register`, { data: { acknowledgeCandidates: true } }).expect(200);
  return { id, idNumber, birth };
}

beforeAll(async () => {
  app = await bootStrapi();
  [kindergarten, kindergarten2, county] = await Promise.all(['demo-kindergarten', 'demo-kindergarten-2', 'demo-county'].map((u) => login(app, u)));
  classId = (await kindergarten.get('/api/school-classes?filters[name][$eq]=小一班').expect(200)).body.data[0].documentId;
}, 180_000);
afterAll(async () => { await app?.stop(); });

describe('a key-information change keeps ID numbers encrypted in its payload', () => {
  test('the raw row holds ciphertext; the API shows them masked; approval writes the right number', async () => {
    const child = await registeredChild();
    const corrected = residentId('350502', child.birth, '791');
    const submitted = await kindergarten.post(`/api/children/${child.id}/key-change`, { data: { changes: { idNumber: corrected }, reason: '监护人申请更正' } }).expect(201);
    const requestId = submitted.body.data.id as string;

    const raw = await app.strapi.db.connection(table('requests')).where({ document_id: requestId }).first('proposed', 'previous');
    const stored = `${JSON.stringify(raw.proposed)} ${JSON.stringify(raw.previous)}`;
    expect(stored).not.toContain(corrected);
    expect(stored).not.toContain(child.idNumber);
    expect(stored).toContain('enc:v1:');

    const shown = (await kindergarten.get(`/api/requests/${requestId}`).expect(200)).body.data;
    const change = shown.changes.find((c: any) => c.field === 'idNumber');
    expect(change.to).toMatch(new RegExp(`^${corrected.slice(0, 6)}\\*{11}${corrected.slice(-1)}$`));
    expect(change.from).toMatch(new RegExp(`^${child.idNumber.slice(0, 6)}\\*{11}${child.idNumber.slice(-1)}$`));

    await kindergarten.post(`/api/requests/${requestId}/evidence`).attach('files', PNG, { filename: 'hukou.png', contentType: 'image/png' }).expect(200);
    await kindergarten.post(`/api/requests/${requestId}/approve`, { data: {} }).expect(200);
    const record = await app.strapi.db.query('api::child.child').findOne({ where: { documentId: child.id }, select: ['idNumber'] });
    expect(record.idNumber).toBe(corrected);
  });

  test('a payload stored in plain text before this control is encrypted at start', async () => {
    const child = await registeredChild();
    const submitted = await kindergarten.post(`/api/children/${child.id}/key-change`, { data: { changes: { name: '旧式改名' }, reason: '更正' } }).expect(201);
    const requestId = submitted.body.data.id as string;
    const plain = residentId('350502', child.birth, '793');
    const proposed = { idNumber: plain };
    await app.strapi.db.connection(table('requests')).where({ document_id: requestId })
      .update({ proposed: app.schema ? proposed : JSON.stringify(proposed) });
    const { encryptStoredPayloads } = require(path.join(REPOSITORY_ROOT, 'cms', 'dist', 'src', 'api', 'request', 'content-types', 'request', 'lifecycles'));
    expect(await encryptStoredPayloads(app.strapi)).toBeGreaterThanOrEqual(1);
    const raw = await app.strapi.db.connection(table('requests')).where({ document_id: requestId }).first('proposed');
    expect(JSON.stringify(raw.proposed)).not.toContain(plain);
    const read = await app.strapi.db.query('api::request.request').findOne({ where: { documentId: requestId }, select: ['proposed'] });
    expect(read.proposed).toEqual({ idNumber: plain });
  });
});

describe('import error reports', () => {
  const HEADERS = ['姓名', '身份证件类型', '证件号码', '出生地', '籍贯', '民族', '国籍/地区', '港澳台侨外', '健康状况', '户口所在地', '户口性质', '现住址', '联系电话', '入园日期', '班级', '就读方式', '是否独生子女', '监护人1姓名', '监护人1与幼儿关系', '监护人1身份证件类型', '监护人1证件号码', '监护人1联系电话'];
  const childId = residentId('350502', '20220601', '137');
  const guardianId = residentId('350502', '19900601', '139');
  let jobId: string;
  const reportPath = () => path.join(process.env.DATA_DIR!, 'imports', `${jobId}-report.xlsx`);
  const download = (session: Session) => session.get(`/api/child-import/${jobId}/report`).buffer(true).parse((res: any, callback: any) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => callback(null, Buffer.concat(chunks)));
  });

  beforeAll(async () => {
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('幼儿信息');
    sheet.addRow(HEADERS);
    // one row with an unknown ethnicity: the import is rejected and a report written
    const values: Record<string, string> = {
      姓名: '报告幼儿', 身份证件类型: '居民身份证', 证件号码: childId, 出生地: '350502', 籍贯: '福建泉州', 民族: '火星族', '国籍/地区': '中国', 港澳台侨外: '否', 健康状况: '健康或良好',
      户口所在地: '350502', 户口性质: '非农业', 现住址: '鲤城区中山路 8 号', 联系电话: '13800000000', 入园日期: '2025-09-01', 班级: '小一班', 就读方式: '走读', 是否独生子女: '是',
      监护人1姓名: '报告家长', 监护人1与幼儿关系: '父亲', 监护人1身份证件类型: '居民身份证', 监护人1证件号码: guardianId, 监护人1联系电话: '13900000000',
    };
    sheet.addRow(HEADERS.map((h) => values[h] ?? null));
    const file = Buffer.from(await book.xlsx.writeBuffer());
    const started = await kindergarten.post('/api/child-import').attach('file', file, { filename: 'report.xlsx', contentType: XLSX }).field('mode', 'all-or-none');
    expect(started.status).toBe(202);
    jobId = started.body.data.id;
    await (app.strapi.service('api::child-import.child-import') as any).settle();
    expect((await kindergarten.get(`/api/child-import/${jobId}`).expect(200)).body.data).toMatchObject({ state: 'rejected', hasReport: true });
  });

  test('the stored report is readable by the server user only and holds no plain ID number', async () => {
    const stat = fs.statSync(reportPath());
    expect(stat.mode & 0o777).toBe(0o600);
    const content = fs.readFileSync(reportPath());
    // not a workbook anyone can open (an xlsx is a zip: its text would only be compressed)
    expect(content.subarray(0, 2).toString('latin1')).not.toBe('PK');
    await expect(new ExcelJS.Workbook().xlsx.load(content as any)).rejects.toBeTruthy();
    expect(content.toString('latin1')).not.toContain(childId);
    expect(content.toString('latin1')).not.toContain(guardianId);
    // no scratch file left beside it
    expect(fs.readdirSync(path.dirname(reportPath())).filter((name) => !name.endsWith('-report.xlsx'))).toEqual([]);
  });

  test('its own kindergarten downloads it whole, and the download is a pii.read', async () => {
    const before = (await piiReads({ target_type: 'child-import', target_id: jobId })).length;
    const response = await download(kindergarten).expect(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(response.body);
    const cells: string[] = [];
    book.worksheets[0].eachRow((row) => cells.push(...(row.values as unknown[]).map(String)));
    expect(cells).toEqual(expect.arrayContaining([childId, guardianId]));
    const after = await piiReads({ target_type: 'child-import', target_id: jobId });
    expect(after.length).toBe(before + 1);
    const details = typeof after[after.length - 1].details === 'string' ? JSON.parse(after[after.length - 1].details) : after[after.length - 1].details;
    expect(details).toMatchObject({ count: 2 });
    expect(after[after.length - 1].actor_username).toBe('demo-kindergarten');
  });

  test('another kindergarten and the county get 404, and nothing is audited as read', async () => {
    const before = (await piiReads({ target_type: 'child-import', target_id: jobId })).length;
    await download(kindergarten2).expect(404);
    const countyAnswer = await download(county);
    expect([403, 404]).toContain(countyAnswer.status);
    // the service itself refuses a user of another institution or level, whatever the route's permissions
    const service = app.strapi.service('api::child-import.child-import') as any;
    const userOf = async (username: string) => app.strapi.db.query('plugin::users-permissions.user').findOne({ where: { username } });
    await expect(service.report(await userOf('demo-county'), jobId)).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(service.report(await userOf('demo-kindergarten-2'), jobId)).rejects.toMatchObject({ name: 'NotFoundError' });
    expect((await piiReads({ target_type: 'child-import', target_id: jobId })).length).toBe(before);
  });

  test(`a report older than ${importsConfig.reportRetentionDays} days is deleted, and the job says it expired`, async () => {
    const service = app.strapi.service('api::child-import.child-import') as any;
    const dir = path.dirname(reportPath());
    // a scratch file left by a crash (plain rows) and an orphan report, both old
    const scratch = path.join(dir, 'crashed-report.xlsx.1.tmp');
    const orphan = path.join(dir, 'orphan-report.xlsx');
    for (const file of [scratch, orphan]) {
      fs.writeFileSync(file, 'PK old');
      const old = new Date(Date.now() - (importsConfig.reportRetentionDays + 1) * 86400000);
      fs.utimesSync(file, old, old);
    }
    // a fresh report is kept
    expect(await service.expireReports()).toBe(0);
    expect(fs.existsSync(reportPath())).toBe(true);
    // the job finished longer ago than the retention period
    const finishedAt = new Date(Date.now() - (importsConfig.reportRetentionDays + 1) * 86400000);
    await app.strapi.db.query('api::child-import.child-import').update({ where: { documentId: jobId }, data: { finishedAt } });
    expect(await service.expireReports()).toBe(1);
    expect(fs.existsSync(reportPath())).toBe(false);
    expect(fs.existsSync(scratch)).toBe(false);
    expect(fs.existsSync(orphan)).toBe(false);
    const job = (await kindergarten.get(`/api/child-import/${jobId}`).expect(200)).body.data;
    expect(job).toMatchObject({ hasReport: false, reportExpired: true, state: 'rejected' });
    const gone = await kindergarten.get(`/api/child-import/${jobId}/report`).expect(404);
    expect(gone.body.error.message).toContain('保存期限');
  });
});

describe('confirmation forms that show full ID numbers are audited as reads', () => {
  test('a child\'s form and a class\'s forms each write a pii.read naming what was printed', async () => {
    const child = await registeredChild();
    const before = (await piiReads({ target_type: 'children', target_id: child.id })).length;
    const form = await kindergarten.get(`/api/children/${child.id}/confirmation`).expect(200);
    expect(form.text).toContain(child.idNumber);
    const entries = await piiReads({ target_type: 'children', target_id: child.id });
    expect(entries.length).toBe(before + 1);
    const details = typeof entries[entries.length - 1].details === 'string' ? JSON.parse(entries[entries.length - 1].details) : entries[entries.length - 1].details;
    expect(details).toMatchObject({ path: `/api/children/${child.id}/confirmation`, count: 2 });

    const classBefore = (await piiReads({ target_type: 'school-classes', target_id: classId })).length;
    await kindergarten.get(`/api/children/class-confirmation/${classId}`).expect(200);
    expect((await piiReads({ target_type: 'school-classes', target_id: classId })).length).toBe(classBefore + 1);

    // a form refused (another kindergarten) reveals nothing and writes no read
    const count = (await piiReads({ target_type: 'children', target_id: child.id })).length;
    await kindergarten2.get(`/api/children/${child.id}/confirmation`).expect(404);
    expect(await piiReads({ target_type: 'children', target_id: child.id })).toHaveLength(count);
  });
});

describe('the encryption of a write leaves the caller\'s data alone', () => {
  const pii = () => require(path.join(REPOSITORY_ROOT, 'cms', 'dist', 'src', 'security', 'pii'));
  const guardian = () => ({ name: '监护人', relation: '1', idType: '1', idNumber: residentId('350502', '19870303', '613'), phone: '13800000002' });

  test('a caller\'s object keeps its plain ID number; the data written holds ciphertext that decrypts to it', async () => {
    const given = guardian();
    const params: any = { data: [given] };
    await app.strapi.db.lifecycles.run('beforeCreateMany', 'family.guardian' as any, { params });
    expect(given.idNumber).toMatch(/^\d{17}[\dX]$/);
    expect(params.data[0]).not.toBe(given);
    expect(params.data[0].idNumber).toMatch(/^enc:v1:/);
    expect(pii().decryptValue(params.data[0].idNumber)).toBe(given.idNumber);
    expect(params.data[0].name).toBe(given.name);
  });

  test('rows a writer made for the write alone (the import\'s: ROWS_OWNED) are encrypted in place, not copied', async () => {
    const rows = [guardian(), { ...guardian(), idNumber: null }];
    const plain = rows[0].idNumber;
    const params: any = { data: rows, [pii().ROWS_OWNED]: true };
    await app.strapi.db.lifecycles.run('beforeCreateMany', 'family.guardian' as any, { params });
    expect(params.data[0]).toBe(rows[0]);
    expect(rows[0].idNumber).toMatch(/^enc:v1:/);
    expect(pii().decryptValue(rows[0].idNumber)).toBe(plain);
    expect(params.data[1]).toBe(rows[1]);
    expect(rows[1].idNumber).toBeNull();
  });

  test('a key set in a request body cannot ask for the in-place encryption', async () => {
    const given = { ...guardian(), ROWS_OWNED: true, 'Symbol(rows made for this write)': true };
    const params: any = { data: given, ROWS_OWNED: true };
    await app.strapi.db.lifecycles.run('beforeCreate', 'family.guardian' as any, { params });
    expect(given.idNumber).toMatch(/^\d{17}[\dX]$/);
    expect(params.data.idNumber).toMatch(/^enc:v1:/);
  });
});
