/**
 * The panel follows the server (docs/security/panel-follows-server.md): /api/me answers the caller's
 * effective actions after permission-matrix changes and the facts the panel used to copy; request
 * records carry the steps the caller may take now; the permission matrix lets a level undo its own
 * changes, names who changed a cell and when, and asks before the last holder of a core duty loses it.
 */
import path from 'node:path';
import request from 'supertest';
import { bootStrapi, REPOSITORY_ROOT, type BootedApp } from '../helpers/boot';
import { kindergartenId, login, type Session } from '../helpers/api';

const config = (name: string) => require(path.join(REPOSITORY_ROOT, 'config', name));
const OVERRIDE = 'api::permission-matrix.role-permission-override';

let app: BootedApp;
let province: Session;
let county: Session;
let kindergarten: Session;
let secadmin: Session;
beforeAll(async () => {
  app = await bootStrapi();
  province = await login(app, 'demo-province');
  county = await login(app, 'demo-county');
  kindergarten = await login(app, 'demo-kindergarten');
  secadmin = await login(app, 'demo-secadmin');
}, 180_000);
afterAll(async () => { await app?.stop(); });

const me = async (session: Session) => (await session.get('/api/me').expect(200)).body;
const matrixCell = async (session: Session, role: string, resource: string, action: string) =>
  (await session.get('/api/permission-matrix').expect(200)).body.data.roles.find((r: any) => r.type === role).cells[resource][action];
const put = (session: Session, data: Record<string, unknown>) => session.put('/api/permission-matrix', { data });

describe('/api/me: effective actions', () => {
  test('follow a revoke and a restore of the matrix at once', async () => {
    expect((await me(kindergarten)).actions.children).toEqual(expect.arrayContaining(['list', 'read', 'create', 'edit']));

    // enrolling children is a core duty: removing its last holder asks for confirmation first
    const asked = await put(province, { role: 'institution', resource: 'children', action: 'create', granted: false }).expect(409);
    expect(asked.body.error.details.code).toBe('CONFIRM_REQUIRED');
    expect(asked.body.error.details.confirm).toEqual([expect.objectContaining({ key: 'enrol-children', name: '幼儿入园建立学籍' })]);
    expect(asked.body.error.message).toContain('幼儿入园建立学籍');
    expect((await me(kindergarten)).actions.children).toContain('create'); // nothing changed

    await put(province, { role: 'institution', resource: 'children', action: 'create', granted: false, confirm: true }).expect(200);
    expect((await me(kindergarten)).actions.children).not.toContain('create');
    expect((await me(kindergarten)).actions.children).toContain('list');
    await kindergarten.post('/api/children', { data: {} }).expect(403);

    // the cell says who changed it and when, and that the province may undo it
    const changed = await matrixCell(province, 'institution', 'children', 'create');
    expect(changed).toMatchObject({ granted: false, byDefault: true, changed: true, changedBy: 'demo-province', changedByLevel: 'province', restorable: true, grantable: true });
    expect(new Date(changed.changedAt).toISOString()).toBe(changed.changedAt);
    const row = await app.strapi.db.query(OVERRIDE as any).findOne({ where: { roleType: 'institution', action: 'api::child.child.create' } });
    expect(row).toMatchObject({ granted: false, changedBy: 'demo-province', changedByLevel: 'province' });
    expect(row.changedAt).toBeTruthy();

    // the province does not hold children × create itself, yet it may put back the default it removed
    await put(province, { role: 'institution', resource: 'children', action: 'create', restore: true }).expect(200);
    expect((await me(kindergarten)).actions.children).toContain('create');
    expect(await matrixCell(province, 'institution', 'children', 'create')).toMatchObject({ granted: true, changed: false, changedBy: null, changedAt: null });
    expect(await app.strapi.db.query(OVERRIDE as any).count({ where: { roleType: 'institution' } })).toBe(0);

    // the same by ticking the box again
    await put(province, { role: 'institution', resource: 'children', action: 'create', granted: false, confirm: true }).expect(200);
    await put(province, { role: 'institution', resource: 'children', action: 'create', granted: true }).expect(200);
    expect((await me(kindergarten)).actions.children).toContain('create');
  });

  test('code tables and the calendar are edited by who the matrix says, as actions', async () => {
    expect((await me(province)).actions).toMatchObject({ 'code-tables': expect.arrayContaining(['edit']), calendar: expect.arrayContaining(['edit']) });
    const countyActions = (await me(county)).actions;
    expect(countyActions['code-tables'] ?? []).not.toContain('edit');
    expect(countyActions.calendar ?? []).not.toContain('edit');
  });

  test('the facts the panel follows come from the server configuration', async () => {
    const { facts } = await me(kindergarten);
    const { $comment, ...workflows } = config('workflows.json');
    expect(facts.workflows.map((w: any) => w.key)).toEqual(Object.keys(workflows));
    expect(facts.workflows[0]).toEqual(expect.objectContaining({ key: expect.any(String), name: expect.any(String), nameEn: expect.any(String), subject: expect.any(String) }));
    expect(facts.levels.map((l: any) => l.key)).toEqual(config('levels.json').levels.map((l: any) => l.key));
    expect(facts.timeZone).toBe(config('calendar.json').timeZone);
    expect(facts.childStates).toEqual(['draft', 'registered', 'left', 'graduated', 'cancelled']);
    expect(facts.childStateGroups).toEqual({ inSchool: ['draft', 'registered'], closed: ['left', 'cancelled', 'graduated'] });
    expect(facts.reviewableStates).toEqual(['submitted', 'resubmitted']);
    expect(facts.matrix.children).toEqual(Object.keys(config('permission-matrix.json').resources.children.cells));
    expect(facts.requestStates).toEqual(expect.arrayContaining(['submitted', 'returned', 'resubmitted', 'approved', 'rejected']));
    expect(facts.keyFields.kindergarten).toEqual(workflows['kindergarten-key-change'].fields);
    expect(facts.keyFields.child).toEqual(workflows['child-key-change'].fields);
  });
});

describe('/api/me: the pages the role may open, one vocabulary, regions by name', () => {
  test('calls name every route the role holds, by resource: a county holds no permission matrix and no custom fields', async () => {
    const countyCalls = (await me(county)).calls;
    expect(countyCalls.children).toEqual(expect.arrayContaining(['find', 'findOne']));
    expect(countyCalls['permission-matrix']).toBeUndefined();
    expect(countyCalls['custom-fields'] ?? []).not.toContain('find'); // it reads the fields of its records ('applicable'), not the designer's list
    expect((await me(province)).calls['custom-fields']).toEqual(expect.arrayContaining(['find', 'create']));
    const admin = (await me(secadmin)).calls;
    expect(admin).toMatchObject({ 'permission-matrix': expect.arrayContaining(['find', 'update']), 'security-policies': expect.arrayContaining(['find', 'update']) });
    for (const resource of ['children', 'kindergartens', 'account', 'audit-entry', 'custom-fields']) expect(admin[resource]).toBeUndefined();
  });

  test('every state of the content types is named, in both languages, and the exports say the same word', async () => {
    const { vocabulary } = (await me(kindergarten)).facts;
    const enums: Record<string, [string, string]> = {
      'children.status': ['api::child.child', 'status'], 'requests.state': ['api::request.request', 'state'], 'transfers.state': ['api::transfer.transfer', 'state'],
      'problem-records.state': ['api::problem-record.problem-record', 'state'], 'kindergartens.status': ['api::kindergarten.kindergarten', 'status'],
    };
    for (const [group, [uid, field]] of Object.entries(enums)) {
      const codes = (app.strapi.contentType(uid as any).attributes as any)[field].enum;
      expect(vocabulary.states[group].map((s: any) => s.code).sort()).toEqual([...codes].sort());
      for (const state of vocabulary.states[group]) expect(state).toEqual({ code: expect.any(String), name: expect.stringMatching(/[\u4e00-\u9fa5]/), nameEn: expect.stringMatching(/^[A-Z]/) });
    }
    expect(vocabulary.states['children.status'].find((s: any) => s.code === 'registered').name).toBe('在籍');
    expect(vocabulary.yesNo).toEqual([{ code: 'true', name: '是', nameEn: 'Yes' }, { code: 'false', name: '否', nameEn: 'No' }]);
    // every entry of every code table has its English name (the panel's choices in English)
    const tables = (await kindergarten.get('/api/dictionaries').expect(200)).body as Record<string, { code: string }[]>;
    const unnamed = Object.entries(tables).flatMap(([table, entries]) => entries.filter((entry) => !/^\S/.test(vocabulary.tablesEn[table]?.[entry.code] ?? '') || /[\u4e00-\u9fa5]/.test(vocabulary.tablesEn[table][entry.code])).map((entry) => `${table}.${entry.code}`));
    expect(unnamed).toEqual([]);
    expect([vocabulary.tablesEn.ethnicity['01'], vocabulary.tablesEn.nationality['156'], vocabulary.tablesEn.classGrade.large]).toEqual(['Han', 'China', 'Senior class']);
  });

  test('the region tree by name with pinyin initials, for every level and the same for all', async () => {
    const answer = (await kindergarten.get('/api/dictionaries/regions').expect(200)).body;
    expect(answer.columns).toEqual(['code', 'name', 'parentCode', 'initials', 'level']);
    const byCode = new Map(answer.rows.map((row: string[]) => [row[0], row]));
    expect(byCode.get('350502')).toEqual(['350502', '鲤城区', '350500', 'lcq', 'county']);
    expect(byCode.get('500000')).toEqual(['500000', '重庆市', '', 'cqs', 'province']);
    expect(answer.rows.length).toBeGreaterThan(3000);
    expect((await county.get('/api/dictionaries/regions').expect(200)).body.rows).toHaveLength(answer.rows.length);
    await request(app.strapi.server.httpServer).get('/api/dictionaries/regions').expect(403); // signed-in roles only
  });
});

describe('request records carry the caller\'s actions', () => {
  test('the reviewer sees approve / reject / return, the submitter evidence, and a revoke takes them away', async () => {
    const subjectId = await kindergartenId(app, '3135050201');
    const created = await kindergarten.post('/api/requests', {
      data: { type: 'kindergarten-key-change', subjectId, changes: { principal: '陈老师' }, reason: '园长调任' },
    }).expect(201);
    const id = created.body.data.id;
    expect(created.body.data.actions).toEqual(['evidence']);
    expect((await county.get(`/api/requests/${id}`).expect(200)).body.data.actions).toEqual(['approve', 'reject', 'return']);
    const listed = (await county.get('/api/requests').expect(200)).body.data.find((r: any) => r.id === id);
    expect(listed.actions).toEqual(['approve', 'reject', 'return']);
    // other levels in reach see the request but may take no step
    expect((await province.get(`/api/requests/${id}`).expect(200)).body.data.actions).toEqual([]);

    // approving registrations is a core duty of the county: confirmation, then the buttons go
    const asked = await put(secadmin, { role: 'county', resource: 'requests', action: 'approve', granted: false }).expect(409);
    expect(asked.body.error.details.confirm.map((d: any) => d.key)).toEqual(['approve-registrations']);
    await put(secadmin, { role: 'county', resource: 'requests', action: 'approve', granted: false, confirm: true }).expect(200);
    expect((await county.get(`/api/requests/${id}`).expect(200)).body.data.actions).toEqual([]);
    expect((await me(county)).actions.requests ?? []).not.toContain('approve');
    // a change made above (by the security administrator) is not the province's to undo
    const refused = await put(province, { role: 'county', resource: 'requests', action: 'approve', restore: true }).expect(403);
    expect(refused.body.error.message).toContain('本级不能恢复');
    expect(await matrixCell(province, 'county', 'requests', 'approve')).toMatchObject({ granted: false, restorable: false, grantable: false, changedBy: 'demo-secadmin' });
    await put(secadmin, { role: 'county', resource: 'requests', action: 'approve', restore: true }).expect(200);

    const returned = await county.post(`/api/requests/${id}/return`, { data: { comment: '请补充材料' } }).expect(200);
    expect(returned.body.data.actions).toEqual([]);
    expect((await kindergarten.get(`/api/requests/${id}`).expect(200)).body.data.actions).toEqual(['resubmit', 'evidence']);
  });
});
