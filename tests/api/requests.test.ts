/**
 * The approval mechanism end to end through the API: key-information change, registration, annual
 * report, declaration; return and resubmit; the two-reviewers race; clashing changes; reach.
 */
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { kindergartenId, login, type Session } from '../helpers/api';

let app: BootedApp;
let kindergarten: Session;
let county: Session;
let licheng201: string;
beforeAll(async () => {
  app = await bootStrapi();
  kindergarten = await login(app, 'demo-kindergarten');
  county = await login(app, 'demo-county');
  licheng201 = await kindergartenId(app, '3135050201');
});
afterAll(async () => { await app?.stop(); });

const stored = (code = '3135050201') => app.strapi.db.query('api::kindergarten.kindergarten').findOne({ where: { code } });
const requestRow = (documentId: string) => app.strapi.db.query('api::request.request').findOne({ where: { documentId } });

describe('key-information change (关键信息变更)', () => {
  test('submitted by the kindergarten, locked while pending, approved by its county', async () => {
    const before = await stored();
    const submitted = await kindergarten.post('/api/requests', {
      data: { type: 'kindergarten-key-change', subjectId: licheng201, changes: { principal: '张三', phone: '1' }, reason: '园长调任' },
    }).expect(400);
    expect(submitted.body.error.details.errors[0].path).toEqual(['phone']);

    const created = await kindergarten.post('/api/requests', {
      data: { type: 'kindergarten-key-change', subjectId: licheng201, changes: { principal: '张三', name: before.name }, reason: '园长调任' },
    }).expect(201);
    const request = created.body.data;
    expect(request).toMatchObject({ state: 'submitted', typeName: '关键信息变更', reviewerLevel: 'county', subjectName: before.name });
    expect(request.changes).toEqual([{ field: 'principal', label: '园长', from: before.principal, to: '张三' }]);
    expect(request.dueAt).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(request.history).toHaveLength(1);

    // the pending field cannot be edited directly, nor changed by a second request
    const direct = await kindergarten.put(`/api/kindergartens/${licheng201}`, { data: { principal: '李四' } }).expect(409);
    expect(direct.body.error.details.errors[0].path).toEqual(['principal']);
    await kindergarten.post('/api/requests', { data: { type: 'kindergarten-key-change', subjectId: licheng201, changes: { principal: '王五' } } }).expect(409);
    // other fields still can
    await kindergarten.put(`/api/kindergartens/${licheng201}`, { data: { phone: '0595-22999999' } }).expect(200);

    // outside the reach: 404; the wrong level: 403; the kindergarten cannot approve its own request
    await (await login(app, 'demo-county-2')).post(`/api/requests/${request.id}/approve`, { data: {} }).expect(404);
    await (await login(app, 'demo-prefecture')).post(`/api/requests/${request.id}/approve`, { data: {} }).expect(403);
    await kindergarten.post(`/api/requests/${request.id}/approve`, { data: {} }).expect(403);
    expect((await stored()).principal).toBe(before.principal);

    const approved = await county.post(`/api/requests/${request.id}/approve`, { data: { comment: '同意', version: request.version } }).expect(200);
    expect(approved.body.data).toMatchObject({ state: 'approved', decidedByName: '鲤城区教育局演示用户' });
    expect(approved.body.data.history.map((h) => h.action)).toEqual(['submit', 'approve']);
    expect((await stored()).principal).toBe('张三');

    // deciding twice is refused
    await county.post(`/api/requests/${request.id}/reject`, { data: { comment: '再驳回' } }).expect(409);
    // once registered, key fields change only through a request
    const locked = await kindergarten.put(`/api/kindergartens/${licheng201}`, { data: { principal: '李四' } }).expect(400);
    expect(locked.body.error.details.errors[0]).toMatchObject({ path: ['principal'], message: '关键信息须通过变更申请修改' });
  });

  test('two reviewers deciding at once: exactly one decision counts, the other gets 409', async () => {
    const created = await kindergarten.post('/api/requests', {
      data: { type: 'kindergarten-key-change', subjectId: licheng201, changes: { address: '鲤城区新华北路 1 号' } },
    }).expect(201);
    const id = created.body.data.id;
    const second = await login(app, 'demo-county');
    const [a, b] = await Promise.all([
      county.post(`/api/requests/${id}/approve`, { data: { version: 1 } }),
      second.post(`/api/requests/${id}/reject`, { data: { version: 1, comment: '材料不全' } }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const row = await requestRow(id);
    expect(row.history).toHaveLength(2);
    expect((await stored()).address).toBe(row.state === 'approved' ? '鲤城区新华北路 1 号' : created.body.data.changes[0].from);
  });

  test('returned for correction, resubmitted, then rejected: the subject is unchanged', async () => {
    const before = await stored();
    const created = await kindergarten.post('/api/requests', {
      data: { type: 'kindergarten-key-change', subjectId: licheng201, changes: { legalPerson: '某某公司' }, reason: '变更举办者' },
    }).expect(201);
    const id = created.body.data.id;
    const noComment = await county.post(`/api/requests/${id}/return`, { data: {} }).expect(400);
    expect(noComment.body.error.details.errors[0].path).toEqual(['comment']);
    await county.post(`/api/requests/${id}/return`, { data: { comment: '请上传营业执照' } }).expect(200);
    await county.post(`/api/requests/${id}/approve`, { data: {} }).expect(409);
    const resubmitted = await kindergarten.post(`/api/requests/${id}/resubmit`, { data: { changes: { legalPerson: '某某教育公司' }, reason: '已补充' } }).expect(200);
    expect(resubmitted.body.data).toMatchObject({ state: 'resubmitted', changes: [{ field: 'legalPerson', to: '某某教育公司' }] });
    const rejected = await county.post(`/api/requests/${id}/reject`, { data: { comment: '举办者资质不符' } }).expect(200);
    expect(rejected.body.data.history.map((h) => [h.action, h.comment])).toEqual([
      ['submit', '变更举办者'], ['return', '请上传营业执照'], ['resubmit', '已补充'], ['reject', '举办者资质不符'],
    ]);
    expect((await stored()).legalPerson).toBe(before.legalPerson);
  });

  test('evidence: images and PDFs are attached; other files are refused', async () => {
    const created = await kindergarten.post('/api/requests', {
      data: { type: 'kindergarten-key-change', subjectId: licheng201, changes: { name: '泉州市鲤城区实验幼儿园（总园）' } },
    }).expect(201);
    const id = created.body.data.id;
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
    const uploaded = await kindergarten.post(`/api/requests/${id}/evidence`).attach('files', png, { filename: 'licence.png', contentType: 'image/png' }).expect(200);
    expect(uploaded.body.data.evidence).toEqual([expect.objectContaining({ name: 'licence.png', mime: 'image/png' })]);
    const text = await kindergarten.post(`/api/requests/${id}/evidence`).attach('files', Buffer.from('hello'), { filename: 'note.txt', contentType: 'text/plain' }).expect(400);
    expect(text.body.error.details.errors[0].path).toEqual(['files']);
    await county.post(`/api/requests/${id}/reject`, { data: { comment: '名称不符合规定' } }).expect(200);
  });
});

describe('registration (办园登记)', () => {
  test('a new kindergarten registers; its county approves; key fields are editable until then', async () => {
    const created = await county.post('/api/kindergartens', { data: { code: '3135050280', name: '鲤城区新园', countyCode: '350502', ownership: 'private' } }).expect(201);
    const id = created.body.data.documentId;
    expect(created.body.data.registrationState).toBe('draft');
    await county.put(`/api/kindergartens/${id}`, { data: { principal: '赵园长' } }).expect(200);
    const account = await county.post('/api/accounts', { data: { username: 'licheng-new', fullName: '新园园长', institutionCode: '3135050280' } }).expect(201);
    const owner = await login(app, 'licheng-new', account.body.data.temporaryPassword);

    const incomplete = await owner.post('/api/requests', { data: { type: 'kindergarten-registration', subjectId: id, changes: { address: '鲤城区某路' } } }).expect(400);
    expect(incomplete.body.error.details.errors[0].path).toEqual(['legalPerson']);
    const badLicence = await owner.post('/api/requests', {
      data: { type: 'kindergarten-registration', subjectId: id, changes: { legalPerson: '某公司', address: '鲤城区某路 8 号', urbanRural: '111', sponsorType: 'private', licenseNumber: '教民123', licenseStart: '2026-09-01', licenseEnd: '2025-08-31' } },
    }).expect(400);
    expect(badLicence.body.error.details.errors[0].path).toEqual(['licenseEnd']);
    const submitted = await owner.post('/api/requests', {
      data: { type: 'kindergarten-registration', subjectId: id, changes: { legalPerson: '某公司', address: '鲤城区某路 8 号', urbanRural: '111', sponsorType: 'private', licenseNumber: '教民123', licenseStart: '2026-09-01', licenseEnd: '2031-08-31' } },
    }).expect(201);
    expect((await stored('3135050280')).registrationState).toBe('pending');
    await county.post(`/api/requests/${submitted.body.data.id}/approve`, { data: {} }).expect(200);
    const registered = await stored('3135050280');
    expect(registered).toMatchObject({ registrationState: 'approved', legalPerson: '某公司', licenseEnd: '2031-08-31', urbanRural: '111' });
  });
});

describe('annual report (年度报告) and declarations (异动申报)', () => {
  test('an approved annual report becomes the kindergarten’s report of that year; one pending per year', async () => {
    const report = { year: 2025, conditions: '园舍 12 间', staffing: '专任教师 18 人', quality: '省级示范', finance: '收支平衡' };
    const created = await kindergarten.post('/api/requests', { data: { type: 'annual-report', subjectId: licheng201, changes: report } }).expect(201);
    await kindergarten.post('/api/requests', { data: { type: 'annual-report', subjectId: licheng201, changes: report } }).expect(409);
    await county.post(`/api/requests/${created.body.data.id}/approve`, { data: {} }).expect(200);
    const reports = await kindergarten.get('/api/annual-reports').expect(200);
    expect(reports.body.data).toEqual([expect.objectContaining({ year: 2025, institutionCode: '3135050201', staffing: '专任教师 18 人' })]);
    const otherCounty = await (await login(app, 'demo-county-2')).get('/api/annual-reports').expect(200);
    expect(otherCounty.body.data).toEqual([]);
  });

  test('a declaration names a kind from the code table and a date not in the future', async () => {
    const bad = await kindergarten.post('/api/requests', { data: { type: 'declaration', subjectId: licheng201, changes: { kind: 'party', description: 'x', occurredOn: '2026-11-01' } } }).expect(400);
    expect(bad.body.error.details.errors[0].path).toEqual(['kind']);
    const future = await kindergarten.post('/api/requests', { data: { type: 'declaration', subjectId: licheng201, changes: { kind: 'relocation', description: '迁址', occurredOn: '2999-01-01' } } }).expect(400);
    expect(future.body.error.details.errors[0].path).toEqual(['occurredOn']);
    const created = await kindergarten.post('/api/requests', { data: { type: 'declaration', subjectId: licheng201, changes: { kind: 'relocation', description: '迁至新园舍', occurredOn: '2026-11-01' } } }).expect(201);
    expect(created.body.data.typeName).toBe('异动申报');
    await county.post(`/api/requests/${created.body.data.id}/approve`, { data: { comment: '已核实' } }).expect(200);
  });

  test('a kindergarten cannot submit for another kindergarten', async () => {
    const other = await kindergartenId(app, '3135050202');
    const response = await kindergarten.post('/api/requests', { data: { type: 'declaration', subjectId: other, changes: { kind: 'other', description: 'x', occurredOn: '2026-11-01' } } }).expect(400);
    expect(response.body.error.details.errors[0].path).toEqual(['subjectId']);
  });
});

describe('inbox, overdue and bulk approval', () => {
  test('lists are scoped; overdue requests are flagged and counted; bulk approval reports each', async () => {
    const ids: string[] = [];
    for (const kind of ['other', 'safety-incident']) {
      const created = await kindergarten.post('/api/requests', { data: { type: 'declaration', subjectId: licheng201, changes: { kind, description: kind, occurredOn: '2026-11-02' } } }).expect(201);
      ids.push(created.body.data.id);
    }
    await app.strapi.db.query('api::request.request').update({ where: { documentId: ids[0] }, data: { dueAt: '2026-01-05' } });

    const inbox = await county.get('/ra/requests?filter={"state":["submitted","resubmitted"]}&range=[0,49]').expect(200);
    expect(inbox.body.map((r) => r.id)).toEqual(expect.arrayContaining(ids));
    expect(inbox.body.find((r) => r.id === ids[0]).overdue).toBe(true);
    const overdue = await county.get('/ra/requests?filter={"overdue":true}&range=[0,49]').expect(200);
    expect(overdue.body.map((r) => r.id)).toEqual([ids[0]]);
    expect((await (await login(app, 'demo-county-2')).get('/ra/requests?range=[0,49]').expect(200)).body).toEqual([]);
    const summary = await (await login(app, 'demo-prefecture')).get('/api/requests/overdue-summary').expect(200);
    expect(summary.body.byCounty).toEqual([expect.objectContaining({ countyCode: '350502', countyName: '鲤城区', overdue: 1, open: 2 })]);

    const bulk = await county.post('/api/requests/bulk-approve', { data: { ids: [...ids, 'aaaaaaaaaaaaaaaaaaaaaaaa'] } }).expect(200);
    expect(bulk.body.data.approved.sort()).toEqual([...ids].sort());
    expect(bulk.body.data.failed).toEqual([{ id: 'aaaaaaaaaaaaaaaaaaaaaaaa', message: 'Not Found' }]);
  });
});
