/**
 * Staff records and training: one person one record in the province (keyed hash under a unique
 * index, also under 50 concurrent creates), masking, scope per level, the staffing check against
 * config/staffing.json, the staff analysis against hand-counted figures, and a teacher's own record
 * with a correction through the approval mechanism.
 */
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { login, type Session } from '../helpers/api';
import { residentId } from '../helpers/ids';

let app: BootedApp;
let kindergarten: Session;
let kindergarten2: Session;
let county: Session;
let county2: Session;
let prefecture: Session;
let province: Session;

const person = (overrides: Record<string, unknown> = {}) => ({
  name: '王老师', post: '02', idType: '1', idNumber: residentId('350502', '19900512', '024'), ethnicity: '01',
  degree: '2', major: '学前教育', certificateType: 'kindergarten', certificateNumber: 'JS2015001', title: '3', establishment: '1',
  hiredOn: '2015-09-01', employmentStatus: 'active', ...overrides,
});

beforeAll(async () => {
  app = await bootStrapi();
  [kindergarten, kindergarten2, county, county2, prefecture, province] = await Promise.all(
    ['demo-kindergarten', 'demo-kindergarten-2', 'demo-county', 'demo-county-2', 'demo-prefecture', 'demo-province'].map((u) => login(app, u)),
  );
});
afterAll(async () => { await app?.stop(); });

describe('staff records', () => {
  let staffId: string;

  test('ID validated, sex and birth date derived, kindergarten and county set, number masked in lists', async () => {
    const created = await kindergarten.post('/api/staff-members', { data: person() }).expect(201);
    staffId = created.body.data.documentId;
    expect(created.body.data).toMatchObject({ sex: 'female', birthDate: '1990-05-12', institutionCode: '3135050201', countyCode: '350502', idNumberMasked: `350502***********${person().idNumber.slice(-1)}` });
    expect(created.body.data).not.toHaveProperty('idNumber');
    expect(created.body.data).not.toHaveProperty('idKey');
    const list = await kindergarten.get('/api/staff-members').expect(200);
    expect(JSON.stringify(list.body)).not.toContain(person().idNumber);
    expect((await kindergarten.get(`/api/staff-members/${staffId}`).expect(200)).body.data.idNumber).toBe(person().idNumber);
    expect((await province.get(`/api/staff-members/${staffId}`).expect(200)).body.data.idNumber).toBeUndefined();
  });

  test.each([
    'filters[idNumber][$startsWith]=350502199005',
    'filters[idKey][$notNull]=true',
    'sort=idNumber:asc',
    'fields[0]=idNumber',
  ])('private ID fields are no oracle: %s answers 400 or is ignored', async (query) => {
    const all = (await province.get('/api/staff-members?pagination[pageSize]=100').expect(200)).body.data.map((s) => s.documentId).sort();
    const response = await province.get(`/api/staff-members?${query}&pagination[pageSize]=100`);
    if (response.status === 400) return;
    expect(response.status).toBe(200);
    expect(JSON.stringify(response.body)).not.toMatch(/"idNumber"|"idKey"/);
    if (query.startsWith('filters')) expect(response.body.data.map((s) => s.documentId).sort()).toEqual(all);
  });

  test('bad input: 400 naming the field, nothing stored', async () => {
    const before = await app.strapi.db.query('api::staff.staff').count();
    const bad = async (overrides: Record<string, unknown>, field: string) => {
      const response = await kindergarten.post('/api/staff-members', { data: person({ idNumber: residentId('350502', '19880101', '035'), ...overrides }) }).expect(400);
      expect(response.body.error.details.errors.map((e) => e.path[0])).toContain(field);
    };
    await bad({ idNumber: '35050219880101035Y' }, 'idNumber');
    await bad({ post: '99' }, 'post');
    await bad({ degree: 'x' }, 'degree');
    await bad({ sex: 'female' }, 'sex');
    await bad({ idNumber: '' }, 'idNumber');
    expect(await app.strapi.db.query('api::staff.staff').count()).toBe(before);
  });

  test('one person, one record in the province: a duplicate elsewhere is 409 naming the kindergarten that holds it', async () => {
    const response = await kindergarten2.post('/api/staff-members', { data: person({ name: '王某' }) }).expect(409);
    expect(response.body.error.message).toContain('泉州市鲤城区实验幼儿园');
    expect(response.body.error.message).not.toContain('王老师');
  });

  test('50 concurrent creates of one person leave one record', async () => {
    const idNumber = residentId('350203', '19920303', '046');
    const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? kindergarten : kindergarten2).post('/api/staff-members', { data: person({ name: '并发', idNumber }) })));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    const key = app.strapi.plugin('dup-check').service('duplicates').idKey('1', idNumber);
    expect(await app.strapi.db.query('api::staff.staff').count({ where: { idKey: key } })).toBe(1);
  });

  test('scope per level: inside reach readable, outside 404; kindergarten 2 cannot edit', async () => {
    for (const session of [county, prefecture, province]) await session.get(`/api/staff-members/${staffId}`).expect(200);
    for (const session of [county2, kindergarten2]) {
      await session.get(`/api/staff-members/${staffId}`).expect(404);
      const list = await session.get('/api/staff-members').expect(200);
      expect(list.body.data.map((s) => s.documentId)).not.toContain(staffId);
    }
    await kindergarten2.put(`/api/staff-members/${staffId}`, { data: { major: 'x' } }).expect(404);
    await kindergarten2.del(`/api/staff-members/${staffId}`).expect(404);
    await county.post('/api/staff-members', { data: person({ idNumber: residentId('350502', '19850101', '051') }) }).expect(403);
  });

  test('training records: end not before start; staff outside reach is refused', async () => {
    const bad = await kindergarten.post('/api/training-records', { data: { staff: staffId, course: '游戏化教学', hours: 24, credits: 2, startDate: '2026-03-10', endDate: '2026-03-01', provider: '泉州幼专' } }).expect(400);
    expect(bad.body.error.details.errors[0].path).toEqual(['endDate']);
    const ok = await kindergarten.post('/api/training-records', { data: { staff: staffId, course: '游戏化教学', hours: 24, credits: 2, startDate: '2026-03-01', endDate: '2026-03-10', provider: '泉州幼专' } }).expect(201);
    expect(ok.body.data).toMatchObject({ institutionCode: '3135050201', countyCode: '350502' });
    const outside = await kindergarten2.post('/api/training-records', { data: { staff: staffId, course: 'x', hours: 1, startDate: '2026-03-01', endDate: '2026-03-01' } }).expect(400);
    expect(outside.body.error.details.errors[0].path).toEqual(['staff']);
    await county2.get(`/api/training-records/${ok.body.data.documentId}`).expect(404);
  });
});

describe('staffing check and analysis', () => {
  test('the staffing check of a kindergarten follows config/staffing.json', async () => {
    // a fresh kindergarten-2 (3135020301): one class in the demo data, no children; add one teacher
    await kindergarten2.post('/api/staff-members', { data: person({ name: '李老师', idNumber: residentId('350203', '19950101', '062') }) }).expect(201);
    const check = (await kindergarten2.get('/api/staffing?kindergarten=3135020301').expect(200)).body.data;
    const classes = await app.strapi.db.connection('school_classes_kindergarten_lnk').count({ n: '*' }).where('kindergarten_id', (await app.strapi.db.query('api::kindergarten.kindergarten').findOne({ where: { code: '3135020301' } })).id).first();
    expect(check.classes).toBe(Number((classes as any).n));
    const staff = await app.strapi.db.query('api::staff.staff').findMany({ where: { institutionCode: '3135020301', employmentStatus: 'active' } });
    const teacherCount = staff.filter((s) => s.post === '02').length;
    expect(check.checks.find((c) => c.key === 'teachersPerClass')).toMatchObject({ actual: teacherCount, required: 2 * check.classes, ok: teacherCount >= 2 * check.classes });
    expect(check.checks.find((c) => c.key === 'careWorkersPerClass')).toMatchObject({ actual: 0, required: check.classes, ok: check.classes === 0 });
    expect(check.checks.find((c) => c.key === 'staffToChildren')).toMatchObject({ actual: staff.length, ok: true });
    expect(check.compliant).toBe(check.classes === 0);
    // add children beyond what the staff may care for (1:7): the ratio check fails with the number needed
    const needed = staff.length * 7 + 1;
    const kg = await app.strapi.db.query('api::kindergarten.kindergarten').findOne({ where: { code: '3135020301' } });
    await app.strapi.db.connection('children').insert(Array.from({ length: needed }, (_, i) => ({ document_id: `kstaffing${i}`, name: `儿童${i}`, sex: 'male', birth_date: '2022-01-01', birth_place: '350203', native_place: 'x', ethnicity: '01', nationality: '156', id_type: 'Z', overseas_chinese: '00', health: '10', household_region: '350203', household_type: '2', address: 'x', phone: '1', enrolled_on: '2025-09-01', enrollment_mode: '1', only_child: false, status: 'draft', county_code: kg.countyCode, institution_code: kg.code })));
    const crowded = (await kindergarten2.get(`/api/staffing?kindergarten=${kg.documentId}`).expect(200)).body.data;
    expect(crowded.children).toBe(needed);
    expect(crowded.checks.find((c) => c.key === 'staffToChildren')).toMatchObject({ actual: staff.length, required: Math.ceil(needed / 7), ok: false });
    await app.strapi.db.connection('children').whereLike('document_id', 'kstaffing%').delete();
    await county.get('/api/staffing?kindergarten=3135020301').expect(404);
    await kindergarten.get('/api/staffing?kindergarten=3135020301').expect(404);
  });

  test('staff analysis equals hand counts, grouped and scoped per level', async () => {
    // 鲤城实验幼儿园: add a 保育员 without certificate born 1970 (age band 50+), 非在编
    await kindergarten.post('/api/staff-members', { data: person({ name: '赵阿姨', post: '03', idNumber: residentId('350502', '19700707', '073'), degree: '4', certificateType: null, certificateNumber: null, title: '9', establishment: '2' }) }).expect(201);
    const rows = await app.strapi.db.query('api::staff.staff').findMany({ where: { countyCode: '350502', employmentStatus: 'active' } });
    const body = (await county.get('/api/staff-analysis?groupBy=county').expect(200)).body;
    expect(body.rows.map((r) => r.code)).toEqual(['350502']);
    const row = body.rows[0];
    expect(row.total).toBe(rows.length);
    const required = rows.filter((r) => ['01', '02'].includes(r.post));
    expect(row.certificateRequired).toBe(required.length);
    expect(row.certificateHolders).toBe(required.filter((r) => r.certificateType).length);
    expect(row.degree['4']).toBe(rows.filter((r) => r.degree === '4').length);
    expect(row.establishment['2']).toBe(rows.filter((r) => r.establishment === '2').length);
    expect(row.ageBands['50-plus']).toBe(rows.filter((r) => new Date().getFullYear() - Number(String(r.birthDate).slice(0, 4)) >= 50).length);
    const provinceView = (await province.get('/api/staff-analysis?groupBy=prefecture').expect(200)).body;
    expect(provinceView.rows.map((r) => r.code)).toEqual(['350200', '350500']);
    expect(provinceView.total.total).toBe(await app.strapi.db.query('api::staff.staff').count({ where: { countyCode: { $startsWith: '35' }, employmentStatus: 'active' } }));
    const counts = await (app.strapi.service('api::staff.staff') as any).countsByCounty({ prefix: '3505' });
    expect(counts.get('350502')).toMatchObject({ staff: rows.length, careWorkers: rows.filter((r) => r.post === '03').length });
    expect((await county2.get('/api/staff-analysis').expect(200)).body.rows.map((r) => r.code)).toEqual(['350203']);
    await county.get('/api/staff-analysis?groupBy=planet').expect(400);
  });
});

describe('a teacher sees their own record and asks for corrections', () => {
  test('own record and trainings only; a correction approved by the kindergarten changes the record', async () => {
    const idNumber = residentId('350502', '19930909', '084');
    const staff = (await kindergarten.post('/api/staff-members', { data: person({ name: '陈老师', idNumber, major: '音乐' }) }).expect(201)).body.data;
    await kindergarten.post('/api/training-records', { data: { staff: staff.documentId, course: '安全教育', hours: 8, startDate: '2026-04-01', endDate: '2026-04-01' } }).expect(201);
    // the kindergarten opens the teacher's account (once per person; not for another kindergarten's staff)
    await kindergarten2.post(`/api/staff-members/${staff.documentId}/teacher-account`, { data: { username: 'teacher-x' } }).expect(404);
    await county.post(`/api/staff-members/${staff.documentId}/teacher-account`, { data: { username: 'teacher-x' } }).expect(403);
    const opened = (await kindergarten.post(`/api/staff-members/${staff.documentId}/teacher-account`, { data: { username: 'teacher-chen' } }).expect(201)).body.data;
    expect(opened.temporaryPassword).toEqual(expect.any(String));
    const twice = await kindergarten.post(`/api/staff-members/${staff.documentId}/teacher-account`, { data: { username: 'teacher-chen-2' } }).expect(400);
    expect(twice.body.error.details.errors[0].path).toEqual(['username']);
    // concurrent openings for one person: one account (unique index on the link), no orphan accounts
    const other = (await kindergarten.post('/api/staff-members', { data: person({ name: '并发教师', idNumber: residentId('350502', '19910101', '095') }) }).expect(201)).body.data;
    const raced = await Promise.all(Array.from({ length: 8 }, (_, i) => kindergarten.post(`/api/staff-members/${other.documentId}/teacher-account`, { data: { username: `race-${i}` } })));
    expect(raced.filter((r) => r.status === 201)).toHaveLength(1);
    expect(raced.every((r) => [201, 400, 409].includes(r.status))).toBe(true);
    expect(await app.strapi.db.query('plugin::users-permissions.user').count({ where: { username: { $startsWith: 'race-' } } })).toBe(1);
    const knex = app.strapi.db.connection;
    const indexes = app.strapi.db.dialect.client === 'postgres'
      ? (await knex.raw(`SELECT indexname AS name FROM pg_indexes WHERE tablename = 'up_users' AND schemaname = current_schema()`)).rows
      : await knex.raw(`PRAGMA index_list('up_users')`);
    expect(indexes.map((i) => i.name)).toContain('up_users__staff_id__unique');
    const teacher = await login(app, 'teacher-chen', opened.temporaryPassword);
    await teacher.post(`/api/staff-members/${staff.documentId}/teacher-account`, { data: { username: 'teacher-y' } }).expect(403);
    const own = (await teacher.get('/api/me/staff').expect(200)).body.data;
    expect(own).toMatchObject({ documentId: staff.documentId, name: '陈老师', major: '音乐' });
    expect(own.trainings.map((t) => t.course)).toEqual(['安全教育']);
    expect(own).not.toHaveProperty('idKey');
    // the teacher's account reaches nothing else: its role (config/roles.json accountRoles.teacher) lists nothing
    await teacher.get('/api/staff-members').expect(403);
    await teacher.get('/api/children').expect(403);
    await teacher.get(`/api/staff-members/${staff.documentId}`).expect(403);
    // corrections through the approval engine, reviewed by the kindergarten
    const bad = await teacher.post('/api/me/staff/corrections', { data: { changes: { degree: 'x' } } }).expect(400);
    expect(bad.body.error.details.errors[0].path).toEqual(['degree']);
    await teacher.post('/api/me/staff/corrections', { data: { changes: { idNumber: '1' } } }).expect(400);
    const filed = (await teacher.post('/api/me/staff/corrections', { data: { changes: { major: '学前教育', degree: '1' }, reason: '已取得硕士学位' } }).expect(201)).body.data;
    expect(filed).toMatchObject({ type: 'staff-correction', state: 'submitted', reviewerLevel: 'institution', institutionCode: '3135050201' });
    await teacher.post(`/api/requests/${filed.id}/approve`, { data: {} }).expect((r) => expect([403, 404]).toContain(r.status));
    await kindergarten2.post(`/api/requests/${filed.id}/approve`, { data: {} }).expect(404);
    await kindergarten.post(`/api/requests/${filed.id}/approve`, { data: {} }).expect(200);
    expect((await teacher.get('/api/me/staff').expect(200)).body.data).toMatchObject({ major: '学前教育', degree: '1' });
    expect((await teacher.get('/api/me').expect(200)).body.teacher).toBe(true);
    await kindergarten.get('/api/me/staff').expect(404);
  });
});
