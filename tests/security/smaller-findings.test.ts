/**
 * The smaller findings of the security review (docs/security/smaller-findings.md), one describe
 * each: (a) implausible birth dates, (b) sessions of a blocked account, (c) imports interrupted by
 * a restart, (d) prototype keys, (e) log redaction of encoded ID numbers, (f) the CSP, (g) TOTP
 * secrets at rest, (h) refused password changes in the audit trail.
 */
import path from 'node:path';
import ExcelJS from 'exceljs';
import request from 'supertest';
import { bootStrapi, REPOSITORY_ROOT, type BootedApp } from '../helpers/boot';
import { anonymous, login, type Session } from '../helpers/api';
import { residentId } from '../helpers/ids';

let app: BootedApp;
let kindergarten: Session;
let county: Session;
let province: Session;
let secadmin: Session;
let classId: string;

const USER = 'plugin::users-permissions.user';
const JOB = 'api::child-import.child-import';
/** The compiled modules the booted app runs (one module state with it). */
const dist = (...parts: string[]) => require(path.join(REPOSITORY_ROOT, 'cms', 'dist', 'src', ...parts));
const table = (uid: string) => dist('runtime', 'tables').qualifiedTable(app.strapi, app.strapi.db.metadata.get(uid as any).tableName);
const auditRows = async (where: Record<string, unknown>) => {
  const { auditTable } = dist('security', 'audit');
  return app.strapi.db.connection(auditTable(app.strapi)).where(where).orderBy('id', 'asc');
};

const child = (overrides: Record<string, unknown> = {}) => ({
  name: '林小安', idType: '1', idNumber: residentId('350502', '20220316', '041'),
  birthPlace: '350502', nativePlace: '福建泉州', ethnicity: '01', nationality: '156', overseasChinese: '00', health: '10',
  householdRegion: '350502', householdType: '2', address: '鲤城区中山路 1 号', phone: '13800000000', enrolledOn: '2025-09-01',
  enrollmentMode: '1', onlyChild: true, schoolClass: classId,
  guardians: [{ name: '林大安', relation: '1', idType: '1', idNumber: residentId('350502', '19900101', '043'), phone: '13800000001' }],
  ...overrides,
});
/** A child without an ID number of its own (type Z): the birth date is typed, not derived. */
const typedBirth = (birthDate: string, overrides: Record<string, unknown> = {}) =>
  child({ idType: 'Z', idNumber: '', sex: 'male', birthDate, ...overrides });

/** A new kindergarten account (made by the county), its first password changed to `password`: its row and a fresh login. */
async function newAccount(username: string, password = 'Sec#Small-2026x') {
  const created = await county.post('/api/accounts', { data: { username, fullName: `测试${username}`, institutionCode: '3135050201' } }).expect(201);
  const temporary = created.body.data.temporaryPassword;
  const first = await anonymous(app).post('/api/auth/login').send({ identifier: username, password: temporary }).expect(200);
  await anonymous(app).post('/api/auth/change-password').set('Authorization', `Bearer ${first.body.jwt}`).send({ currentPassword: temporary, password }).expect(200);
  const signedIn = await anonymous(app).post('/api/auth/login').send({ identifier: username, password }).expect(200);
  const row = await app.strapi.db.query(USER).findOne({ where: { username } });
  return { documentId: created.body.data.documentId as string, id: row.id as number, password, jwt: signedIn.body.jwt as string, refreshToken: signedIn.body.refreshToken as string };
}
const bearer = (jwt: string) => ({ Authorization: `Bearer ${jwt}` });

beforeEach(async () => { await dist('security', 'rate-limit').resetRateLimits(app.strapi); });
beforeAll(async () => {
  app = await bootStrapi();
  kindergarten = await login(app, 'demo-kindergarten');
  county = await login(app, 'demo-county');
  province = await login(app, 'demo-province');
  secadmin = await login(app, 'demo-secadmin');
  classId = (await kindergarten.get('/api/school-classes?filters[name][$eq]=小一班').expect(200)).body.data[0].documentId;
});
afterAll(async () => { await app?.stop(); });

describe('(a) a child’s birth date must be plausible for preschool (config/classes.json childAge)', () => {
  test.each([
    ['born 1880 (resident ID 440524188001010014)', { idNumber: '440524188001010014', sex: undefined }],
    ['born 1949 (resident ID 11010519491231002X)', { idNumber: '11010519491231002X', sex: undefined }],
    ['born 1899, typed', { idType: 'Z', idNumber: '', sex: 'male', birthDate: '1899-06-01' }],
    ['born 1949, typed', { idType: 'Z', idNumber: '', sex: 'female', birthDate: '1949-12-31' }],
    ['nine years old on the enrolment date', { idType: 'Z', idNumber: '', sex: 'male', birthDate: '2016-08-01' }],
    ['one month old on the enrolment date', { idType: 'Z', idNumber: '', sex: 'male', birthDate: '2025-08-01' }],
    ['born after the enrolment date', { idType: 'Z', idNumber: '', sex: 'male', birthDate: '2025-10-01' }],
  ])('%s is refused on birthDate with a message naming 出生日期', async (_label, overrides) => {
    const before = await app.strapi.db.query('api::child.child').count();
    const response = await kindergarten.post('/api/children', { data: child({ name: '年龄不符', ...overrides }) }).expect(400);
    expect(response.body.error.details.errors.map((e: any) => e.path.join('.'))).toEqual(['birthDate']);
    expect(response.body.error.message).toContain('出生日期');
    expect(await app.strapi.db.query('api::child.child').count()).toBe(before);
  });

  test('both dates far in the past (1880 birth, 1885 enrolment) are refused too', async () => {
    const response = await kindergarten.post('/api/children', { data: typedBirth('1880-01-01', { enrolledOn: '1885-09-01' }) }).expect(400);
    expect(response.body.error.details.errors[0].path).toEqual(['enrolledOn']);
  });

  test('a plausible child is accepted; changing its birth date to 1949 is refused', async () => {
    const created = await kindergarten.post('/api/children', { data: typedBirth('2021-05-06', { name: '合理年龄', guardians: [{ name: '某', relation: '2', idType: '1', idNumber: residentId('350502', '19920202', '145') }] }) }).expect(201);
    const id = created.body.data.documentId;
    const changed = await kindergarten.put(`/api/children/${id}`, { data: { birthDate: '1949-12-31' } }).expect(400);
    expect(changed.body.error.details.errors[0].path).toEqual(['birthDate']);
    // moving the enrolment date so far that the child would be 9 is refused as well
    await kindergarten.put(`/api/children/${id}`, { data: { enrolledOn: '2030-09-01' } }).expect(400);
    const stored = await app.strapi.db.query('api::child.child').findOne({ where: { documentId: id } });
    expect(String(stored.birthDate).slice(0, 10)).toBe('2021-05-06');
  });

  test('the Excel import refuses the same rows, by the same rule', async () => {
    const headers = ['姓名', '身份证件类型', '证件号码', '出生地', '籍贯', '民族', '国籍/地区', '港澳台侨外', '健康状况', '户口所在地', '户口性质', '现住址', '联系电话', '入园日期', '班级', '就读方式', '是否独生子女', '监护人1姓名', '监护人1与幼儿关系', '监护人1身份证件类型', '监护人1证件号码'];
    const line = (name: string, idNumber: string, guardianSequence: string) => [name, '居民身份证', idNumber, '350502', '福建', '汉族', '中国', '否', '健康或良好', '350502', '非农业', '路 1 号', '13800000000', '2025-09-01', '小一班', '走读', '是', `${name}家长`, '父亲', '居民身份证', residentId('350502', '19900707', guardianSequence)];
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('幼儿信息');
    sheet.addRow(headers);
    sheet.addRow(line('百岁老人', '440524188001010014', '151'));
    sheet.addRow(line('七旬老人', residentId('350502', '19491231', '153'), '153'));
    sheet.addRow(line('正常幼儿', residentId('350502', '20220506', '155'), '155'));
    const buffer = Buffer.from(await book.xlsx.writeBuffer());
    const started = await kindergarten.post('/api/child-import').field('mode', 'valid-only')
      .attach('file', buffer, { filename: 'ages.xlsx', contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
    expect(started.status).toBe(202);
    await (app.strapi.service(JOB) as any).settle();
    const job = (await kindergarten.get(`/api/child-import/${started.body.data.id}`).expect(200)).body.data;
    expect(job).toMatchObject({ state: 'done', failed: 2, imported: 1 });
    const birthErrors = job.errors.filter((e: any) => e.field === 'birthDate');
    expect(birthErrors.map((e: any) => e.row).sort()).toEqual([2, 3]);
    for (const error of birthErrors) expect(error.message).toContain('出生日期');
  });
});

describe('(b) blocking an account ends its sessions for good', () => {
  test('blocked through the accounts API: old tokens stay dead after unblocking', async () => {
    const account = await newAccount('block-me');
    await anonymous(app).get('/api/users/me').set(bearer(account.jwt)).expect(200);
    await county.put(`/api/accounts/${account.documentId}`, { data: { blocked: true } }).expect(200);
    await anonymous(app).get('/api/users/me').set(bearer(account.jwt)).expect(401);
    await county.put(`/api/accounts/${account.documentId}`, { data: { blocked: false } }).expect(200);
    // the token and the refresh token issued before the block revive with nothing
    const old = await anonymous(app).get('/api/users/me').set(bearer(account.jwt)).expect(401);
    expect(old.body.error.details.code).toBe('SESSION_REVOKED');
    await anonymous(app).post('/api/auth/refresh').send({ refreshToken: account.refreshToken }).expect(401);
    // a new login works again
    const again = await anonymous(app).post('/api/auth/login').send({ identifier: 'block-me', password: account.password }).expect(200);
    await anonymous(app).get('/api/users/me').set(bearer(again.body.jwt)).expect(200);
  });

  test('blocked through users-permissions’ own user update (Strapi admin, scripts): the same', async () => {
    const account = await newAccount('block-me-too');
    const users = app.strapi.plugin('users-permissions').service('user');
    await users.edit(account.id, { blocked: true });
    await users.edit(account.id, { blocked: false });
    await anonymous(app).get('/api/users/me').set(bearer(account.jwt)).expect(401);
    const sessions = await app.strapi.db.query('api::auth-session.auth-session' as any).findMany({ where: { userId: account.id } });
    expect(sessions.length).toBeGreaterThan(0);
    for (const session of sessions) expect(session.revokedAt).toBeTruthy();
  });
});

describe('(c) an import interrupted by a restart does not stay running for ever', () => {
  const job = async (state: string, minutesAgo: number) => {
    const now = new Date();
    const row = await app.strapi.db.query(JOB as any).create({
      data: { documentId: `job${state}${minutesAgo}x${Date.now()}`.slice(0, 24), fileName: `${state}.xlsx`, mode: 'all-or-none', state, total: 10, processed: 3, username: 'demo-kindergarten', startedAt: now, countyCode: '350502', institutionCode: '3135050201', createdAt: now, updatedAt: now, publishedAt: now },
    });
    // the query engine stamps updatedAt itself: the heartbeat's age is set in SQL (SQLite keeps epoch milliseconds)
    const then = new Date(now.getTime() - minutesAgo * 60_000);
    await app.strapi.db.connection(table(JOB)).where({ id: row.id }).update({ updated_at: app.strapi.db.dialect.client === 'postgres' ? then : then.getTime() });
    return row;
  };

  test('running jobs whose heartbeat is stale are marked failed with the reason; live and finished ones are left alone', async () => {
    const { markInterruptedImports, INTERRUPTED_MESSAGE } = dist('domain', 'import', 'interrupted-jobs');
    const { staleMinutes } = require(path.join(REPOSITORY_ROOT, 'config', 'imports.json')).interruptedJobs;
    const importing = await job('importing', staleMinutes + 5);
    const validating = await job('validating', staleMinutes * 3);
    const queued = await job('queued', staleMinutes + 1);
    const recent = await job('importing', 1);
    const done = await job('done', staleMinutes * 10);
    expect(await markInterruptedImports(app.strapi)).toBe(3);
    const state = async (row: any) => app.strapi.db.query(JOB as any).findOne({ where: { id: row.id } });
    for (const row of [importing, validating, queued]) {
      expect(await state(row)).toMatchObject({ state: 'failed', message: INTERRUPTED_MESSAGE });
    }
    expect(INTERRUPTED_MESSAGE).toBe('导入因服务重启而中断，请重新上传');
    expect((await state(recent)).state).toBe('importing');
    expect((await state(done)).state).toBe('done');
    // the kindergarten sees why
    const shown = (await kindergarten.get(`/api/child-import/${importing.documentId}`).expect(200)).body.data;
    expect(shown).toMatchObject({ state: 'failed', message: '导入因服务重启而中断，请重新上传', progress: 1 });
  });
});

describe('(d) prototype keys (__proto__, constructor, prototype) answer 400 naming the key, never 500', () => {
  test.each(['constructor', 'prototype', '__proto__'])('%s', async (key) => {
    const named = (response: request.Response) => {
      expect(response.status).toBe(400);
      expect(JSON.stringify(response.body.error)).toContain(key);
    };
    named(await province.post(`/api/code-tables/${key}`, { data: { code: '91', name: '试' } }));
    named(await province.put(`/api/code-tables/${key}/10`, { data: { name: '试' } }));
    named(await province.put(`/api/code-tables/health/${key}`, { data: { name: '试' } }));
    named(await province.post('/api/code-tables/health', { data: { code: key, name: '试' } }));
    named(await secadmin.put('/api/permission-matrix', { data: { role: 'county', resource: key, action: 'list', granted: true } }));
    named(await secadmin.put('/api/permission-matrix', { data: { role: 'county', resource: 'children', action: key, granted: true } }));
    named(await secadmin.put('/api/permission-matrix', { data: { role: key, resource: 'children', action: 'list', granted: true } }));
    named(await province.post('/api/statistics/query', { indicator: key, dimension: 'province' }));
    named(await province.post('/api/statistics/query', { indicator: 'kindergartens', dimension: key }));
    named(await province.post('/api/chart-pages', { data: { title: '图', charts: [{ title: '', indicator: key, dimension: 'county', filters: {}, type: 'pie' }] } }));
    named(await province.post('/api/custom-fields', { data: { entity: 'child', key, label: '键名', type: 'text' } }));
    named(await province.post('/api/custom-fields', { data: { entity: 'child', key: `choice_${key.replace(/_/g, '')}`.toLowerCase(), label: '选项', type: 'choice', codeTable: key } }));
    // nothing was created by them
    const codeTables = (await province.get('/api/code-tables').expect(200)).body.data;
    expect(codeTables.flatMap((t: any) => t.entries.map((e: any) => e.code))).not.toContain(key);
    const fields = (await province.get('/api/custom-fields?pagination[pageSize]=100').expect(200)).body.data;
    expect(fields.map((f: any) => f.key)).not.toContain(key);
  });
});

describe('(e) logs never show an ID number, also percent-encoded in a URL', () => {
  test('the logger’s redaction masks encoded and split numbers in access-log lines', () => {
    const { redact } = dist('security', 'log-redaction');
    const lines = [
      'GET /api/children?filters%5BidNumber%5D%5B%24eq%5D=%31%31%30%31%30%35%31%39%34%39%31%32%33%31%30%30%32%58 (4 ms) 200',
      'GET /api/children?q=11010519491231002%58 (3 ms) 200',
      'GET /api/children?q=%2533%2535%2530%2535%2530%2532%2532%2530%2532%2532%2530%2533%2531%2535%2530%2532%2531%2533 (3 ms) 200',
      'GET /api/children?studentNumber=%47350502202203150213&page=1 (3 ms) 200',
    ];
    for (const line of lines) {
      let decoded = redact(line);
      for (let i = 0; i < 3; i += 1) decoded = decoded.replace(/%([0-9A-Fa-f]{2})/g, (_m: string, hex: string) => String.fromCharCode(parseInt(hex, 16)));
      expect(decoded).not.toMatch(/19491231|20220315/);
      expect(decoded).toMatch(/\(\d ms\) 200$/);
    }
  });
});

describe('(f) Content-Security-Policy: the panel runs no inline or foreign script and talks only to its origin', () => {
  const directives = (header: string) => Object.fromEntries(header.split(';').map((part) => part.trim().split(/\s+/)).map(([name, ...sources]) => [name, sources]));

  test.each(['/', '/api/health', '/assets/index.js', '/ra/children'])('%s', async (url) => {
    const response = await anonymous(app).get(url);
    const csp = directives(response.headers['content-security-policy']);
    expect(csp['script-src']).toEqual(["'self'"]);
    expect(csp['connect-src']).toEqual(["'self'"]);
    expect(csp['img-src']).toEqual(["'self'", 'data:', 'blob:']);
    expect(csp['default-src']).toEqual(["'self'"]);
    expect(csp['object-src']).toEqual(["'none'"]);
    expect(csp['frame-ancestors']).toEqual(["'none'"]);
    expect(JSON.stringify(csp)).not.toMatch(/unsafe-eval|https:|strapi\.io|\*/);
    expect(csp['style-src']).toEqual(["'self'", "'unsafe-inline'"]);
  });

  test('only Strapi’s own admin (the route /admin, however spelled) has its looser policy', async () => {
    for (const spelling of ['/admin/', '/ADMIN/', '/%61dmin/']) {
      const admin = directives((await anonymous(app).get(spelling)).headers['content-security-policy']);
      expect(admin['script-src']).toContain("'unsafe-inline'");
    }
    for (const spelling of ['/admin%2f..%2f', '/adminx', '/x/admin', '/api/admin']) {
      const csp = directives((await anonymous(app).get(spelling)).headers['content-security-policy']);
      expect(csp['script-src']).toEqual(["'self'"]);
    }
  });
});

describe('(g) TOTP secrets are stored encrypted', () => {
  test('an enrolled secret is ciphertext in the database and logins with a code still work', async () => {
    const { totp } = dist('security', 'totp');
    const account = await newAccount('totp-secret');
    const setup = await anonymous(app).post('/api/auth/totp/setup').set(bearer(account.jwt)).expect(200);
    await anonymous(app).post('/api/auth/totp/enable').set(bearer(account.jwt)).send({ code: totp(setup.body.secret) }).expect(200);
    const raw = await app.strapi.db.connection(table(USER)).where({ id: account.id }).first('totp_secret');
    expect(raw.totp_secret).toMatch(/^enc:v1:/);
    expect(raw.totp_secret).not.toContain(setup.body.secret);
    await anonymous(app).post('/api/auth/login').send({ identifier: 'totp-secret', password: account.password, totp: totp(setup.body.secret) }).expect(200);
    const wrong = await anonymous(app).post('/api/auth/login').send({ identifier: 'totp-secret', password: account.password, totp: totp(setup.body.secret) === '000000' ? '111111' : '000000' }).expect(400);
    expect(wrong.body.error.details.code).toBe('TOTP_INVALID');
  });

  test('a secret stored in plain text before is encrypted at start, and keeps working', async () => {
    const { totp, generateSecret, encryptStoredTotpSecrets } = dist('security', 'totp');
    const account = await newAccount('totp-legacy');
    const secret = generateSecret();
    await app.strapi.db.connection(table(USER)).where({ id: account.id }).update({ totp_secret: secret, totp_enabled: true });
    expect(await encryptStoredTotpSecrets(app.strapi)).toBeGreaterThanOrEqual(1);
    const raw = await app.strapi.db.connection(table(USER)).where({ id: account.id }).first('totp_secret');
    expect(raw.totp_secret).toMatch(/^enc:v1:/);
    expect(raw.totp_secret).not.toContain(secret);
    await anonymous(app).post('/api/auth/login').send({ identifier: 'totp-legacy', password: account.password, totp: totp(secret) }).expect(200);
  });
});

describe('(h) refused password changes are audited (outcome failed, never a password)', () => {
  test('every refusal — policy, confirmation, wrong or missing current password, reuse — leaves one failed entry with its reason', async () => {
    const account = await newAccount('pw-refusals');
    const attempts: [string, Record<string, string>][] = [
      ['policy', { password: 'short' }],
      ['confirmation mismatch', { password: 'Another#Pass-2026', passwordConfirmation: 'Another#Pass-2027' }],
      ['current password wrong', { currentPassword: 'Wrong#Pass-2026x', password: 'Another#Pass-2026' }],
      ['reused', {}],
      ['current password missing', { currentPassword: '', password: 'Another#Pass-2026' }],
    ];
    const secrets = new Set<string>([account.password]);
    for (const [, body] of attempts) {
      const sent = { currentPassword: account.password, password: account.password, ...body };
      for (const value of Object.values(sent)) if (value) secrets.add(value);
      await anonymous(app).post('/api/auth/change-password').set(bearer(account.jwt)).send(sent).expect(400);
    }
    const rows = await auditRows({ action: 'password.change', actor_username: 'pw-refusals', outcome: 'failed' });
    const reasons = rows.map((row: any) => (typeof row.details === 'string' ? JSON.parse(row.details) : row.details).reason);
    expect(reasons).toEqual(attempts.map(([reason]) => reason));
    for (const secret of secrets) expect(JSON.stringify(rows)).not.toContain(secret);
    // the password did not change
    await anonymous(app).post('/api/auth/login').send({ identifier: 'pw-refusals', password: account.password }).expect(200);
  });
});
