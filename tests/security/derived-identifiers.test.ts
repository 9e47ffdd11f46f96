/**
 * Derived identifiers (docs/security/derived-identifiers.md): the G-type 学籍号 is `G` + the resident
 * ID, so it is kept like an ID number (masked for the levels that see masked IDs, encrypted at rest,
 * looked up only by the full number through its blind index), and a masked number cannot be
 * completed from the fields shown beside it (the birth date).
 */
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { login, type Session } from '../helpers/api';
import { residentId } from '../helpers/ids';
import { gb11643CheckCharacter, maskIdNumber, maskIdentifier, maskStudentNumber } from '../../plugins/student-id/server/src/identity';
import { qualifiedTable } from '../../cms/src/runtime/tables';

const CHILD = 'api::child.child';
/** The child whose G number is probed: born 2022-03-15 in 鲤城区. */
const ID = residentId('350502', '20220315', '027');
const G = `G${ID}`;
/** The ID as the levels that see masked IDs get it: first 6 and last character (the rule, spelled out). */
const MASKED = `${ID.slice(0, 6)}***********${ID.slice(-1)}`;
/** A likely duplicate (same name, birth date and sex), so that registering the first opens a problem record. */
const TWIN_ID = residentId('350502', '20220315', '047');

let app: BootedApp;
let kindergarten: Session;
let kindergarten2: Session;
let levels: Record<'prefecture' | 'province' | 'ministry', Session>;
let childId: string;

const child = (classId: string, idNumber: string) => ({
  name: '陈思源', idType: '1', idNumber,
  birthPlace: '350502', nativePlace: '福建泉州', ethnicity: '01', nationality: '156', overseasChinese: '00', health: '10',
  householdRegion: '350502', householdType: '2', address: '鲤城区中山路 8 号', phone: '13800000000', enrolledOn: '2025-09-01',
  enrollmentMode: '1', onlyChild: true, schoolClass: classId,
  guardians: [{ name: '陈大海', relation: '1', idType: '1', idNumber: residentId('350502', '19900101', '013'), phone: '13800000001' }],
});

/**
 * Every resident ID a masked number and a birth date leave possible: the birth date fills its 8
 * digits, the other hidden digits are tried, the visible check character must hold.
 */
function completions(masked: string, birthDate: string): string[] {
  expect(masked).toHaveLength(18);
  const chars = masked.split('');
  const birth = birthDate.replace(/-/g, '');
  for (let i = 0; i < 8; i += 1) if (chars[6 + i] === '*') chars[6 + i] = birth[i];
  const hidden = chars.map((c, i) => (c === '*' && i < 17 ? i : -1)).filter((i) => i >= 0);
  if (hidden.length > 5) return Array.from({ length: 10 ** 5 }, () => 'too many');
  const found: string[] = [];
  for (let n = 0; n < 10 ** hidden.length; n += 1) {
    const digits = String(n).padStart(hidden.length, '0');
    const trial = [...chars];
    hidden.forEach((position, k) => { trial[position] = digits[k]; });
    const first17 = trial.slice(0, 17).join('');
    if (/^\d{17}$/.test(first17) && (chars[17] === '*' || gb11643CheckCharacter(first17) === chars[17])) found.push(`${first17}${chars[17] === '*' ? gb11643CheckCharacter(first17) : chars[17]}`);
  }
  return found;
}

const leaks = (body: unknown) => {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return text.includes(ID);
};

beforeAll(async () => {
  app = await bootStrapi();
  kindergarten = await login(app, 'demo-kindergarten');
  kindergarten2 = await login(app, 'demo-kindergarten-2');
  levels = {
    prefecture: await login(app, 'demo-prefecture'),
    province: await login(app, 'demo-province'),
    ministry: await login(app, 'demo-ministry'),
  };
  const classId = (await kindergarten.get('/api/school-classes?filters[name][$eq]=小一班').expect(200)).body.data[0].documentId;
  await kindergarten.post('/api/children', { data: child(classId, TWIN_ID) }).expect(201);
  childId = (await kindergarten.post('/api/children', { data: child(classId, ID) }).expect(201)).body.data.documentId;
  const registered = await kindergarten.post(`/api/children/${childId}/register`, { data: { acknowledgeCandidates: true } }).expect(200);
  expect(registered.body.data.studentNumber).toBe(G);
  // a problem record of the child exists (the likely duplicate), reachable through populate
  const problems = await app.strapi.db.query('api::problem-record.problem-record').findMany({ where: { child: { documentId: childId } } });
  expect(problems.length).toBeGreaterThan(0);
});
afterAll(async () => { await app?.stop(); });

describe('the mask function (one rule)', () => {
  test('keeps the first 6 and the last character of a resident ID, also inside a G number', () => {
    expect(maskIdNumber('440524188001010014')).toBe('440524***********4');
    expect(maskIdNumber(' 11010519491231002x ')).toBe('110105***********X');
    expect(maskStudentNumber('G440524188001010014')).toBe('G440524***********4');
    expect(maskIdentifier('G440524188001010014')).toBe('G440524***********4');
    expect(maskIdentifier('440524188001010014')).toBe('440524***********4');
    // J and L numbers carry no ID number: shown as they are
    expect(maskStudentNumber('J35050220220315001X')).toBe('J35050220220315001X');
    expect(maskIdNumber('E12345678')).toBe('E1*****78');
    expect(maskIdNumber('1234')).toBe('****');
    expect(maskIdNumber(null)).toBe('');
  });

  test('re-masking a value masked by the old rule gives the new masked value (stored forms are recomputed this way)', () => {
    expect(maskIdNumber('440524********0014')).toBe('440524***********4');
    expect(maskStudentNumber('G440524********0014')).toBe('G440524***********4');
    expect(maskIdNumber(maskIdNumber(ID))).toBe(MASKED);
  });

  test('with the birth date known, a masked resident ID still leaves many numbers possible', () => {
    const possible = completions(maskIdNumber(ID), '2022-03-15');
    expect(possible).toContain(ID);
    expect(possible.length).toBeGreaterThanOrEqual(50);
  });
});

describe('levels that see masked IDs never get the ID inside a G number', () => {
  const paths = () => [
    '/api/children',
    '/api/children?populate=*',
    `/api/children/${childId}`,
    `/api/children/${childId}?populate=*`,
    `/api/children/${childId}/confirmation`,
    '/api/problem-records?populate=*',
    '/api/problem-records?populate[child][populate]=*',
    `/api/child-events?filters[childDocumentId][$eq]=${childId}`,
    '/api/child-export?format=csv',
    '/ra/children',
    '/ra/problem-records?populate=*',
  ];

  test.each(['prefecture', 'province', 'ministry'] as const)('%s: lists, records, populate, events, exports', async (level) => {
    let answered = 0;
    for (const path of paths()) {
      const response = await levels[level].get(path);
      expect([200, 403, 404]).toContain(response.status);
      if (response.status !== 200) continue;
      answered += 1;
      const body = path.includes('export') || path.includes('confirmation') ? response.text : response.body;
      if (leaks(body)) throw new Error(`${level} ${path}: the answer contains the resident ID of a G number`);
      expect(JSON.stringify(body)).not.toContain(G);
    }
    if (level !== 'ministry') expect(answered).toBeGreaterThan(3);
  });

  test('the populated child of a problem record carries the masked 学籍号 only', async () => {
    const response = await levels.province.get('/api/problem-records?populate=*').expect(200);
    const record = response.body.data.find((r: any) => r.child?.documentId === childId);
    expect(record).toBeTruthy();
    expect(record.child.studentNumber).toBeUndefined();
    expect(record.child.studentNumberMasked).toBe(`G${MASKED}`);
  });

  test('the masked ID and 学籍号 of a list row, with its birth date, do not give back the number', async () => {
    const response = await levels.prefecture.get(`/api/children?filters[documentId][$eq]=${childId}`).expect(200);
    const row = response.body.data[0];
    expect(row.birthDate).toBe('2022-03-15');
    for (const masked of [row.idNumberMasked, String(row.studentNumberMasked).slice(1)]) {
      expect(completions(masked, row.birthDate).length).toBeGreaterThanOrEqual(50);
    }
  });

  test("the child's own kindergarten (and its county) still see the full number on the record", async () => {
    expect((await kindergarten.get(`/api/children/${childId}`).expect(200)).body.data.studentNumber).toBe(G);
    const county = await login(app, 'demo-county');
    expect((await county.get(`/api/children/${childId}`).expect(200)).body.data.studentNumber).toBe(G);
    // lists are masked for every level, as for the ID number
    const list = await kindergarten.get(`/api/children?filters[documentId][$eq]=${childId}`).expect(200);
    expect(list.body.data[0].studentNumber).toBeUndefined();
    expect(list.body.data[0].studentNumberMasked).toBe(`G${MASKED}`);
  });
});

describe('no prefix, substring or ordering oracle on the 学籍号', () => {
  test.each([
    `/api/children?filters[studentNumber][$startsWith]=G350502`,
    `/api/children?filters[studentNumber][$contains]=20220315`,
    `/api/children?filters[studentNumber][$containsi]=g3505`,
    `/api/children?filters[studentNumber][$endsWith]=${ID.slice(-4)}`,
    `/api/children?filters[studentNumber][$lt]=G4`,
    `/api/children?filters[studentNumber][$gte]=G3`,
    `/api/children?filters[$or][0][studentNumber][$startsWith]=G35&filters[$or][1][name][$eq]=x`,
    `/api/children?sort=studentNumber:asc`,
    `/api/problem-records?filters[child][studentNumber][$startsWith]=G35`,
    `/api/problem-records?populate[child][filters][studentNumber][$startsWith]=G35`,
    `/api/child-export?format=csv&filters[studentNumber][$startsWith]=G35`,
    `/ra/children?filter=${encodeURIComponent(JSON.stringify({ studentNumber_startsWith: 'G35' }))}`,
  ])('%s answers 400 naming the field', async (path) => {
    for (const session of [kindergarten, levels.province]) {
      const response = await session.get(path);
      expect(response.status).toBe(400);
      expect(JSON.stringify(response.body)).toContain('studentNumber');
      expect(JSON.stringify(response.body)).toMatch(/学籍号只能按完整号码精确查询/);
      expect(leaks(response.body)).toBe(false);
    }
  });

  test('the panel search (q) does not match a G number by its prefix, only by the whole number', async () => {
    for (const q of ['G35', 'G350502', ID.slice(0, 10), ID]) {
      const response = await kindergarten.get(`/ra/children?filter=${encodeURIComponent(JSON.stringify({ q }))}&range=[0,99]`).expect(200);
      expect(response.body.map((r: any) => r.id)).not.toContain(childId);
    }
    const exact = await kindergarten.get(`/ra/children?filter=${encodeURIComponent(JSON.stringify({ q: G.toLowerCase() }))}`).expect(200);
    expect(exact.body.map((r: any) => r.id)).toEqual([childId]);
    expect(exact.body[0].studentNumberMasked).toBe(`G${MASKED}`);
    expect(exact.body[0].studentNumber).toBeUndefined();
  });

  test('an exact lookup by the full number works for the kindergarten that owns the child, through the blind index', async () => {
    const own = await kindergarten.get(`/api/children?filters[studentNumber][$eq]=${G}`).expect(200);
    expect(own.body.data.map((c: any) => c.documentId)).toEqual([childId]);
    expect(own.body.data[0].studentNumberMasked).toBe(`G${MASKED}`);
    const inList = await kindergarten.get(`/api/children?filters[studentNumber][$in][0]=${G}&filters[studentNumber][$in][1]=G000`).expect(200);
    expect(inList.body.data.map((c: any) => c.documentId)).toEqual([childId]);
    // another kindergarten: not in its reach, nothing
    expect((await kindergarten2.get(`/api/children?filters[studentNumber][$eq]=${G}`).expect(200)).body.data).toEqual([]);
    // a number nobody holds: nothing (and not everything)
    expect((await kindergarten.get(`/api/children?filters[studentNumber][$eq]=G${TWIN_ID}`).expect(200)).body.data).toEqual([]);
    // through a relation: the problem records of that child
    const problems = await kindergarten.get(`/api/problem-records?filters[child][studentNumber][$eq]=${G}&populate=child`).expect(200);
    expect(problems.body.data.length).toBeGreaterThan(0);
    expect(problems.body.data.every((p: any) => p.child.documentId === childId)).toBe(true);
  });

  test('a transfer names the child by its full number and shows it masked to the receiving kindergarten', async () => {
    const applied = await kindergarten2.post('/api/transfers', { data: { studentNumber: G.toLowerCase(), reason: '随父母迁居' } }).expect((r) => expect([200, 201]).toContain(r.status));
    expect(leaks(applied.body)).toBe(false);
    const list = await kindergarten2.get('/api/transfers').expect(200);
    expect(leaks(list.body)).toBe(false);
    const row = list.body.data.find((t: any) => t.childName === '陈思源');
    expect(row.studentNumberMasked).toBe(`G${MASKED}`);
    expect(row.idNumberMasked).toBe(MASKED);
    expect(completions(row.idNumberMasked, '2022-03-15').length).toBeGreaterThanOrEqual(50);
  });
});

describe('at rest', () => {
  const table = (name: string) => app.strapi.db.connection(qualifiedTable(app.strapi, name));

  test('the database holds no plain G number: encrypted, with a blind index and a masked form', async () => {
    const rows = await table('children').whereNotNull('student_number').select('student_number', 'student_number_key', 'student_number_masked', 'id_number_masked');
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.student_number).toMatch(/^enc:v1:/);
      expect(row.student_number_key).toMatch(/^[0-9a-f]{64}$/);
      expect(row.student_number_masked).not.toContain(ID);
    }
    const text = JSON.stringify(await table('children').select('*'));
    expect(text).not.toContain(ID);
    // a second record with the same number is refused by the unique blind index (PostgreSQL:
    // database/postgres/060-student-number-blind-index.sql; on SQLite the index comes from the schema)
    if (app.strapi.db.dialect.client === 'postgres') {
      const stored = await table('children').where({ document_id: childId }).first('student_number_key');
      await expect(table('children').insert({ document_id: 'copyofnumber', name: '复制', student_number_key: stored.student_number_key })).rejects.toThrow();
    }
  });

  test('numbers stored before (plain G number, old masked forms) are migrated at start', async () => {
    const oldMask = (id: string) => `${id.slice(0, 6)}********${id.slice(-4)}`;
    const row = await table('children').where({ document_id: childId }).first('id');
    await table('children').where({ id: row.id }).update({ student_number: G, student_number_key: null, student_number_masked: null, id_number_masked: oldMask(ID) });
    const event = await table('child_events').insert({ document_id: 'oldevent', type: 'key-change', child_document_id: childId, student_number: `G${oldMask(ID)}`, before: JSON.stringify({ idNumberMasked: oldMask(ID), studentNumber: `G${oldMask(ID)}` }), occurred_at: new Date() });
    expect(event).toBeTruthy();
    // required after the boot: the data directory (and so the keys) is the booted app's
    const { indexStudentNumbers, remaskStoredForms } = require('../../cms/src/security/pii');
    expect(await indexStudentNumbers(app.strapi)).toBeGreaterThan(0);
    expect(await remaskStoredForms(app.strapi, { force: true })).toBeGreaterThan(0);
    await setupPiiEncryptionOnce();
    const migrated = await table('children').where({ id: row.id }).first('student_number', 'student_number_key', 'student_number_masked', 'id_number_masked');
    expect(migrated.student_number).toMatch(/^enc:v1:/);
    expect(migrated.student_number_masked).toBe(`G${MASKED}`);
    expect(migrated.id_number_masked).toBe(MASKED);
    const stored = await table('child_events').where({ document_id: 'oldevent' }).first('student_number', 'before');
    expect(stored.student_number).toBe(`G${MASKED}`);
    const before = typeof stored.before === 'string' ? JSON.parse(stored.before) : stored.before;
    expect(before).toEqual({ idNumberMasked: MASKED, studentNumber: `G${MASKED}` });
    // the lookup by the full number works on the migrated row
    expect((await kindergarten.get(`/api/children?filters[studentNumber][$eq]=${G}`).expect(200)).body.data.map((c: any) => c.documentId)).toEqual([childId]);
  });

  test('the audit masking hides the ID inside a G number with the same rule', async () => {
    const { maskSensitive } = require('../../cms/src/security/audit');
    expect(maskSensitive({ after: { studentNumber: G, idNumber: ID } })).toEqual({ after: { studentNumber: `G${MASKED}`, idNumber: MASKED } });
  });
});

/** The start-up migration's encryption pass, run again (its subscription is idempotent in effect: values already encrypted stay). */
async function setupPiiEncryptionOnce() {
  const subscribe = app.strapi.db.lifecycles.subscribe;
  (app.strapi.db.lifecycles as any).subscribe = () => undefined;
  try {
    await require('../../cms/src/security/pii').setupPiiEncryption(app.strapi);
  } finally {
    (app.strapi.db.lifecycles as any).subscribe = subscribe;
  }
}
