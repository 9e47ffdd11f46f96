/**
 * Every write path asks the same permission question (cms/src/security/can.ts), and a registered
 * child never leaves by deletion (cms/src/domain/child-rules.ts): what an attacker — or a clerk
 * whose permission was taken away — would try. docs/security/write-paths.md lists the paths.
 */
import ExcelJS from 'exceljs';
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { kindergartenId, login, type Session } from '../helpers/api';
import { residentId } from '../helpers/ids';

const CHILD = 'api::child.child';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const REFUSED_DELETE = '已注册学籍的幼儿不能删除，请办理离园、毕业或转出；重复学籍由县级在问题学籍中处理';

let app: BootedApp;
let kindergarten: Session;
let county: Session;
let province: Session;
let secadmin: Session;
let classId: string;

const children = () => app.strapi.db.query(CHILD).count({});
const stored = (documentId: string) => app.strapi.db.query(CHILD).findOne({ where: { documentId } });
const child = (name: string, idNumber: string) => ({
  name, idType: '1', idNumber, birthPlace: '350502', nativePlace: '福建泉州', ethnicity: '01', nationality: '156', overseasChinese: '00', health: '10',
  householdRegion: '350502', householdType: '2', address: '鲤城区中山路 8 号', phone: '13800000000', enrolledOn: '2025-09-01', enrollmentMode: '1', onlyChild: true,
  schoolClass: classId, guardians: [{ name: `${name}家长`, relation: '2', idType: '1', idNumber: residentId('350502', '19900101', idNumber.slice(14, 17)) }],
});
const matrix = (session: Session, role: string, resource: string, action: string, granted: boolean) =>
  session.put('/api/permission-matrix', { data: { role, resource, action, granted, confirm: true } }).then((r) => { if (r.status !== 200) throw new Error(`matrix: ${r.status} ${JSON.stringify(r.body)}`); return r; });

async function created(name: string, idNumber: string): Promise<string> {
  const response = await kindergarten.post('/api/children', { data: child(name, idNumber) });
  if (response.status !== 201) throw new Error(`create ${name}: ${response.status} ${JSON.stringify(response.body?.error)}`);
  return response.body.data.documentId;
}

async function registered(name: string, idNumber: string): Promise<string> {
  const id = await created(name, idNumber);
  const response = await kindergarten.post(`/api/children/${id}/register`, { data: { acknowledgeCandidates: true } });
  if (response.status !== 200) throw new Error(`register ${name}: ${response.status} ${JSON.stringify(response.body?.error)}`);
  expect(response.body.data.studentNumber).toMatch(/^[GJL]/);
  return id;
}

beforeAll(async () => {
  app = await bootStrapi();
  kindergarten = await login(app, 'demo-kindergarten');
  county = await login(app, 'demo-county');
  province = await login(app, 'demo-province');
  secadmin = await login(app, 'demo-secadmin');
  classId = (await kindergarten.get('/api/school-classes?filters[name][$eq]=小一班').expect(200)).body.data[0].documentId;
});
afterAll(async () => { await app?.stop(); });

describe('the children import asks the permission matrix (幼儿学籍 × 新增) before writing', () => {
  const HEADERS = ['姓名', '身份证件类型', '证件号码', '出生地', '籍贯', '民族', '国籍/地区', '港澳台侨外', '健康状况', '户口所在地', '户口性质', '现住址', '联系电话', '入园日期', '班级', '就读方式', '是否独生子女', '监护人1姓名', '监护人1与幼儿关系', '监护人1身份证件类型', '监护人1证件号码', '监护人1联系电话'];
  const row = (n: number) => [
    `权限导入${n}`, '居民身份证', residentId('350502', '20220420', String(500 + 2 * n + 1)), '350502', '福建泉州', '汉族', '中国', '否', '健康或良好', '350502', '非农业',
    '鲤城区中山路 9 号', '13800000000', '2025-09-01', '小一班', '走读', '是', `家长${n}`, '父亲', '居民身份证', residentId('350502', '19890101', String(500 + 2 * n + 1)), '13900000000',
  ];
  async function workbook(rows: unknown[][]): Promise<Buffer> {
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('幼儿信息');
    sheet.addRow(HEADERS);
    for (const r of rows) sheet.addRow(r);
    return Buffer.from(await book.xlsx.writeBuffer());
  }
  async function importJob(buffer: Buffer) {
    const response = await kindergarten.post('/api/child-import').attach('file', buffer, { filename: 'children.xlsx', contentType: XLSX });
    if (response.status !== 202) throw new Error(`import: ${response.status} ${JSON.stringify(response.body?.error)}`);
    await (app.strapi.service('api::child-import.child-import') as any).settle();
    return (await kindergarten.get(`/api/child-import/${response.body.data.id}`).expect(200)).body.data;
  }

  test('create revoked: the form answers 403 and the import fails with the matrix’s reason, writing nothing; restored: both work', async () => {
    const file = await workbook([row(1), row(2)]);
    await matrix(province, 'institution', 'children', 'create', false); // the level above takes it away
    try {
      await kindergarten.post('/api/children', { data: child('表单幼儿', residentId('350502', '20220420', '601')) }).expect(403);
      const before = await children();
      const job = await importJob(file);
      expect(job).toMatchObject({ state: 'failed', imported: 0, message: '无权新增幼儿学籍（权限矩阵）' });
      expect(await children()).toBe(before);
      expect(await app.strapi.db.query(CHILD).count({ where: { name: { $startsWith: '权限导入' } } })).toBe(0);
    } finally {
      await matrix(secadmin, 'institution', 'children', 'create', true); // the security administrator gives it back
    }
    const before = await children();
    const job = await importJob(file);
    expect(job).toMatchObject({ state: 'done', imported: 2 });
    expect(await children()).toBe(before + 2);
  });
});

describe('bulk approval asks the approve permission (申请与审核 × 审核)', () => {
  test('approve revoked: bulk-approve refused, the request stays pending; restored: approved', async () => {
    const subjectId = await kindergartenId(app, '3135050201');
    const submitted = await kindergarten.post('/api/requests', { data: { type: 'declaration', subjectId, changes: { kind: 'relocation', description: '迁至新园舍', occurredOn: '2026-11-01' } } }).expect(201);
    const id = submitted.body.data.id;
    await matrix(province, 'county', 'requests', 'approve', false);
    try {
      await county.post(`/api/requests/${id}/approve`, { data: {} }).expect(403);
      const refused = await county.post('/api/requests/bulk-approve', { data: { ids: [id] } }).expect(403);
      expect(refused.body.error.message).toBe('无权审核申请与审核（权限矩阵）');
      expect((await county.get(`/api/requests/${id}`).expect(200)).body.data.state).toBe('submitted');
    } finally {
      await matrix(secadmin, 'county', 'requests', 'approve', true);
    }
    const bulk = await county.post('/api/requests/bulk-approve', { data: { ids: [id] } }).expect(200);
    expect(bulk.body.data.approved).toEqual([id]);
  });
});

describe('an approval effect that is a plain edit asks the reviewer’s permission (workflows.json effectPermission)', () => {
  const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

  test('幼儿学籍 × 修改 revoked: no key change by approving its own request, no 调班 or 离园; restored: the approval applies', async () => {
    const id = await registered('周改名', residentId('350502', '20221010', '037'));
    const submitted = await kindergarten.post(`/api/children/${id}/key-change`, { data: { changes: { name: '周更名' }, reason: '监护人申请更正姓名' } }).expect(201);
    const requestId = submitted.body.data.id;
    await kindergarten.post(`/api/requests/${requestId}/evidence`).attach('files', PNG, { filename: 'hukou.png', contentType: 'image/png' }).expect(200);
    await matrix(province, 'institution', 'children', 'edit', false);
    try {
      await kindergarten.put(`/api/children/${id}`, { data: { address: '别处' } }).expect(403);
      // the lifecycle's own writes of the record (调班, 离园) ask the same question
      const otherClass = (await kindergarten.get('/api/school-classes?filters[name][$eq]=中一班').expect(200)).body.data[0].documentId;
      const moved = await kindergarten.post(`/api/children/${id}/move`, { data: { schoolClass: otherClass } }).expect(403);
      expect(moved.body.error.message).toBe('无权修改幼儿学籍（权限矩阵）');
      await kindergarten.post(`/api/children/${id}/leave`, { data: { reasonCode: 'moved' } }).expect(403);
      expect(await stored(id)).toMatchObject({ status: 'registered' });
      const refused = await kindergarten.post(`/api/requests/${requestId}/approve`, { data: {} }).expect(403);
      expect(refused.body.error.message).toBe('无权修改幼儿学籍（权限矩阵）');
      expect(await stored(id)).toMatchObject({ name: '周改名' });
      expect((await kindergarten.get(`/api/requests/${requestId}`).expect(200)).body.data.state).toBe('submitted');
    } finally {
      await matrix(secadmin, 'institution', 'children', 'edit', true);
    }
    await kindergarten.post(`/api/requests/${requestId}/approve`, { data: {} }).expect(200);
    expect(await stored(id)).toMatchObject({ name: '周更名' });
  });
});

describe('a child with a 学籍号 is never deleted, on any path', () => {
  let id: string;
  beforeAll(async () => {
    id = await registered('学籍幼儿', residentId('350502', '20220511', '013'));
  });

  test('REST DELETE by the kindergarten: 403 with the reason, the record stays', async () => {
    const refused = await kindergarten.del(`/api/children/${id}`).expect(403);
    expect(refused.body.error.message).toBe(REFUSED_DELETE);
    expect(await stored(id)).toMatchObject({ studentNumber: expect.stringMatching(/^G/) });
  });

  test('the bridge: DELETE /ra/children/:id, bulk delete by filter, odd spellings', async () => {
    const refused = await kindergarten.del(`/ra/children/${id}`).expect(403);
    expect(refused.body.message).toBe(REFUSED_DELETE);
    const bulk = await kindergarten.del(`/ra/children?filter=${encodeURIComponent(JSON.stringify({ id: [id] }))}`);
    expect(bulk.status).toBeGreaterThanOrEqual(400);
    for (const path of [`/api/children/${id}/`, `/API/children/${id}`, `/api//children/${id}`, `/api/children/./${id}`, `/ra/children/${id}/`]) {
      const response = await kindergarten.del(path);
      expect([403, 404, 405]).toContain(response.status);
    }
    expect(await stored(id)).toBeTruthy();
  });

  test('higher levels: county, province, another county — refused, the record stays', async () => {
    await county.del(`/api/children/${id}`).expect(403);
    await province.del(`/api/children/${id}`).expect(403);
    const other = await (await login(app, 'demo-county-2')).del(`/api/children/${id}`);
    expect([403, 404]).toContain(other.status);
    await county.del(`/ra/children/${id}`).expect(403);
    expect(await stored(id)).toBeTruthy();
  });

  test('the document service called from any service (no request: the system) refuses too', async () => {
    await expect(app.strapi.documents(CHILD).delete({ documentId: id })).rejects.toThrow(REFUSED_DELETE);
    expect(await stored(id)).toBeTruthy();
  });

  test('a draft child (no 学籍号) is still deleted by its kindergarten, on REST and the bridge', async () => {
    const draft = await created('草稿幼儿', residentId('350502', '20220611', '015'));
    await kindergarten.del(`/api/children/${draft}`).expect(204);
    expect(await stored(draft)).toBeNull();
    const draft2 = await created('草稿幼儿二', residentId('350502', '20220611', '017'));
    await kindergarten.del(`/ra/children/${draft2}`).expect(204);
    expect(await stored(draft2)).toBeNull();
    // the same kind of record once its 学籍号 is issued: refused
    const draft3 = await created('草稿幼儿三', residentId('350502', '20220611', '019'));
    await kindergarten.post(`/api/children/${draft3}/register`, { data: { acknowledgeCandidates: true } }).expect(200);
    await kindergarten.del(`/ra/children/${draft3}`).expect(403);
    expect(await stored(draft3)).toBeTruthy();
  });
});

describe('the problem-record resolution 重复学籍 删除 still deletes a registered duplicate', () => {
  const problems = (childDocumentId: string) => app.strapi.db.query('api::problem-record.problem-record').findMany({ where: { child: { documentId: childDocumentId } } });

  test('a duplicate confirmed at registration: the kindergarten deletes the registered record, the problem record is resolved', async () => {
    const first = await registered('陈重复', residentId('350502', '20220707', '031'));
    const second = await registered('陈重复', residentId('350503', '20220707', '051'));
    const [problem] = await problems(second);
    expect(problem).toMatchObject({ kind: 'duplicate-with-id', state: 'open' });
    // the record the duplicate was confirmed against is not the problem record's: it stays
    expect(await problems(first)).toEqual([]);
    await kindergarten.del(`/api/children/${first}`).expect(403);
    await kindergarten.del(`/api/children/${second}`).expect(204);
    expect(await stored(second)).toBeNull();
    expect(await app.strapi.db.query('api::problem-record.problem-record').findOne({ where: { id: problem.id } })).toMatchObject({ state: 'resolved', resolution: 'deleted' });
  });

  test('a duplicate opened by the county: deleted; a wrong-ID problem record does not open the way', async () => {
    const duplicate = await registered('林重复', residentId('350502', '20220808', '033'));
    await county.post('/api/problem-records', { data: { child: duplicate, kind: 'duplicate-without-id', description: '同一幼儿录入两次' } }).expect(201);
    const wrongId = await registered('黄错号', residentId('350502', '20220919', '035'));
    expect(await problems(wrongId)).toEqual([]);
    await county.post('/api/problem-records', { data: { child: wrongId, kind: 'wrong-id', description: '证件号码有误' } }).expect(201);
    await kindergarten.del(`/api/children/${wrongId}`).expect(403);
    expect(await stored(wrongId)).toBeTruthy();
    await kindergarten.del(`/api/children/${duplicate}`).expect(204);
    expect(await stored(duplicate)).toBeNull();
  });
});
