/**
 * Children's 学籍 records: ID validation and derived fields, masking per level, the province-wide
 * duplicate check (exact, under concurrency; likely, with reasons), and 学籍号 issuing.
 */
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { login, type Session } from '../helpers/api';
import { gb11643CheckCharacter } from '../../plugins/student-id/server/src/identity';
import { residentId } from '../helpers/ids';

let app: BootedApp;
let kindergarten: Session;
let kindergarten2: Session;
let classId: string;
let class2Id: string;


const child = (overrides: Record<string, unknown> = {}) => ({
  name: '林小雨', idType: '1', idNumber: residentId('350502', '20220315', '021'),
  birthPlace: '350502', nativePlace: '福建泉州', ethnicity: '01', nationality: '156', overseasChinese: '00', health: '10',
  householdRegion: '350502', householdType: '2', address: '鲤城区中山路 1 号', phone: '13800000000', enrolledOn: '2025-09-01',
  enrollmentMode: '1', onlyChild: true, schoolClass: classId,
  guardians: [{ name: '林大山', relation: '1', idType: '1', idNumber: residentId('350502', '19900101', '013'), phone: '13800000001' }],
  ...overrides,
});

beforeAll(async () => {
  app = await bootStrapi();
  kindergarten = await login(app, 'demo-kindergarten');
  kindergarten2 = await login(app, 'demo-kindergarten-2');
  classId = (await kindergarten.get('/api/school-classes?filters[name][$eq]=小一班').expect(200)).body.data[0].documentId;
  class2Id = (await kindergarten2.get('/api/school-classes?filters[name][$eq]=小一班').expect(200)).body.data[0].documentId;
});
afterAll(async () => { await app?.stop(); });

describe('collection and ID validation', () => {
  test('sex and birth date come from the resident ID; lists mask the number; the kindergarten sees it in full', async () => {
    // sequence 021: the last digit is odd, a boy; typed as full-width digits with spaces
    const fullWidth = ` ${child().idNumber.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0))} `;
    const created = await kindergarten.post('/api/children', { data: child({ idNumber: fullWidth }) }).expect(201);
    const record = created.body.data;
    expect(record).toMatchObject({ sex: 'male', birthDate: '2022-03-15', countyCode: '350502', institutionCode: '3135050201', status: 'draft', idNumberMasked: `350502***********${child().idNumber.slice(-1)}` });
    expect(record).not.toHaveProperty('idNumber');
    expect(record).not.toHaveProperty('idKey');
    const list = await kindergarten.get('/api/children').expect(200);
    expect(JSON.stringify(list.body)).not.toContain(child().idNumber);
    const own = await kindergarten.get(`/api/children/${record.documentId}?populate=guardians`).expect(200);
    expect(own.body.data.idNumber).toBe(child().idNumber);
    const province = await (await login(app, 'demo-province')).get(`/api/children/${record.documentId}?populate=guardians`).expect(200);
    expect(province.body.data.idNumber).toBeUndefined();
    expect(JSON.stringify(province.body)).not.toContain(child().idNumber);
    await (await login(app, 'demo-county-2')).get(`/api/children/${record.documentId}`).expect(404);
  });

  test('a typed sex or birth date that contradicts the ID number is refused, naming the field', async () => {
    const response = await kindergarten.post('/api/children', { data: child({ idNumber: residentId('350502', '20220401', '031'), sex: 'female', birthDate: '2022-04-02' }) }).expect(400);
    expect(response.body.error.details.errors.map((e) => e.path[0]).sort()).toEqual(['birthDate', 'sex']);
  });

  test.each([
    ['a wrong check character', '35050220220315021' + 'Y'],
    ['an impossible date', residentId('350502', '20230230', '021')],
    ['a birth date in the future', residentId('350502', '20990101', '021')],
  ])('%s is refused on idNumber', async (_label, idNumber) => {
    const before = await app.strapi.db.query('api::child.child').count();
    const response = await kindergarten.post('/api/children', { data: child({ idNumber }) }).expect(400);
    expect(response.body.error.details.errors[0].path).toEqual(['idNumber']);
    expect(await app.strapi.db.query('api::child.child').count()).toBe(before);
  });

  test('a child without a number needs a guardian’s ID number; codes must be in the tables', async () => {
    const noNumber = child({ idType: 'Z', idNumber: '', sex: 'male', birthDate: '2022-05-05', name: '陈小宝', guardians: [{ name: '陈父', relation: '1', phone: '1' }] });
    const refused = await kindergarten.post('/api/children', { data: noNumber }).expect(400);
    expect(refused.body.error.details.errors[0].path).toEqual(['guardians']);
    const badCode = await kindergarten.post('/api/children', { data: { ...noNumber, ethnicity: '77' } }).expect(400);
    expect(badCode.body.error.details.errors[0].path).toEqual(['ethnicity']);
    await kindergarten.post('/api/children', { data: { ...noNumber, guardians: [{ name: '陈父', relation: '1', idType: '1', idNumber: residentId('350503', '19880808', '015') }] } }).expect(201);
  });
});

describe('province-wide duplicate check (dup-check)', () => {
  test('the same ID number in another county is refused with where it is held, and nothing about the child', async () => {
    const idNumber = residentId('350203', '20210707', '052');
    await kindergarten.post('/api/children', { data: child({ name: '王小明', idNumber, sex: undefined, birthDate: undefined }) }).expect(201);
    const response = await kindergarten2.post('/api/children', { data: child({ name: '王晓明', idNumber, schoolClass: class2Id, sex: undefined, birthDate: undefined }) }).expect(409);
    expect(response.body.error.message).toContain('泉州市鲤城区实验幼儿园');
    expect(response.body.error.message).toContain('鲤城区');
    expect(JSON.stringify(response.body)).not.toContain('王小明');
    expect(response.body.error.details.errors[0].path).toEqual(['idNumber']);
  });

  test('50 concurrent creates with one number leave exactly one record', async () => {
    const idNumber = residentId('350502', '20210909', '063');
    const attempts = await Promise.all(Array.from({ length: 50 }, (_, i) =>
      kindergarten.post('/api/children', { data: child({ name: `并发${i}`, idNumber, sex: undefined, birthDate: undefined }) })));
    expect(attempts.filter((r) => r.status === 201)).toHaveLength(1);
    for (const refused of attempts.filter((r) => r.status !== 201)) {
      expect(refused.status).toBe(409);
      expect(refused.body.error.message).toContain('该证件号码已有学籍');
    }
    const key = app.strapi.plugin('dup-check').service('duplicates').idKey('1', idNumber);
    expect(await app.strapi.db.query('api::child.child').count({ where: { idKey: key } })).toBe(1);
  });

  test('likely matches come with reasons; one outside the reach shows only where it is', async () => {
    await kindergarten.post('/api/children', { data: child({ name: '张晓明', idNumber: residentId('350502', '20220808', '071'), sex: undefined, birthDate: undefined }) }).expect(201);
    const same = await kindergarten.post('/api/children/check-duplicates', { data: { name: '张晓明', birthDate: '2022-08-08', sex: 'male' } }).expect(200);
    expect(same.body.data.candidates).toEqual([expect.objectContaining({ name: '张晓明', kindergartenName: '泉州市鲤城区实验幼儿园', reasons: ['姓名、出生日期、性别相同'] })]);
    const homophone = await kindergarten2.post('/api/children/check-duplicates', { data: { name: '章小明', birthDate: '2022-08-08', sex: 'male' } }).expect(200);
    expect(homophone.body.data.candidates).toEqual([{ id: null, name: null, kindergartenName: '泉州市鲤城区实验幼儿园', countyCode: '350502', countyName: '鲤城区', reasons: ['出生日期、性别相同，姓名拼音相同'] }]);
    const typo = await kindergarten.post('/api/children/check-duplicates', { data: { name: '张晓鸣明', birthDate: '2022-08-08', sex: 'male' } }).expect(200);
    expect(typo.body.data.candidates[0].reasons).toEqual(['出生日期、性别相同，姓名相近']);
    const replaced = await kindergarten.post('/api/children/check-duplicates', { data: { name: '张晓敏', birthDate: '2022-08-08', sex: 'male' } }).expect(200);
    expect(replaced.body.data.candidates.map((c) => c.reasons)).toEqual([['出生日期、性别相同，姓名相近']]);
    // two-character names one character apart are different names; one character added is near
    await kindergarten.post('/api/children', { data: child({ name: '李伟', idNumber: residentId('350502', '20220808', '091'), sex: undefined, birthDate: undefined }) }).expect(201);
    const differentName = await kindergarten.post('/api/children/check-duplicates', { data: { name: '李强', birthDate: '2022-08-08', sex: 'male' } }).expect(200);
    expect(differentName.body.data.candidates).toEqual([]);
    const added = await kindergarten.post('/api/children/check-duplicates', { data: { name: '李伟伟', birthDate: '2022-08-08', sex: 'male' } }).expect(200);
    expect(added.body.data.candidates.map((c) => [c.name, c.reasons])).toEqual([['李伟', ['出生日期、性别相同，姓名相近']]]);
    const guardian = await kindergarten.post('/api/children/check-duplicates', { data: { name: '完全不同', birthDate: '2022-08-08', sex: 'female', guardians: [{ idNumber: child().guardians[0].idNumber }] } }).expect(200);
    expect(guardian.body.data.candidates[0].reasons).toEqual(['监护人证件号码相同，出生日期相同']);
    const exact = await kindergarten2.post('/api/children/check-duplicates', { data: { idType: '1', idNumber: residentId('350502', '20220808', '071') } }).expect(200);
    expect(exact.body.data.exact).toEqual({ kindergartenName: '泉州市鲤城区实验幼儿园', countyCode: '350502', countyName: '鲤城区' });
  });
});

describe('学籍号 (student-id)', () => {
  const studentNumber = (documentId: string) => app.strapi.db.query('api::child.child').findOne({ where: { documentId } }).then((c) => c.studentNumber);

  test('G + resident ID, issued once, never changed, even when the ID number is corrected', async () => {
    const idNumber = residentId('350502', '20220101', '081');
    const created = await kindergarten.post('/api/children', { data: child({ name: '郑一', idNumber, sex: undefined, birthDate: undefined }) }).expect(201);
    const id = created.body.data.documentId;
    const registered = await kindergarten.post(`/api/children/${id}/register`, { data: {} }).expect(200);
    expect(registered.body.data.studentNumber).toBe(`G${idNumber}`);
    await kindergarten.post(`/api/children/${id}/register`, { data: {} }).expect(409);
    // the G number carries the ID number: masked in lists and for other levels, full on the record for the kindergarten
    const list = await kindergarten.get(`/api/children?filters[documentId][$eq]=${id}`).expect(200);
    expect(list.body.data[0].studentNumber).toBeUndefined();
    expect(list.body.data[0].studentNumberMasked).toBe(`G350502***********${idNumber.slice(-1)}`);
    expect((await kindergarten.get(`/api/children/${id}`).expect(200)).body.data.studentNumber).toBe(`G${idNumber}`);
    const prefecture = (await (await login(app, 'demo-prefecture')).get(`/api/children/${id}`).expect(200)).body.data;
    expect(prefecture.studentNumber).toBeUndefined();
    expect(prefecture.studentNumberMasked).toBe(`G350502***********${idNumber.slice(-1)}`);
    // Never changed by an edit; the ID number of a registered child is corrected only by an approved
    // 关键信息变更, which keeps the number (tests/api/key-fields.test.ts, lifecycle.test.ts).
    const changed = await kindergarten.put(`/api/children/${id}`, { data: { studentNumber: 'G000' } }).expect(400);
    expect(changed.body.error.details.errors[0].path).toEqual(['studentNumber']);
    const corrected = await kindergarten.put(`/api/children/${id}`, { data: { idNumber: residentId('350502', '20220101', '091') } }).expect(400);
    expect(corrected.body.error.details.errors[0].path).toEqual(['idNumber']);
    expect(await studentNumber(id)).toBe(`G${idNumber}`);
  });

  test('J + county + birth date + sequence + check character for a child without a resident ID; concurrent issues never collide', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      const created = await kindergarten.post('/api/children', {
        data: child({ name: `无证${'一二三四五六'[i]}`, idType: 'Z', idNumber: '', sex: 'male', birthDate: '2021-12-12', guardians: [{ name: '某', relation: '2', idType: '1', idNumber: residentId('350502', '19920202', `1${i}2`) }] }),
      }).expect(201);
      ids.push(created.body.data.documentId);
    }
    const results = await Promise.all(ids.map((id) => kindergarten.post(`/api/children/${id}/register`, { data: { acknowledgeCandidates: true } })));
    const numbers = results.map((r) => r.body.data.studentNumber);
    expect(new Set(numbers).size).toBe(6);
    for (const number of numbers) {
      expect(number).toMatch(/^J35050220211212\d{3}[\dX]$/);
      expect(number.slice(-1)).toBe(gb11643CheckCharacter(number.slice(1, 18)));
    }
  });

  test('likely duplicates are shown before issuing and must be confirmed; a temporary L number', async () => {
    const created = await kindergarten.post('/api/children', { data: child({ name: '张晓明', idType: 'Z', idNumber: '', sex: 'male', birthDate: '2022-08-08' }) }).expect(201);
    const id = created.body.data.documentId;
    const blocked = await kindergarten.post(`/api/children/${id}/register`, { data: {} }).expect(409);
    expect(blocked.body.error.details.candidates[0].reasons[0]).toBe('姓名、出生日期、性别相同');
    const temporary = await kindergarten.post(`/api/children/${id}/register`, { data: { acknowledgeCandidates: true, temporary: true } }).expect(200);
    expect(temporary.body.data.studentNumber).toMatch(/^L35050220220808\d{4}$/);
  });

  test('only the child’s kindergarten issues numbers', async () => {
    const created = await kindergarten.post('/api/children', { data: child({ name: '黄二', idNumber: residentId('350502', '20220202', '111'), sex: undefined, birthDate: undefined }) }).expect(201);
    await (await login(app, 'demo-county')).post(`/api/children/${created.body.data.documentId}/register`, { data: {} }).expect(403);
    await kindergarten2.post(`/api/children/${created.body.data.documentId}/register`, { data: {} }).expect(404);
  });
});

describe('学前教育学籍基础信息确认表', () => {
  test('a printable A4 page per child, for one child and for the whole class', async () => {
    const idNumber = residentId('350502', '20220404', '041');
    const created = await kindergarten.post('/api/children', { data: child({ name: '蔡小可', idNumber, enrollmentMode: '2' }) }).expect(201);
    const one = await kindergarten.get(`/api/children/${created.body.data.documentId}/confirmation`).expect(200);
    expect(one.headers['content-type']).toMatch(/text\/html/);
    expect(one.text).toContain('学前教育学籍基础信息确认表');
    if (process.env.SAVE_CONFIRMATION) require('node:fs').writeFileSync(process.env.SAVE_CONFIRMATION, one.text);
    expect(one.text).toContain('蔡小可');
    expect(one.text).toContain(idNumber);
    expect(one.text).toContain('住宿');
    expect(one.text).toContain('监护人签字');
    expect(one.text).toContain('size: A4');
    const whole = await kindergarten.get(`/api/children/class-confirmation/${classId}`).expect(200);
    const count = (await kindergarten.get(`/api/children?filters[schoolClass][documentId][$eq]=${classId}&pagination[pageSize]=1`).expect(200)).body.meta.pagination.total;
    expect(whole.text.match(/<section class="sheet">/g)).toHaveLength(count);
    await kindergarten2.get(`/api/children/${created.body.data.documentId}/confirmation`).expect(404);
  });
});

describe('private fields leak nothing', () => {
  beforeAll(async () => {
    await kindergarten.post('/api/children', { data: child({ name: '隐私测试', idNumber: residentId('350502', '20220505', '051') }) }).expect(201);
  });

  test.each([
    'filters[idNumber][$startsWith]=3505',
    'filters[idKey][$notNull]=true',
    'sort=idNumber:asc',
    'filters[guardians][idNumber][$startsWith]=3505',
    'fields[0]=idNumber',
  ])('%s answers 400 or ignores the private field', async (query) => {
    const stored = await app.strapi.db.query('api::child.child').findMany({ select: ['idNumber'], populate: { guardians: { select: ['idNumber'] } } });
    const numbers = stored.flatMap((c) => [c.idNumber, ...c.guardians.map((g) => g.idNumber)]).filter(Boolean);
    expect(numbers.length).toBeGreaterThan(1);
    const leaks = (body: unknown) => {
      const text = JSON.stringify(body);
      return /"idNumber"|"idKey"/.test(text) || numbers.some((number) => text.includes(number));
    };
    const all = await kindergarten.get('/api/children?populate=guardians').expect(200);
    expect(all.body.data.length).toBeGreaterThan(0);
    expect(leaks(all.body)).toBe(false);
    const response = await kindergarten.get(`/api/children?${query}&populate=guardians`);
    if (response.status === 200) expect(leaks(response.body)).toBe(false);
    else expect(response.status).toBe(400);
  });
});
