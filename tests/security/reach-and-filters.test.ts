/**
 * Reach and filters (docs/security/reach-and-filters.md):
 * - a teacher's account reaches only its own staff record and training history: no transfers, no
 *   duplicate check, no lists, no kindergarten-wide action (config/roles.json accountRoles.teacher);
 * - a field a workflow governs (config/workflows.json governs) changes only through that workflow:
 *   a kindergarten cannot close itself by PUT, the approved 停办/撤销 declaration does it;
 * - the access scope holds for relation filters at any depth, inside $and/$or/$not, through /api and
 *   the panel's bridge (/ra), while a filter through relations inside the reach still works.
 */
import path from 'node:path';
import qs from 'qs';
import { bootStrapi, REPOSITORY_ROOT, type BootedApp } from '../helpers/boot';
import { DEMO, kindergartenId, login, type Session } from '../helpers/api';
import { residentId } from '../helpers/ids';

let app: BootedApp;
let kindergarten: Session; // 鲤城区实验幼儿园 3135050201
let kindergarten2: Session; // 厦门市思明区第一幼儿园 3135020301 (principal 吴雅琴)
let county: Session; // 鲤城区

const payload = (classId: string, region: string, name: string, idNumber: string) => ({
  name, idType: '1', idNumber, birthPlace: region, nativePlace: '福建', ethnicity: '01', nationality: '156', overseasChinese: '00', health: '10',
  householdRegion: region, householdType: '2', address: '某路 1 号', phone: '13800000000', enrolledOn: '2025-09-01', enrollmentMode: '1', onlyChild: true,
  schoolClass: classId, guardians: [{ name: '监护人', relation: '1', idType: '1', idNumber: residentId(region, '19880303', '135'), phone: '13800000001' }],
});

async function firstClass(session: Session): Promise<{ documentId: string; name: string }> {
  return (await session.get('/api/school-classes?sort=id:asc').expect(200)).body.data[0];
}

/** A registered child (with a 学籍号) of the session's kindergarten. */
async function registeredChild(session: Session, classId: string, region: string, name: string, birth: string, sequence: string) {
  const idNumber = residentId(region, birth, sequence);
  const created = (await session.post('/api/children', { data: payload(classId, region, name, idNumber) }).expect(201)).body.data;
  const registered = (await session.post(`/api/children/${created.documentId}/register`, { data: { acknowledgeCandidates: true } }).expect(200)).body.data;
  return { documentId: created.documentId as string, idNumber, studentNumber: registered.studentNumber as string };
}

let simingChild: { documentId: string; idNumber: string; studentNumber: string };
let lichengClass: { documentId: string; name: string };
let simingClass: { documentId: string; name: string };

beforeAll(async () => {
  app = await bootStrapi();
  [kindergarten, kindergarten2, county] = await Promise.all([login(app, 'demo-kindergarten'), login(app, 'demo-kindergarten-2'), login(app, 'demo-county')]);
  lichengClass = await firstClass(kindergarten);
  simingClass = await firstClass(kindergarten2);
  simingChild = await registeredChild(kindergarten2, simingClass.documentId, '350203', '吴思远', '20220415', '031');
  await registeredChild(kindergarten, lichengClass.documentId, '350502', '林小鲤', '20220506', '033');
}, 600_000);
afterAll(async () => { await app?.stop(); });

describe('a teacher reaches only its own record', () => {
  let teacher: Session;
  let staffId: string;
  const own = DEMO.licheng[0];

  beforeAll(async () => {
    const staff = (await kindergarten.post('/api/staff-members', { data: {
      name: '周老师', post: '02', idType: '1', idNumber: residentId('350502', '19920218', '046'), ethnicity: '01', degree: '2', major: '学前教育',
      certificateType: 'kindergarten', certificateNumber: 'JS2016002', title: '3', establishment: '1', hiredOn: '2016-09-01', employmentStatus: 'active',
    } }).expect(201)).body.data;
    staffId = staff.documentId;
    await kindergarten.post('/api/training-records', { data: { staff: staffId, course: '保育实务', hours: 6, startDate: '2026-05-01', endDate: '2026-05-01' } }).expect(201);
    const opened = (await kindergarten.post(`/api/staff-members/${staffId}/teacher-account`, { data: { username: 'teacher-zhou' } }).expect(201)).body.data;
    teacher = await login(app, 'teacher-zhou', opened.temporaryPassword);
  });

  test('its own staff record and trainings are readable', async () => {
    const record = (await teacher.get('/api/me/staff').expect(200)).body.data;
    expect(record).toMatchObject({ documentId: staffId, name: '周老师' });
    expect(record.trainings.map((t: any) => t.course)).toEqual(['保育实务']);
    expect((await teacher.get('/api/me').expect(200)).body).toMatchObject({ teacher: true, role: 'teacher' });
  });

  test('no transfer in the kindergarten\'s name, no duplicate check, no kindergarten update', async () => {
    // the child of another county, named by its 学籍号: a transfer would be opened in 鲤城 01's name
    const transfer = await teacher.post('/api/transfers', { data: { studentNumber: simingChild.studentNumber, reason: '随父母迁居' } });
    expect(transfer.status).toBe(403);
    expect(await app.strapi.db.query('api::transfer.transfer').count({ where: { toInstitutionCode: own } })).toBe(0);
    // the duplicate check as an oracle: "is this ID number held somewhere in the province?"
    const probe = await teacher.post('/api/children/check-duplicates', { data: { idType: '1', idNumber: simingChild.idNumber } });
    expect(probe.status).toBe(403);
    expect(JSON.stringify(probe.body)).not.toContain('思明');
    const update = await teacher.put(`/api/kindergartens/${await kindergartenId(app, own)}`, { data: { phone: '0595-00000000' } });
    expect(update.status).toBe(403);
    await teacher.post('/api/school-classes', { data: { name: '教师班', grade: 'small', schoolYear: '2026-2027', capacity: 20 } }).expect(403);
    await teacher.post('/api/requests', { data: { type: 'declaration', subjectId: await kindergartenId(app, own), changes: { kind: 'closure', description: 'x', occurredOn: '2026-11-01' } } }).expect(403);
  });

  test('every list it could call answers 403 or nothing; its role holds exactly the declared actions', async () => {
    const roles = require('../../config/roles.json');
    const declared: string[] = roles.accountRoles.teacher.actions;
    const user = await app.strapi.db.query('plugin::users-permissions.user').findOne({ where: { username: 'teacher-zhou' }, populate: ['role'] });
    expect(user.role.type).toBe('teacher');
    const held = await app.strapi.db.query('plugin::users-permissions.permission').findMany({ where: { role: user.role.id } });
    expect(held.map((p: any) => p.action).sort()).toEqual([...declared].sort());
    // every GET route of the content API without a parameter, as the teacher
    // '/guardian/children': a guardian session's own route, which answers any staff token 401 (docs/guardians.md)
    const allowed = new Set(['/me', '/me/staff', '/users/me', '/dictionaries', '/code-tables', '/health', '/auth/password-rules', '/guardian/children']);
    const paths = new Set<string>();
    for (const api of Object.values(app.strapi.apis as Record<string, any>)) {
      for (const router of Object.values(api.routes ?? {}) as any[]) {
        for (const route of router.routes ?? []) if (route.method === 'GET' && !route.path.includes(':')) paths.add(route.path);
      }
    }
    expect(paths.has('/children')).toBe(true);
    const leaks: string[] = [];
    for (const path of paths) {
      if (allowed.has(path)) continue;
      const response = await teacher.get(`/api${path}`);
      const data = response.body?.data;
      const empty = Array.isArray(data) ? data.length === 0 : data === undefined || data === null;
      if (response.status === 200 && !empty) leaks.push(`${path} ${response.status}`);
      else if (![200, 400, 403, 404].includes(response.status)) leaks.push(`${path} ${response.status}`);
    }
    expect(leaks).toEqual([]);
    for (const path of ['/api/children', '/api/transfers', '/api/school-classes', '/api/staff-members', '/api/kindergartens', '/api/regions', '/api/requests']) {
      expect({ path, status: (await teacher.get(path)).status }).toEqual({ path, status: 403 });
    }
    // the panel's bridge asks the same
    await teacher.get('/ra/children').expect(403);
  });

  test('a teacher account made with the kindergarten\'s role (before the teacher role) is moved to it at start', async () => {
    const USER = 'plugin::users-permissions.user';
    const institutionRole = await app.strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: 'institution' } });
    await app.strapi.db.query(USER).update({ where: { username: 'teacher-zhou' }, data: { role: institutionRole.id } });
    const { syncRoles } = require(path.join(REPOSITORY_ROOT, 'cms', 'dist', 'src', 'bootstrap', 'roles'));
    await syncRoles(app.strapi);
    expect((await app.strapi.db.query(USER).findOne({ where: { username: 'teacher-zhou' }, populate: ['role'] })).role.type).toBe('teacher');
    expect((await app.strapi.db.query(USER).findOne({ where: { username: 'demo-kindergarten' }, populate: ['role'] })).role.type).toBe('institution');
    await teacher.post('/api/transfers', { data: { studentNumber: simingChild.studentNumber } }).expect(403);
  });
});

describe('fields a workflow governs change only through it', () => {
  const code = DEMO.licheng[1];
  let own: Session;
  let id: string;

  beforeAll(async () => {
    const created = (await county.post('/api/accounts', { data: { username: 'kg-202', fullName: '海滨园长', institutionCode: code } }).expect(201)).body.data;
    own = await login(app, 'kg-202', created.temporaryPassword);
    id = await kindergartenId(app, code);
  });

  test('a kindergarten cannot close or suspend itself by a direct write; the field and the workflow are named', async () => {
    for (const status of ['closed', 'suspended']) {
      const refused = await own.put(`/api/kindergartens/${id}`, { data: { status } }).expect(400);
      expect(refused.body.error.details.errors[0]).toMatchObject({ path: ['status'], message: '办园状态只能通过停办/撤销申报变更' });
    }
    // through the panel's bridge too, under the field
    const bridged = await own.put(`/ra/kindergartens/${id}`, { id, status: 'closed' }).expect(400);
    expect(bridged.body.errors).toMatchObject({ status: '办园状态只能通过停办/撤销申报变更' });
    // sent back unchanged (the edit form sends the whole record), other fields still change
    await own.put(`/api/kindergartens/${id}`, { data: { status: 'operating', phone: '0595-22000000' } }).expect(200);
    // a county creating a kindergarten cannot create it closed either
    const created = await county.post('/api/kindergartens', { data: { code: '3135050299', name: '测试新园', countyCode: '350502', ownership: 'public', status: 'closed' } });
    expect(created.status).toBe(400);
    expect(created.body.error.details.errors[0].path).toEqual(['status']);
    expect((await app.strapi.db.query('api::kindergarten.kindergarten').findOne({ where: { code } })).status).toBe('operating');
    // with a key field (the key-change workflow's, from the same declarations): each field named
    const both = await own.put(`/api/kindergartens/${id}`, { data: { principal: '某某', status: 'closed' } }).expect(400);
    expect(both.body.error.details.errors).toEqual([
      expect.objectContaining({ path: ['principal'], message: '关键信息须通过变更申请修改' }),
      expect.objectContaining({ path: ['status'], message: '办园状态只能通过停办/撤销申报变更' }),
    ]);
  });

  test('a child\'s 学籍 status is refused too', async () => {
    const refused = await kindergarten2.put(`/api/children/${simingChild.documentId}`, { data: { status: 'left' } }).expect(400);
    expect(refused.body.error.details.errors[0].path).toEqual(['status']);
    expect((await app.strapi.db.query('api::child.child').findOne({ where: { documentId: simingChild.documentId } })).status).toBe('registered');
  });

  test('the 撤销 declaration closes the kindergarten once the county approves it', async () => {
    const filed = (await own.post('/api/requests', { data: { type: 'declaration', subjectId: id, changes: { kind: 'closure', description: '举办者申请撤销', occurredOn: '2026-11-01' } } }).expect(201)).body.data;
    expect((await app.strapi.db.query('api::kindergarten.kindergarten').findOne({ where: { code } })).status).toBe('operating');
    await county.post(`/api/requests/${filed.id}/approve`, { data: { comment: '同意' } }).expect(200);
    expect((await app.strapi.db.query('api::kindergarten.kindergarten').findOne({ where: { code } })).status).toBe('closed');
  });
});

describe('relation filters respect the reach', () => {
  const api = (path: string, query: object) => `${path}?${qs.stringify(query, { encodeValuesOnly: true })}`;
  const ra = (path: string, filter: object) => `${path}?filter=${encodeURIComponent(JSON.stringify(filter))}`;
  const siming = { code: '350203' };
  const wu = { principal: { $startsWith: '吴' } };

  test('regions → kindergartens → principal (depth 1, inside $or, $and, $not) tell a 鲤城 kindergarten nothing about 思明', async () => {
    // the control: 思明 county sees its own kindergarten's principal through the same filter
    const control = await login(app, 'demo-county-2');
    expect((await control.get(api('/api/regions', { filters: { ...siming, kindergartens: wu } })).expect(200)).body.data).toHaveLength(1);
    const probes = [
      { ...siming, kindergartens: wu },
      { ...siming, $or: [{ kindergartens: wu }, { code: '000000' }] },
      { $and: [siming, { kindergartens: wu }] },
      { $and: [siming, { $or: [{ kindergartens: { $and: [wu] } }] }] },
    ];
    for (const filters of probes) {
      expect((await kindergarten.get(api('/api/regions', { filters })).expect(200)).body.data).toEqual([]);
      expect((await county.get(api('/api/regions', { filters })).expect(200)).body.data).toEqual([]);
    }
    // $not: the answer is the same whatever the principal's name
    const not = (prefix: string) => kindergarten.get(api('/api/regions', { filters: { ...siming, $not: { kindergartens: { principal: { $startsWith: prefix } } } } }));
    expect((await not('吴')).body.data.length).toBe((await not('某')).body.data.length);
    // counts agree with the lists
    expect((await kindergarten.get(api('/api/regions', { filters: { ...siming, kindergartens: wu }, pagination: { withCount: true } })).expect(200)).body.meta.pagination.total).toBe(0);
  });

  test('regions → kindergartens → classes → name (depth 2) and the bridge', async () => {
    const depth2 = { ...siming, kindergartens: { classes: { name: { $eq: simingClass.name } } } };
    const control = await login(app, 'demo-county-2');
    expect((await control.get(api('/api/regions', { filters: depth2 })).expect(200)).body.data).toHaveLength(1);
    expect((await kindergarten.get(api('/api/regions', { filters: depth2 })).expect(200)).body.data).toEqual([]);
    // the same through a relation back to regions and out again (region → kindergartens → county → kindergartens)
    const around = { code: '350502', kindergartens: { county: { code: '350502' } }, $and: [{ kindergartens: { county: { kindergartens: wu } } }] };
    expect((await county.get(api('/api/regions', { filters: around })).expect(200)).body.data).toEqual([]);
    // /ra: react-admin's filter JSON, translated into Strapi filters
    const bridged = await kindergarten.get(ra('/ra/regions', { code: '350203', kindergartens: { principal_startsWith: '吴' } })).expect(200);
    expect(bridged.body).toEqual([]);
    expect(bridged.headers['content-range']).toMatch(/\/0$/);
    const bridgedControl = await control.get(ra('/ra/regions', { code: '350203', kindergartens: { principal_startsWith: '吴' } })).expect(200);
    expect(bridgedControl.body).toHaveLength(1);
  });

  test('own kindergarten → county → the other kindergartens of the county: out of an institution\'s reach; in reach still works', async () => {
    // 鲤城 01 asks about 鲤城 02's principal (陈丽华) through its own record's county
    const sibling = { county: { kindergartens: { principal: { $eq: '陈丽华' } } } };
    expect((await kindergarten.get(api('/api/kindergartens', { filters: sibling })).expect(200)).body.data).toEqual([]);
    expect((await kindergarten.get(api('/api/kindergartens', { filters: { $or: [sibling, { code: '0000000000' }] } })).expect(200)).body.data).toEqual([]);
    expect((await kindergarten.get(api('/api/children', { filters: { schoolClass: { kindergarten: sibling } } })).expect(200)).body.data).toEqual([]);
    expect((await kindergarten.get(api('/api/school-classes', { filters: { kindergarten: sibling } })).expect(200)).body.data).toEqual([]);
    expect((await kindergarten.get(ra('/ra/school-classes', { kindergarten: { county: { kindergartens: { principal: '陈丽华' } } } })).expect(200)).body).toEqual([]);
    // the county reaches both, so the same filter finds its kindergarten
    expect((await county.get(api('/api/kindergartens', { filters: { code: DEMO.licheng[0], ...sibling } })).expect(200)).body.data).toHaveLength(1);
    // populate with a filter through a relation: the related record out of reach is not there
    const populated = await kindergarten.get(api('/api/regions', { filters: siming, populate: { kindergartens: { filters: { classes: { name: { $eq: simingClass.name } } } } } })).expect(200);
    expect(populated.body.data[0].kindergartens ?? []).toEqual([]);
    // a kindergarten filters its own classes by its children's class, and its children by class and kindergarten
    const ownChildren = await kindergarten.get(api('/api/children', { filters: { schoolClass: { name: { $eq: lichengClass.name }, kindergarten: { principal: { $eq: '林晓梅' } } } } })).expect(200);
    expect(ownChildren.body.data.map((c: any) => c.name)).toEqual(['林小鲤']);
    const ownClasses = await kindergarten.get(api('/api/school-classes', { filters: { kindergarten: { principal: { $eq: '林晓梅' } }, name: { $eq: lichengClass.name } } })).expect(200);
    expect(ownClasses.body.data).toHaveLength(1);
    const bridgedOwn = await kindergarten.get(ra('/ra/children', { schoolClass: { name: lichengClass.name } })).expect(200);
    expect(bridgedOwn.body.map((c: any) => c.name)).toEqual(['林小鲤']);
    // the county of 鲤城 asks for regions whose kindergartens have a class named like 思明's, within its reach only
    const countyOwn = await county.get(api('/api/regions', { filters: { code: '350502', kindergartens: { classes: { name: { $eq: lichengClass.name } } } } })).expect(200);
    expect(countyOwn.body.data).toHaveLength(1);
  });
});

describe('the access scope: relation filters at depth 2-3, two-place records, system work', () => {
  const api = (path: string, query: object) => `${path}?${qs.stringify(query, { encodeValuesOnly: true })}`;
  const scope = () => app.strapi.plugin('access-scope').service('scope') as any;
  const auditTable = () => require(path.join(REPOSITORY_ROOT, 'cms', 'dist', 'src', 'security', 'audit')).auditTable(app.strapi);
  const systemEntries = (reason: string) => app.strapi.db.connection(auditTable()).where({ action: 'system.run', target_id: reason }).orderBy('id', 'asc');

  test('probes through relations at depth 2 and 3 answer nothing outside the reach, and the same probe answers inside it', async () => {
    const control = await login(app, 'demo-county-2');
    const wu = { principal: { $startsWith: '吴' } };
    const probes: [string, object][] = [
      // depth 3: region → kindergartens → classes → kindergarten → principal
      ['/api/regions', { code: '350203', kindergartens: { classes: { kindergarten: wu } } }],
      // depth 3 inside $not, $or and $and
      ['/api/regions', { code: '350203', $or: [{ kindergartens: { classes: { kindergarten: { $and: [wu] } } } }, { code: '000000' }] }],
      // depth 2 from a scoped model: a class → its kindergarten → its county → …
      ['/api/school-classes', { kindergarten: { county: { code: '350203' } } }],
      // depth 3 from children: class → kindergarten → county → kindergartens → principal
      ['/api/children', { schoolClass: { kindergarten: { county: { kindergartens: wu } } } }],
    ];
    for (const [route, filters] of probes) {
      expect([route, (await kindergarten.get(api(route, { filters })).expect(200)).body.data]).toEqual([route, []]);
      expect([route, (await county.get(api(route, { filters })).expect(200)).body.data]).toEqual([route, []]);
    }
    // the controls: the county that reaches 思明 gets an answer from the same probes
    expect((await control.get(api('/api/regions', { filters: probes[0][1] })).expect(200)).body.data).toHaveLength(1);
    expect((await control.get(api('/api/school-classes', { filters: probes[2][1] })).expect(200)).body.data.length).toBeGreaterThan(0);
    expect((await control.get(api('/api/children', { filters: probes[3][1] })).expect(200)).body.data.map((c: any) => c.name)).toContain('吴思远');
    // $not at depth 3: the same count whatever the name asked about
    const not = (prefix: string) => kindergarten.get(api('/api/regions', { filters: { code: '350203', $not: { kindergartens: { classes: { kindergarten: { principal: { $startsWith: prefix } } } } } } }));
    expect((await not('吴')).body.data.length).toBe((await not('某')).body.data.length);
  });

  test('a record of two places (a transfer) is reached from either place, and from nowhere else', () => {
    const reachOf = (user: object) => scope().reachOf(user);
    const filter = (user: object) => scope().filterFor('api::transfer.transfer', reachOf(user));
    const kindergartenUser = { level: 'institution', institutionCode: '3135050201', regionCode: '350502' };
    expect(filter(kindergartenUser)).toEqual({ $or: [{ fromInstitutionCode: { $eq: '3135050201' } }, { toInstitutionCode: { $eq: '3135050201' } }] });
    expect(filter({ level: 'prefecture', regionCode: '350500' })).toEqual({ $or: [{ fromCountyCode: { $gte: '3505', $lt: '3506' } }, { toCountyCode: { $gte: '3505', $lt: '3506' } }] });
    expect(filter({ level: 'institution', institutionCode: '3135050201', regionCode: '350502', staffId: 'x' })).toEqual({ id: { $null: true } });
    expect(filter({ level: 'ministry' })).toBeNull();
    // raw SQL: the same reach as a where on a table's own columns
    const sql = scope().whereSql(app.strapi.db.connection('children').select('id'), reachOf(kindergartenUser), 'api::child.child').toString();
    expect(sql).toMatch(/["`]institution_code["`] = '3135050201'/);
    const regional = scope().whereSql(app.strapi.db.connection('staff_members').select('id'), reachOf({ level: 'prefecture', regionCode: '350500' }), 'api::staff.staff').toString();
    expect(regional).toMatch(/["`]county_code["`] >= '3505' and ["`]county_code["`] < '3506'/);
    expect(scope().whereSql(app.strapi.db.connection('children').select('id'), null, 'api::child.child').toString()).toMatch(/1 = 0/);
  });

  test('runAsSystem: the reach is everything, the reason is audited first, calls nest', async () => {
    const reason = `test system work ${Date.now()}`;
    const seen: unknown[] = [];
    const result = await scope().runAsSystem(reason, async () => {
      seen.push(scope().currentReach(), scope().systemWork());
      return scope().runAsSystem(`${reason} inner`, async () => {
        seen.push(scope().systemWork());
        return 42;
      });
    });
    expect(result).toBe(42);
    expect(seen).toEqual([{ kind: 'all' }, [reason], [reason, `${reason} inner`]]);
    expect(scope().systemWork()).toBeNull();
    const [outer] = await systemEntries(reason);
    expect(outer).toBeTruthy();
    expect(JSON.parse(outer.details)).toEqual({ reason, reasons: [reason] });
    expect(JSON.parse((await systemEntries(`${reason} inner`))[0].details).reasons).toEqual([reason, `${reason} inner`]);
    // no reason, no system work
    await expect(scope().runAsSystem('', async () => 1)).rejects.toThrow(/reason is required/);
    // a failing piece of work leaves the mark behind it
    await expect(scope().runAsSystem(`${reason} failing`, async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(scope().systemWork()).toBeNull();
    // the approval engine's effect runs as the system, audited with the reviewer as the actor
    const applied = await app.strapi.db.connection(auditTable()).where({ action: 'system.run', actor_username: 'demo-county' }).andWhere('target_id', 'like', 'request.apply %');
    expect(applied.length).toBeGreaterThan(0);
  });

  test('a request cannot switch system work on: no state flag, query, header or body field reaches it', async () => {
    // the old flags in a request's state no longer mean anything
    const user = { id: 1, level: 'institution', institutionCode: '3135050201', regionCode: '350502' };
    const state = { auth: { strategy: { name: 'users-permissions' } }, user, systemReach: true, applyingRequest: 'x', reviewingProject: true, recordingDisbursement: true, systemWork: ['x'] };
    const inside = await app.strapi.requestContext.run({ state } as any, async () => [scope().currentReach(), scope().systemWork()]);
    expect(inside).toEqual([{ kind: 'institution', institutionCode: '3135050201', countyCode: '350502' }, null]);
    // over HTTP: a kindergarten still lists only itself and still cannot close itself
    const own = await kindergartenId(app, DEMO.licheng[0]);
    const listed = await kindergarten.get('/api/kindergartens?systemReach=true&applyingRequest=1&systemWork=1').set('x-system-reach', 'true').expect(200);
    expect(listed.body.data.map((k: any) => k.code)).toEqual([DEMO.licheng[0]]);
    const refused = await kindergarten.put(`/api/kindergartens/${own}`, { data: { status: 'closed', systemReach: true, applyingRequest: 'x' }, systemReach: true, applyingRequest: 'x' });
    expect(refused.status).toBe(400);
    expect((await kindergarten.get(`/api/kindergartens/${own}`).expect(200)).body.data.status).not.toBe('closed');
  });
});
