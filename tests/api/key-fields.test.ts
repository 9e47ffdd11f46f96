/**
 * Key information of a registered child (docs/domain.md §5): once a child has a 学籍号, its name,
 * sex, birth date, document type and number change only through an approved key-information change
 * — a direct edit (REST, the panel's bridge, or the document service itself) answers 400 naming the
 * field and writes nothing; the same values sent back unchanged are fine; a child without a 学籍号
 * stays freely editable; the 学籍号 itself never changes.
 */
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { login, type Session } from '../helpers/api';
import { residentId } from '../helpers/ids';

const CHILD = 'api::child.child';
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

let app: BootedApp;
let kindergarten: Session;
let classId: string;
let serial = 0;

const payload = (name: string, idNumber: string) => ({
  name, idType: '1', idNumber, birthPlace: '350502', nativePlace: '福建泉州', ethnicity: '01', nationality: '156', overseasChinese: '00', health: '10',
  householdRegion: '350502', householdType: '2', address: '鲤城区中山路 2 号', phone: '13800000000', enrolledOn: '2025-09-01', enrollmentMode: '1', onlyChild: true,
  schoolClass: classId, guardians: [{ name: '监护人', relation: '1', idType: '1', idNumber: residentId('350502', '19880303', '135'), phone: '13800000001' }],
});

/** A child of the demo kindergarten (a boy born in 2022), registered (G 学籍号) unless asked not to. */
async function child(register = true) {
  serial += 1;
  const birth = `202203${String(serial).padStart(2, '0')}`;
  const idNumber = residentId('350502', birth, String(300 + serial * 2 + 1));
  const name = `键${'甲乙丙丁戊己庚辛壬癸'[serial % 10]}${serial}`;
  const created = await kindergarten.post('/api/children', { data: payload(name, idNumber) }).expect(201);
  const id = created.body.data.documentId as string;
  const studentNumber = register
    ? (await kindergarten.post(`/api/children/${id}/register`, { data: { acknowledgeCandidates: true } }).expect(200)).body.data.studentNumber as string
    : null;
  return { id, idNumber, name, birthDate: `${birth.slice(0, 4)}-${birth.slice(4, 6)}-${birth.slice(6)}`, studentNumber };
}

const stored = (id: string) => app.strapi.db.query(CHILD).findOne({ where: { documentId: id } });
const paths = (response: any) => response.body.error.details.errors.map((e: any) => e.path.join('.'));

beforeAll(async () => {
  app = await bootStrapi();
  kindergarten = await login(app, 'demo-kindergarten');
  classId = (await kindergarten.get('/api/school-classes?filters[name][$eq]=小一班').expect(200)).body.data[0].documentId;
});
afterAll(async () => { await app?.stop(); });

test('a direct change of each key field of a registered child is refused, naming the field; nothing is written', async () => {
  const registered = await child();
  const before = await stored(registered.id);
  const changes: Record<string, unknown> = {
    name: '直接改名',
    sex: 'female',
    birthDate: '2022-04-01',
    idType: 'A',
    idNumber: residentId('350502', registered.birthDate.replace(/-/g, ''), '991'),
  };
  for (const [field, value] of Object.entries(changes)) {
    const refused = await kindergarten.put(`/api/children/${registered.id}`, { data: { [field]: value, address: '改过的地址' } }).expect(400);
    expect(paths(refused)).toEqual([field]);
    expect(refused.body.error.message).toMatch(/^已有学籍号的幼儿，.+须通过关键信息变更申请修改$/);
  }
  const named = await kindergarten.put(`/api/children/${registered.id}`, { data: { name: '直接改名' } }).expect(400);
  expect(named.body.error.message).toBe('已有学籍号的幼儿，姓名须通过关键信息变更申请修改');
  // Several at once: each is named.
  const several = await kindergarten.put(`/api/children/${registered.id}`, { data: { name: '直接改名', birthDate: '2022-04-01' } }).expect(400);
  expect(paths(several)).toEqual(['name', 'birthDate']);
  // The panel's bridge answers the same, under the field.
  const bridged = await kindergarten.put(`/ra/children/${registered.id}`, { id: registered.id, name: '直接改名' }).expect(400);
  expect(bridged.body.errors).toMatchObject({ name: '已有学籍号的幼儿，姓名须通过关键信息变更申请修改' });
  // Nothing was written: not the key fields, not the address sent with them.
  expect(await stored(registered.id)).toMatchObject({
    name: before.name, sex: before.sex, birthDate: before.birthDate, idType: before.idType, idNumber: before.idNumber,
    address: before.address, studentNumber: registered.studentNumber, updatedAt: before.updatedAt,
  });
  // The document service itself (no HTTP request: a job, a script) is held to the same rule.
  await expect(app.strapi.documents(CHILD).update({ documentId: registered.id, data: { name: '系统改名' } } as any))
    .rejects.toMatchObject({ name: 'ValidationError', message: '已有学籍号的幼儿，姓名须通过关键信息变更申请修改' });
  expect((await stored(registered.id)).name).toBe(before.name);
});

test('the record sent back whole with its key fields unchanged is accepted (as the edit form does)', async () => {
  const registered = await child();
  const shown = (await kindergarten.get(`/api/children/${registered.id}`).expect(200)).body.data;
  expect(shown).toMatchObject({ name: registered.name, idNumber: registered.idNumber, studentNumber: registered.studentNumber });
  const { id, documentId, createdAt, updatedAt, publishedAt, ...fields } = shown;
  const guardians = shown.guardians.map(({ id: _id, ...guardian }: any) => guardian);
  // The same number typed with spaces and a lower-case check character is the same number.
  const respelled = ` ${registered.idNumber.toLowerCase()} `;
  await kindergarten.put(`/api/children/${registered.id}`, { data: { ...fields, guardians, schoolClass: classId, idNumber: respelled, address: '鲤城区新华路 8 号' } }).expect(200);
  expect(await stored(registered.id)).toMatchObject({ name: registered.name, idNumber: registered.idNumber, studentNumber: registered.studentNumber, address: '鲤城区新华路 8 号' });
  // Through the panel's bridge: the record as the edit form loaded it (and transforms it), one other field changed.
  const record = (await kindergarten.get(`/ra/children/${registered.id}`).expect(200)).body;
  const resent = await kindergarten.put(`/ra/children/${registered.id}`, { ...record, schoolClass: record.schoolClass?.id ?? record.schoolClass, phone: '13900000000' });
  expect({ status: resent.status, body: resent.status === 200 ? null : resent.body }).toEqual({ status: 200, body: null });
  expect(await stored(registered.id)).toMatchObject({ name: registered.name, phone: '13900000000', studentNumber: registered.studentNumber });
});

test('a child without a 学籍号 stays freely editable', async () => {
  const draft = await child(false);
  const corrected = residentId('350502', '20220415', '551');
  await kindergarten.put(`/api/children/${draft.id}`, { data: { name: '未注册改名', idNumber: corrected, birthDate: '2022-04-15' } }).expect(200);
  expect(await stored(draft.id)).toMatchObject({ name: '未注册改名', idNumber: corrected, birthDate: '2022-04-15', studentNumber: null });
});

test('the approved key-information change goes through; the 学籍号 is unchanged; a direct edit back is refused', async () => {
  const registered = await child();
  const corrected = residentId('350502', registered.birthDate.replace(/-/g, ''), '771');
  const applied = await kindergarten.post(`/api/children/${registered.id}/key-change`, { data: { changes: { name: '林正名', idNumber: corrected }, reason: '监护人申请更正' } }).expect(201);
  const requestId = applied.body.data.id;
  await kindergarten.post(`/api/requests/${requestId}/evidence`).attach('files', PNG, { filename: 'hukou.png', contentType: 'image/png' }).expect(200);
  await kindergarten.post(`/api/requests/${requestId}/approve`, { data: {} }).expect(200);
  expect(await stored(registered.id)).toMatchObject({ name: '林正名', idNumber: corrected, studentNumber: registered.studentNumber });
  const history = (await kindergarten.get(`/api/children/${registered.id}/history`).expect(200)).body.data;
  expect(history.map((e: any) => e.type)).toEqual(['enrollment', 'key-change']);
  const back = await kindergarten.put(`/api/children/${registered.id}`, { data: { name: registered.name } }).expect(400);
  expect(paths(back)).toEqual(['name']);
  expect((await stored(registered.id)).name).toBe('林正名');
});

test('the 学籍号 can never be changed or set through an update', async () => {
  const registered = await child();
  const other = `G${residentId('350502', registered.birthDate.replace(/-/g, ''), '881')}`;
  const refused = await kindergarten.put(`/api/children/${registered.id}`, { data: { studentNumber: other } }).expect(400);
  expect(paths(refused)).toEqual(['studentNumber']);
  expect(refused.body.error.message).toBe('学籍号一经生成不能更改');
  await kindergarten.put(`/api/children/${registered.id}`, { data: { studentNumber: null } }).expect(400);
  // Unchanged, also in the masked form lists show, is no change.
  const masked = (await kindergarten.get(`/api/children?filters[documentId][$eq]=${registered.id}`).expect(200)).body.data[0].studentNumberMasked;
  expect(masked).toMatch(/^G350502\*+/);
  await kindergarten.put(`/api/children/${registered.id}`, { data: { studentNumber: masked, phone: '13700000000' } }).expect(200);
  await kindergarten.put(`/api/children/${registered.id}`, { data: { studentNumber: registered.studentNumber } }).expect(200);
  // Nor by the document service (no user): the number stays.
  await expect(app.strapi.documents(CHILD).update({ documentId: registered.id, data: { studentNumber: other } } as any)).rejects.toMatchObject({ name: 'ValidationError' });
  expect((await stored(registered.id)).studentNumber).toBe(registered.studentNumber);
  // A child without one cannot be given one by an edit: the review issues it.
  const draft = await child(false);
  const set = await kindergarten.put(`/api/children/${draft.id}`, { data: { studentNumber: other } }).expect(400);
  expect(paths(set)).toEqual(['studentNumber']);
  expect((await stored(draft.id)).studentNumber).toBeNull();
});
