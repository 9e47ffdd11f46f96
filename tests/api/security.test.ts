/**
 * Security: lockout (shared by two instances), password duties, rate limit, sessions,
 * TOTP, private-field filters, the audit trail and its immutability.
 */
import path from 'node:path';
import request from 'supertest';
import { bootStrapi, DEMO_PASSWORD, REPOSITORY_ROOT, type BootedApp } from '../helpers/boot';
import { anonymous, kindergartenId, login, DEMO } from '../helpers/api';
import { secondInstance } from '../helpers/second-instance';
import { residentId } from '../helpers/ids';
import { clearOfWindowEdge } from '../helpers/rate-limit';

const security = (name: string) => require(path.join(REPOSITORY_ROOT, 'cms', 'dist', 'src', 'security', name));
const config = require(path.join(REPOSITORY_ROOT, 'config', 'security.json'));
const PASSWORD = DEMO_PASSWORD;
const USER = 'plugin::users-permissions.user';

let app: BootedApp;
beforeAll(async () => { app = await bootStrapi(); }, 180_000);
afterAll(async () => { await app?.stop(); });
beforeEach(async () => { await security('rate-limit').resetRateLimits(); security('sessions').clearSessionCache(); });

const server = () => app.strapi.server.httpServer;
const userRow = (username: string) => app.strapi.db.query(USER).findOne({ where: { username } });
const setUser = (username: string, data: Record<string, unknown>) => app.strapi.db.query(USER).update({ where: { username }, data });
const auditRows = async (where: Record<string, unknown>) => {
  const { auditTable } = security('audit');
  return app.strapi.db.connection(auditTable(app.strapi)).where(where).orderBy('id', 'asc');
};

/** A fresh kindergarten account made by demo-county: its password is temporary. */
async function newKindergartenAccount(username: string) {
  const county = await login(app, 'demo-county');
  const created = await county.post('/api/accounts', { data: { username, fullName: '测试园长', institutionCode: DEMO.licheng[1] } }).expect(201);
  return created.body.data.temporaryPassword as string;
}

describe('failed logins', () => {
  test(`after ${config.lockout.maxFailures} failures the account is locked, even for the right password, on every login path`, async () => {
    const password = await newKindergartenAccount('lock-me');
    await setUser('lock-me', { mustChangePassword: false });
    for (let i = 0; i < config.lockout.maxFailures; i += 1) {
      const wrong = await anonymous(app).post('/api/auth/login').send({ identifier: 'lock-me', password: `Wrong#Pass${i}x` });
      expect(wrong.status).toBe(400);
    }
    const right = await anonymous(app).post('/api/auth/login').send({ identifier: 'lock-me', password });
    expect({ status: right.status, body: right.body }).toMatchObject({ status: 403 });
    expect(right.body.error.details.code).toBe('ACCOUNT_LOCKED');
    const row = await userRow('lock-me');
    expect(new Date(row.lockedUntil).getTime()).toBeGreaterThan(Date.now() + (config.lockout.lockMinutes - 1) * 60_000);
    const local = await anonymous(app).post('/api/auth/local').send({ identifier: 'lock-me', password: 'whatever' });
    expect(local.status).toBe(403);
    const failures = await auditRows({ action: 'login', outcome: 'failed', actor_username: 'lock-me' });
    expect(failures).toHaveLength(config.lockout.maxFailures);
    expect(await auditRows({ action: 'account.locked', actor_username: 'lock-me' })).toHaveLength(1);
  });

  test('a lock ends after its time; a success resets the count', async () => {
    await setUser('demo-kindergarten-2', { failedLogins: config.lockout.maxFailures - 1 });
    await login(app, 'demo-kindergarten-2');
    expect((await userRow('demo-kindergarten-2')).failedLogins).toBe(0);
    await setUser('demo-kindergarten-2', { lockedUntil: new Date(Date.now() - 1000) });
    await login(app, 'demo-kindergarten-2');
  });

  test('the count is in the database: failures on two instances add up to one lock', async () => {
    const other = await secondInstance(app);
    try {
      await setUser('demo-county-2', { failedLogins: 0, lockedUntil: null });
      const half = Math.ceil(config.lockout.maxFailures / 2);
      for (let i = 0; i < config.lockout.maxFailures; i += 1) {
        const target = i < half ? anonymous(app) : request(other.url);
        expect((await target.post('/api/auth/local').send({ identifier: 'demo-county-2', password: 'Wrong#Passw0rd' })).status).toBe(400);
      }
      const onOther = await request(other.url).post('/api/auth/local').send({ identifier: 'demo-county-2', password: PASSWORD });
      expect({ status: onOther.status, body: onOther.body }).toMatchObject({ status: 403 });
      const onFirst = await anonymous(app).post('/api/auth/local').send({ identifier: 'demo-county-2', password: PASSWORD });
      expect(onFirst.status).toBe(403);
    } finally {
      await other.stop();
      await setUser('demo-county-2', { failedLogins: 0, lockedUntil: null });
    }
  }, 180_000);

  test(`more than ${config.rateLimit.maxRequests} auth requests a window from one address get 429 with Retry-After`, async () => {
    let last: request.Response | undefined;
    await clearOfWindowEdge(config.rateLimit.windowSeconds, 20);
    for (let i = 0; i <= config.rateLimit.maxRequests; i += 1) {
      last = await anonymous(app).post('/api/auth/login').send({ identifier: `nobody-${i}`, password: 'Wrong#Passw0rd' });
      if (i < config.rateLimit.maxRequests) expect(last.status).toBe(400);
    }
    expect(last!.status).toBe(429);
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.stringify(last!.body)).not.toMatch(/nobody/);
  });
});

describe('passwords', () => {
  test('a new account must change its temporary password: every other route answers 403 until it does', async () => {
    const temporary = await newKindergartenAccount('first-login');
    const response = await anonymous(app).post('/api/auth/login').send({ identifier: 'first-login', password: temporary }).expect(200);
    expect(response.body).toMatchObject({ mustChangePassword: true, pending: ['password'] });
    const bearer = `Bearer ${response.body.jwt}`;
    const blocked = await anonymous(app).get('/api/kindergartens').set('Authorization', bearer).expect(403);
    expect(blocked.body.error.details.code).toBe('PASSWORD_CHANGE_REQUIRED');
    await anonymous(app).get('/ra/children').set('Authorization', bearer).expect(403);
    await anonymous(app).get('/api/me').set('Authorization', bearer).expect(200);
    const weak = await anonymous(app).post('/api/auth/change-password').set('Authorization', bearer).send({ currentPassword: temporary, password: 'abcdefghij' }).expect(400);
    expect(weak.body.error.details.errors[0].path).toEqual(['password']);
    const short = await anonymous(app).post('/api/auth/change-password').set('Authorization', bearer).send({ currentPassword: temporary, password: 'Ab#1' }).expect(400);
    expect(short.body.error.message).toMatch(String(config.password.minLength));
    const same = await anonymous(app).post('/api/auth/change-password').set('Authorization', bearer).send({ currentPassword: temporary, password: temporary }).expect(400);
    expect(same.body.error.message).toMatch(/最近/);
    const wrongCurrent = await anonymous(app).post('/api/auth/change-password').set('Authorization', bearer).send({ currentPassword: 'Not#The0ne!', password: 'Good#Passw0rd-1' }).expect(400);
    expect(wrongCurrent.body.error.details.errors[0].path).toEqual(['currentPassword']);
    await anonymous(app).post('/api/auth/change-password').set('Authorization', bearer).send({ currentPassword: temporary, password: 'Good#Passw0rd-1' }).expect(200);
    await anonymous(app).get('/api/kindergartens').set('Authorization', bearer).expect(200);
    const again = await anonymous(app).post('/api/auth/login').send({ identifier: 'first-login', password: 'Good#Passw0rd-1' }).expect(200);
    expect(again.body.mustChangePassword).toBe(false);
  });

  test(`none of the last ${config.password.historySize} passwords may come back`, async () => {
    let current = 'Good#Passw0rd-1';
    const used = [current];
    for (let i = 2; i <= config.password.historySize; i += 1) {
      const session = await anonymous(app).post('/api/auth/login').send({ identifier: 'first-login', password: current }).expect(200);
      const next = `Good#Passw0rd-${i}`;
      await anonymous(app).post('/api/auth/change-password').set('Authorization', `Bearer ${session.body.jwt}`).send({ currentPassword: current, password: next }).expect(200);
      current = next;
      used.push(next);
    }
    const session = await anonymous(app).post('/api/auth/login').send({ identifier: 'first-login', password: current }).expect(200);
    for (const old of used) {
      await anonymous(app).post('/api/auth/change-password').set('Authorization', `Bearer ${session.body.jwt}`).send({ currentPassword: current, password: old }).expect(400);
    }
  });

  test(`a password older than ${config.password.maxAgeDays} days must be changed; a reset forces a change too`, async () => {
    await setUser('demo-prefecture', { passwordChangedAt: new Date(Date.now() - (config.password.maxAgeDays + 1) * 86_400_000) });
    const expired = await anonymous(app).post('/api/auth/local').send({ identifier: 'demo-prefecture', password: PASSWORD });
    expect({ status: expired.status, body: expired.body }).toMatchObject({ status: 200 });
    expect(expired.body.mustChangePassword).toBe(true);
    await anonymous(app).get('/api/kindergartens').set('Authorization', `Bearer ${expired.body.jwt}`).expect(403);
    await setUser('demo-prefecture', { passwordChangedAt: new Date() });

    const county = await login(app, 'demo-county');
    const victim = await login(app, 'demo-kindergarten');
    const id = (await userRow('demo-kindergarten')).documentId;
    const reset = await county.post(`/api/accounts/${id}/reset-password`).expect(200);
    await victim.get('/api/kindergartens').expect(401); // the reset ended its sessions
    const forced = await anonymous(app).post('/api/auth/login').send({ identifier: 'demo-kindergarten', password: reset.body.data?.password ?? reset.body.password }).expect(200);
    expect(forced.body.mustChangePassword).toBe(true);
    await app.strapi.plugin('users-permissions').service('user').edit((await userRow('demo-kindergarten')).id, { password: PASSWORD });
    await setUser('demo-kindergarten', { mustChangePassword: false, passwordChangedAt: new Date(), passwordHistory: [] });
  });

  test("Strapi's own password routes are closed", async () => {
    await anonymous(app).post('/api/auth/forgot-password').send({ email: 'demo-county@accounts.invalid' }).expect((r) => expect([403, 404, 405]).toContain(r.status));
    await anonymous(app).post('/api/auth/reset-password').send({ code: 'x', password: 'Good#Passw0rd-9', passwordConfirmation: 'Good#Passw0rd-9' }).expect((r) => expect([400, 403, 404, 405]).toContain(r.status));
  });
});

describe('sessions', () => {
  test('refresh rotates the token; a rotated token used again revokes the session', async () => {
    const first = await anonymous(app).post('/api/auth/login').send({ identifier: 'demo-county', password: PASSWORD }).expect(200);
    expect(first.body.expiresIn).toBe(config.session.accessTokenMinutes * 60);
    const second = await anonymous(app).post('/api/auth/refresh').send({ refreshToken: first.body.refreshToken }).expect(200);
    expect(second.body.refreshToken).not.toBe(first.body.refreshToken);
    await anonymous(app).get('/api/kindergartens').set('Authorization', `Bearer ${second.body.jwt}`).expect(200);
    const replay = await anonymous(app).post('/api/auth/refresh').send({ refreshToken: first.body.refreshToken }).expect(401);
    expect(replay.body.error.details.code).toBe('REFRESH_TOKEN_REUSED');
    await anonymous(app).get('/api/kindergartens').set('Authorization', `Bearer ${second.body.jwt}`).expect(401);
    await anonymous(app).post('/api/auth/refresh').send({ refreshToken: second.body.refreshToken }).expect(401);
    const stored = await app.strapi.db.query('api::auth-session.auth-session').findMany({});
    expect(JSON.stringify(stored)).not.toContain(first.body.refreshToken);
  });

  test('logout revokes the session at once', async () => {
    const session = await login(app, 'demo-county');
    await session.get('/api/kindergartens').expect(200);
    await session.post('/api/auth/logout').expect(200);
    const after = await session.get('/api/kindergartens').expect(401);
    expect(after.body.error.details.code).toBe('SESSION_REVOKED');
    expect((await auditRows({ action: 'logout', actor_username: 'demo-county' })).length).toBeGreaterThan(0);
  });

  test(`a session idle for more than ${config.session.idleMinutes} minutes ends`, async () => {
    const session = await login(app, 'demo-county');
    const { id } = JSON.parse(Buffer.from(session.jwt.split('.')[1], 'base64url').toString());
    const sid = JSON.parse(Buffer.from(session.jwt.split('.')[1], 'base64url').toString()).sid;
    expect(id).toBeDefined();
    await app.strapi.db.query('api::auth-session.auth-session').update({ where: { id: sid }, data: { lastSeenAt: new Date(Date.now() - (config.session.idleMinutes + 1) * 60_000) } });
    security('sessions').clearSessionCache();
    const idle = await session.get('/api/kindergartens').expect(401);
    expect(idle.body.error.details.code).toBe('SESSION_IDLE');
  });

  test('a token without a session (signed with the right secret) is refused', async () => {
    const jwt = require('jsonwebtoken').sign({ id: (await userRow('demo-county')).id }, require(path.join(REPOSITORY_ROOT, 'cms', 'dist', 'src', 'runtime', 'secrets')).loadSecrets().JWT_SECRET);
    await anonymous(app).get('/api/kindergartens').set('Authorization', `Bearer ${jwt}`).expect(401);
  });
});

describe('second factor (TOTP)', () => {
  test('a new province account must enrol; afterwards every login needs a code', async () => {
    const { totp } = security('totp');
    const ministry = await login(app, 'demo-ministry');
    const created = await ministry.post('/api/accounts', { data: { username: 'jiangxi', fullName: '江西省教育厅', regionCode: '360000' } }).expect(201);
    const temporary = created.body.data.temporaryPassword;
    const first = await anonymous(app).post('/api/auth/login').send({ identifier: 'jiangxi', password: temporary }).expect(200);
    expect(first.body.pending).toEqual(['password', 'totp']);
    const bearer = `Bearer ${first.body.jwt}`;
    await anonymous(app).post('/api/auth/change-password').set('Authorization', bearer).send({ currentPassword: temporary, password: 'Gan#Edu-2026x' }).expect(200);
    const still = await anonymous(app).get('/api/kindergartens').set('Authorization', bearer).expect(403);
    expect(still.body.error.details.code).toBe('TOTP_ENROLMENT_REQUIRED');
    const setup = await anonymous(app).post('/api/auth/totp/setup').set('Authorization', bearer).expect(200);
    expect(setup.body.otpauthUri).toMatch(/^otpauth:\/\/totp\/.+secret=[A-Z2-7]+/);
    await anonymous(app).post('/api/auth/totp/enable').set('Authorization', bearer).send({ code: '000000' === totp(setup.body.secret) ? '111111' : '000000' }).expect(400);
    await anonymous(app).post('/api/auth/totp/enable').set('Authorization', bearer).send({ code: totp(setup.body.secret) }).expect(200);
    await anonymous(app).get('/api/kindergartens').set('Authorization', bearer).expect(200);
    const noCode = await anonymous(app).post('/api/auth/login').send({ identifier: 'jiangxi', password: 'Gan#Edu-2026x' }).expect(400);
    expect(noCode.body.error.details.code).toBe('TOTP_REQUIRED');
    const wrongCode = await anonymous(app).post('/api/auth/login').send({ identifier: 'jiangxi', password: 'Gan#Edu-2026x', totp: '12345x' }).expect(400);
    expect(wrongCode.body.error.details.code).toBe('TOTP_INVALID');
    const ok = await anonymous(app).post('/api/auth/login').send({ identifier: 'jiangxi', password: 'Gan#Edu-2026x', totp: totp(setup.body.secret) }).expect(200);
    expect(ok.body.pending).toEqual([]);
    const me = await anonymous(app).get('/api/users/me').set('Authorization', `Bearer ${ok.body.jwt}`);
    expect(JSON.stringify(me.body)).not.toMatch(/totpSecret|passwordHistory|failedLogins/);
  });

  test('RFC 6238 test vector (SHA-1, 8 digits at 59 s)', () => {
    const { hotp, base32Encode } = security('totp');
    const secret = base32Encode(Buffer.from('12345678901234567890'));
    expect(hotp(secret, 1, 8)).toBe('94287082');
    expect(hotp(secret, Math.floor(1111111109 / 30), 8)).toBe('07081804');
  });
});

describe('private fields', () => {
  test.each([
    '/api/kindergartens?filters[createdBy][password][$startsWith]=$2',
    '/api/kindergartens?filters[updatedBy][email][$contains]=a',
    '/api/children?filters[idNumber][$startsWith]=35',
    '/api/children?filters[idKey][$notNull]=true',
    '/api/children?sort=idNumber:asc',
    '/ra/children?filter=%7B%22idNumber%22%3A%2235%22%7D',
  ])('%s answers 400 and leaks nothing', async (url) => {
    const county = await login(app, 'demo-county');
    const response = await county.get(url);
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body)).not.toMatch(/\$2[aby]\$|"data":\[\{/);
  });
});

describe('audit trail', () => {
  test('logins, record changes with before and after, decisions and account changes are recorded with who, when and where', async () => {
    const county = await login(app, 'demo-county');
    await county.post('/api/accounts', { data: { username: 'audited-account', fullName: '审计测试', institutionCode: DEMO.licheng[2] } }).expect(201);
    const id = await kindergartenId(app, DEMO.licheng[0]);
    await county.put(`/api/kindergartens/${id}`, { data: { phone: '0595-22999999' } }).expect(200);
    const [change] = await auditRows({ action: 'record.update', target_id: id });
    expect(change).toMatchObject({ actor_username: 'demo-county', actor_level: 'county', target_type: 'api::kindergarten.kindergarten', outcome: 'ok' });
    expect(change.ip).toBeTruthy();
    const details = typeof change.details === 'string' ? JSON.parse(change.details) : change.details;
    expect(details.before.phone).not.toBe('0595-22999999');
    expect(details.after.phone).toBe('0595-22999999');
    expect((await auditRows({ action: 'login', outcome: 'ok', actor_username: 'demo-county' })).length).toBeGreaterThan(0);
    expect((await auditRows({ action: 'account.create', actor_username: 'demo-county' })).length).toBeGreaterThan(0);
    expect(JSON.stringify(await auditRows({}))).not.toMatch(/\$2[aby]\$|Good#Passw0rd|Demo#Passw0rd/);
  });

  test('the audit administrator reads the trail; others may not; no route changes it', async () => {
    const county = await login(app, 'demo-county');
    await county.get('/api/audit-entries').expect(403);
    await county.put('/api/audit-entries/1', {}).expect((r) => expect([403, 404, 405]).toContain(r.status));
  });

  test('entries cannot be changed or deleted, even by SQL', async () => {
    const { auditTable } = security('audit');
    if (app.strapi.db.dialect.client === 'sqlite') {
      // straight at the database file, on a connection of its own (not the app's pool): the triggers
      // of the file refuse it, whoever asks
      const Database = require('better-sqlite3');
      const db = new Database(app.strapi.config.get('database.connection.connection.filename'));
      try {
        db.pragma('busy_timeout = 10000');
        const names = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_entries' ORDER BY name`).all().map((row: any) => row.name);
        expect(names).toEqual(['audit_entries_no_delete', 'audit_entries_no_update']);
        const { lastInsertRowid: id } = db.prepare(`INSERT INTO audit_entries (at, action, outcome) VALUES (?, 'test.immutable', 'ok')`).run(Date.now());
        expect(() => db.prepare(`UPDATE audit_entries SET action = 'forged' WHERE id = ?`).run(id)).toThrow(/append-only/);
        expect(() => db.prepare('DELETE FROM audit_entries WHERE id = ?').run(id)).toThrow(/append-only/);
        expect(db.prepare('SELECT action FROM audit_entries WHERE id = ?').get(id)).toEqual({ action: 'test.immutable' });
      } finally {
        db.close();
      }
      return;
    }
    const table = auditTable(app.strapi);
    // one connection throughout (a transaction; each attempt inside a savepoint rolled back after it),
    // so the row is surely there when the UPDATE and DELETE are tried
    await app.strapi.db.connection.transaction(async (trx: any) => {
      const [{ id }] = await trx(table).insert({ at: new Date(), action: 'test.immutable', outcome: 'ok' }).returning('id');
      expect(await trx(table).where({ id }).select('action')).toEqual([{ action: 'test.immutable' }]);
      for (const attempt of [
        () => trx(table).where({ id }).update({ action: 'forged' }),
        () => trx(table).where({ id }).del(),
      ]) {
        await trx.raw('SAVEPOINT immutable_attempt');
        await expect(attempt()).rejects.toThrow(/append-only/);
        await trx.raw('ROLLBACK TO SAVEPOINT immutable_attempt');
      }
      expect(await trx(table).where({ id }).select('action')).toEqual([{ action: 'test.immutable' }]);
    });
  });

  (process.env.DATABASE_URL ? test : test.skip)('PostgreSQL: the table is partitioned by month', async () => {
    const result = await app.strapi.db.connection.raw(
      `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace n ON n.oid = p.relnamespace WHERE p.relname = 'audit_entries' AND n.nspname = ?`, [app.schema]);
    const month = new Date().toISOString().slice(0, 7).replace('-', '');
    expect(result.rows.map((r: any) => r.relname)).toEqual(expect.arrayContaining([`audit_entries_${month}`, 'audit_entries_default']));
  });
});

describe('三员: separate system, security and audit administrators', () => {
  test('the audit administrator reads the trail and nothing else', async () => {
    const auditor = await login(app, 'demo-auditadmin');
    const trail = await auditor.get('/api/audit-entries?filters[action]=login&sort=at:desc&pagination[limit]=5').expect(200);
    expect(trail.body.data.length).toBeGreaterThan(0);
    expect(trail.body.data.every((entry: any) => entry.action.includes('login'))).toBe(true);
    expect(trail.body.meta.pagination.total).toBeGreaterThan(0);
    await auditor.get(`/api/audit-entries/${trail.body.data[0].id}`).expect(200);
    const ra = await auditor.get('/ra/audit-entries?range=[0,9]&sort=["at","DESC"]').expect(200);
    expect(ra.headers['content-range']).toMatch(/\/\d+$/);
    for (const url of ['/api/kindergartens', '/api/children', '/api/accounts', '/api/security/policy', '/api/statistics']) {
      expect([403, 404]).toContain((await auditor.get(url)).status);
    }
    expect((await auditRows({ action: 'pii.read' })).length).toBeGreaterThanOrEqual(0);
  });

  test('the system administrator manages accounts, not the trail nor the data', async () => {
    const admin = await login(app, 'demo-sysadmin');
    const list = await admin.get('/api/accounts?pagination[limit]=100').expect(200);
    expect(list.body.data.map((a: any) => a.username)).toEqual(expect.arrayContaining(['demo-county', 'demo-ministry']));
    expect(list.body.data.map((a: any) => a.username)).not.toContain('demo-auditadmin');
    await admin.get('/api/audit-entries').expect(403);
    await admin.get('/api/kindergartens').expect(403);
  });

  test('the security administrator reads the policies, not the trail nor the accounts', async () => {
    const admin = await login(app, 'demo-secadmin');
    const policy = await admin.get('/api/security/policy').expect(200);
    expect(policy.body.data.lockout.maxFailures).toBe(config.lockout.maxFailures);
    await admin.get('/api/audit-entries').expect(403);
    await admin.get('/api/accounts').expect(403);
  });
});

describe('HTTP', () => {
  test('security headers on every answer', async () => {
    const response = await anonymous(app).get('/api/health');
    expect(response.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(response.headers['content-security-policy']).toMatch(/object-src 'none'/);
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['strict-transport-security']).toMatch(/max-age=31536000/);
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['x-powered-by']).toBeUndefined();
  });

  test('CORS answers only the configured origins', async () => {
    const foreign = await anonymous(app).options('/api/kindergartens').set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'GET');
    expect(foreign.headers['access-control-allow-origin']).not.toBe('https://evil.example');
    const panel = await anonymous(app).options('/api/kindergartens').set('Origin', config.http.corsOrigins[0]).set('Access-Control-Request-Method', 'GET');
    expect(panel.headers['access-control-allow-origin']).toBe(config.http.corsOrigins[0]);
  });

  test('uploads are limited by type and size (upload plugin configuration)', () => {
    expect(app.strapi.config.get('plugin::upload.sizeLimit')).toBe(config.http.uploadMaxBytes);
    expect((app.strapi.config.get(['plugin::upload', 'security']) as any).allowedTypes).toEqual(config.http.uploadTypes);
  });
});

describe('encryption at rest of ID numbers', () => {
  test('a direct SQL read shows no plain ID number; the API still reads, checks duplicates and audits full reads', async () => {
    const kindergarten = await login(app, 'demo-kindergarten');
    const classId = (await kindergarten.get('/api/school-classes?filters[name][$eq]=小一班').expect(200)).body.data[0].documentId;
    const idNumber = residentId('350502', '20220411', '035');
    const guardianId = residentId('350502', '19880808', '027');
    const data = {
      name: '陈小安', idType: '1', idNumber, birthPlace: '350502', nativePlace: '福建泉州', ethnicity: '01', nationality: '156', overseasChinese: '00', health: '10',
      householdRegion: '350502', householdType: '2', address: '鲤城区中山路 2 号', phone: '13800000000', enrolledOn: '2025-09-01', enrollmentMode: '1', onlyChild: true,
      schoolClass: classId, guardians: [{ name: '陈大安', relation: '1', idType: '1', idNumber: guardianId, phone: '13800000001' }],
    };
    const created = await kindergarten.post('/api/children', { data }).expect(201);
    const id = created.body.data.documentId;
    const knex = app.strapi.db.connection;
    const table = (name: string) => (app.schema ? `${app.schema}.${name}` : name);
    const [row] = await knex(table('children')).where({ document_id: id }).select('id_number');
    expect(row.id_number).toMatch(/^enc:v1:/);
    const everything = JSON.stringify(await knex(table('children')).select('*')) + JSON.stringify(await knex(table(app.strapi.db.metadata.get('family.guardian' as any).tableName)).select('*'));
    expect(everything).not.toContain(idNumber);
    expect(everything).not.toContain(guardianId);
    // the owner reads the full number (and the read is audited); the duplicate check still finds it
    const full = await kindergarten.get(`/api/children/${id}`).expect(200);
    expect(JSON.stringify(full.body)).toContain(idNumber);
    expect((await auditRows({ action: 'pii.read', target_id: id })).length).toBeGreaterThan(0);
    expect(JSON.stringify(await auditRows({}))).not.toContain(idNumber);
    await kindergarten.post('/api/children', { data: { ...data, name: '陈小安二' } }).expect(409);
  });

  test('without the right key the server refuses to start', async () => {
    const pii = security('pii');
    const other = require('node:crypto').randomBytes(32);
    const sealed = pii.encryptValue('350502202204110351', other);
    expect(() => pii.decryptValue(sealed)).toThrow();
    const table = app.schema ? `${app.schema}.children` : 'children';
    const rows = await app.strapi.db.connection(table).whereNotNull('id_number').select('id', 'id_number');
    expect(rows.length).toBeGreaterThan(0);
    await app.strapi.db.connection(table).whereIn('id', rows.map((r: any) => r.id)).update({ id_number: sealed });
    try {
      await expect(pii.setupPiiEncryption(app.strapi)).rejects.toThrow(/Refusing to start/);
    } finally {
      for (const row of rows) await app.strapi.db.connection(table).where({ id: row.id }).update({ id_number: row.id_number });
    }
  });
});

describe('delegation instead of lending a password', () => {
  test('asked by the user, consented by the system administrator, bounded in time; actions record both people; revoking ends it', async () => {
    const county = await login(app, 'demo-county');
    const created = await county.post('/api/accounts', { data: { username: 'deputy-licheng', fullName: '副园长', institutionCode: DEMO.licheng[0] } }).expect(201);
    const deputy = await login(app, 'deputy-licheng', created.body.data.temporaryPassword);
    const owner = await login(app, 'demo-kindergarten');
    const endsAt = new Date(Date.now() + 2 * 3_600_000).toISOString();
    await owner.post('/api/delegations', { data: { delegate: 'demo-kindergarten-2', endsAt, reason: '休假' } }).expect(400); // another kindergarten
    await owner.post('/api/delegations', { data: { delegate: 'deputy-licheng', endsAt: new Date(Date.now() + 90 * 86_400_000).toISOString(), reason: '休假' } }).expect(400);
    const asked = await owner.post('/api/delegations', { data: { delegate: 'deputy-licheng', endsAt, reason: '园长休假两小时' } }).expect(201);
    const id = asked.body.data.id;
    expect(asked.body.data.state).toBe('requested');
    await deputy.post('/api/auth/act-as', { delegation: id }).expect(403); // not consented yet
    await owner.post(`/api/delegations/${id}/approve`).expect(403); // nobody consents to their own
    const admin = await login(app, 'demo-sysadmin');
    await admin.post(`/api/delegations/${id}/approve`).expect(200);
    await admin.post(`/api/delegations/${id}/approve`).expect(409);
    const acting = await deputy.post('/api/auth/act-as', { delegation: id }).expect(200);
    expect(acting.body.actingFor).toBe('demo-kindergarten');
    const as = (test: request.Test) => test.set('Authorization', `Bearer ${acting.body.jwt}`);
    const kindergarten = await kindergartenId(app, DEMO.licheng[0]);
    await as(request(server()).put(`/api/kindergartens/${kindergarten}`).send({ data: { phone: '0595-22888888' } })).expect(200);
    const [entry] = await auditRows({ action: 'record.update', target_id: kindergarten, actor_username: 'deputy-licheng' });
    expect(entry).toMatchObject({ actor_username: 'deputy-licheng', on_behalf_of_username: 'demo-kindergarten' });
    await as(request(server()).post('/api/auth/change-password').send({ currentPassword: PASSWORD, password: 'Taken#Over-2026' })).expect(403);
    await as(request(server()).post('/api/delegations').send({ data: { delegate: 'deputy-licheng', endsAt, reason: 'x' } })).expect(403);
    await owner.post(`/api/delegations/${id}/revoke`).expect(200);
    await as(request(server()).get('/api/kindergartens')).expect(401);
    await deputy.post('/api/auth/act-as', { delegation: id }).expect(403);
    expect((await auditRows({ action: 'delegation.decision' })).length).toBeGreaterThanOrEqual(2);
  });
});

describe('uploaded evidence', () => {
  test('is not public: /uploads answers 404; readers in reach get a signed, short-lived link; others get nothing', async () => {
    const kindergarten = await login(app, 'demo-kindergarten');
    const subjectId = await kindergartenId(app, DEMO.licheng[0]);
    const created = await kindergarten.post('/api/requests', { data: { type: 'kindergarten-key-change', subjectId, changes: { name: '泉州市鲤城区实验幼儿园（证据测试）' } } }).expect(201);
    const id = created.body.data.id;
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
    const uploaded = await kindergarten.post(`/api/requests/${id}/evidence`).attach('files', png, { filename: 'licence.png', contentType: 'image/png' }).expect(200);
    const url: string = uploaded.body.data.evidence[0].url;
    expect(url).toMatch(/^\/api\/files\/[^?]+\?exp=\d+&sig=/);
    const name = decodeURIComponent(url.split('/api/files/')[1].split('?')[0]);
    await anonymous(app).get(`/uploads/${name}`).expect(404);
    const file = await anonymous(app).get(url).expect(200);
    expect(file.headers['content-type']).toBe('image/png');
    await anonymous(app).get(url.replace(/sig=[^&]+/, 'sig=forged')).expect(404);
    await anonymous(app).get(url.replace(/exp=\d+/, `exp=${Math.floor(Date.now() / 1000) - 1}`)).expect(404);
    const county = await login(app, 'demo-county');
    expect((await county.get(`/api/requests/${id}`).expect(200)).body.data.evidence[0].url).toMatch(/^\/api\/files\//);
    await (await login(app, 'demo-county-2')).get(`/api/requests/${id}`).expect(404);
    // the county's decision is in the trail
    const decided = await county.post(`/api/requests/${id}/reject`, { data: { comment: '材料不全' } });
    expect(decided.status).toBe(200);
    const [decision] = await auditRows({ action: 'request.decision', target_id: id });
    expect(decision).toMatchObject({ actor_username: 'demo-county', outcome: 'ok' });
  });
});

describe('permission changes', () => {
  test('the roles synchronised from config/roles.json at start are in the audit trail', async () => {
    const synced = await auditRows({ action: 'permission.sync', target_id: 'auditadmin' });
    expect(synced.length).toBeGreaterThan(0);
    const details = typeof synced[0].details === 'string' ? JSON.parse(synced[0].details) : synced[0].details;
    expect(details.added).toContain('api::audit-entry.audit-entry.find');
    expect(synced[0].actor_username).toBe('system:config/roles.json');
  });
});
