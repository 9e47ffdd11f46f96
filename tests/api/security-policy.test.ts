/**
 * 三员: the security administrator edits the security policy (安全策略) and nobody else.
 * A change counts at once without a restart (the lockout, the password rules), on this instance and
 * on a second one; values outside the bounds or below the MLPS level 3 floor answer 400 naming the
 * field and store nothing; every change is audited with before/after.
 */
import path from 'node:path';
import request from 'supertest';
import { bootStrapi, DEMO_PASSWORD, REPOSITORY_ROOT, type BootedApp } from '../helpers/boot';
import { anonymous, login, DEMO, type Session } from '../helpers/api';
import { secondInstance } from '../helpers/second-instance';

const security = (name: string) => require(path.join(REPOSITORY_ROOT, 'cms', 'dist', 'src', 'security', name));
const defaults = require(path.join(REPOSITORY_ROOT, 'config', 'security.json'));
const USER = 'plugin::users-permissions.user';

let app: BootedApp;
let secadmin: Session;

const setUser = (username: string, data: Record<string, unknown>) => app.strapi.db.query(USER).update({ where: { username }, data });
const userRow = (username: string) => app.strapi.db.query(USER).findOne({ where: { username } });
async function auditRows(action: string): Promise<any[]> {
  const rows = await app.strapi.db.connection(security('audit').auditTable(app.strapi)).where({ action }).orderBy('id', 'asc');
  return rows.map((row: any) => ({ ...row, details: typeof row.details === 'string' ? JSON.parse(row.details) : row.details }));
}
const policyRow = () => app.strapi.db.query('api::security-policy.security-policy').findOne({ where: { scope: 'deployment' } });
const wrongLogin = (username: string, i: number) => anonymous(app).post('/api/auth/login').send({ identifier: username, password: `Wrong#Pass${i}x` });

beforeAll(async () => {
  app = await bootStrapi();
  secadmin = await login(app, 'demo-secadmin');
}, 180_000);
afterAll(async () => {
  // restore the defaults even when a test failed half-way
  await app?.strapi.db.query('api::security-policy.security-policy').deleteMany({ where: {} }).catch(() => undefined);
  await app?.stop();
});
beforeEach(async () => { await security('rate-limit').resetRateLimits(); });

describe('who reads and changes the policy', () => {
  test('the security administrator reads the policy in force, its defaults, bounds and choices', async () => {
    const view = (await secadmin.get('/api/security-policy').expect(200)).body.data;
    expect(view.policy).toMatchObject({
      'password.minLength': defaults.password.minLength, 'password.minKinds': defaults.password.minKinds,
      'lockout.maxFailures': defaults.lockout.maxFailures, 'session.idleMinutes': defaults.session.idleMinutes,
      'totp.requiredRoles': defaults.totp.requiredRoles,
    });
    expect(view.defaults).toEqual(view.policy);
    expect(view.changed).toEqual([]);
    expect(view.fields.find((f: any) => f.key === 'lockout.maxFailures')).toMatchObject({ min: 3, max: 20, level3Max: 10 });
    expect(view.choices.levels.map((l: any) => l.key)).toEqual(['ministry', 'province', 'prefecture', 'county', 'institution']);
    expect(view.choices.adminRoles.map((r: any) => r.key)).toEqual(['sysadmin', 'secadmin', 'auditadmin']);
    // no secret, no key, no encryption or audit settings in the editable part
    expect(Object.keys(view.policy).every((key) => /^(password|lockout|session|rateLimit|totp)\./.test(key))).toBe(true);
    expect(JSON.stringify(view)).not.toMatch(/JWT_SECRET|PII_|encryption|secrets\.json|"fields":\{"api::/);
  });

  test('every other role and level: 403 on PUT (and on GET), nothing stored', async () => {
    for (const username of ['demo-sysadmin', 'demo-auditadmin', 'demo-ministry', 'demo-province', 'demo-prefecture', 'demo-county', 'demo-kindergarten']) {
      await security('rate-limit').resetRateLimits();
      const other = await login(app, username);
      await other.put('/api/security-policy', { data: { lockout: { maxFailures: 3 } } }).expect(403);
      await other.get('/api/security-policy').expect(403);
    }
    await anonymous(app).put('/api/security-policy').send({ data: { lockout: { maxFailures: 3 } } }).expect(403);
    expect(await policyRow()).toBeNull();
    expect(await auditRows('policy.change')).toHaveLength(0);
  });
});

describe('bounds and the level 3 floor', () => {
  test.each([
    ['lockout.maxFailures', { lockout: { maxFailures: 15 } }, /登录失败锁定次数不能超过 10.*等保三级/],
    ['lockout.maxFailures', { lockout: { maxFailures: 2 } }, /登录失败锁定次数须为 3–20 的整数/],
    ['password.minLength', { password: { minLength: 6 } }, /密码最小长度须为 8–64 的整数/],
    ['password.minKinds', { password: { minKinds: 2 } }, /密码字符种类不能低于 3.*等保三级/],
    ['password.maxAgeDays', { password: { maxAgeDays: 0 } }, /密码有效期.*不能永不过期/],
    ['session.idleMinutes', { session: { idleMinutes: 60 } }, /空闲超时.*不能超过 30/],
    ['session.accessTokenMinutes', { session: { accessTokenMinutes: '15' } }, /访问令牌有效期.*5–60 的整数/],
    ['totp.requiredRoles', { totp: { requiredRoles: ['sysadmin', 'auditadmin'] } }, /须包含 secadmin.*三员/],
    ['totp.requiredLevels', { totp: { requiredLevels: ['province', 'school'] } }, /没有 school/],
    ['audit.retentionDays', { audit: { retentionDays: 1 } }, /不是可修改的安全策略项/],
    ['encryption', { encryption: null }, /不是可修改的安全策略项/],
  ])('%s: %j → 400 naming the field, nothing stored', async (field, data, message) => {
    const answer = await secadmin.put('/api/security-policy', { data }).expect(400);
    const errors = answer.body.error.details.errors;
    expect(errors.map((e: any) => e.path.join('.'))).toEqual([field]);
    expect(errors[0].message).toMatch(message);
    expect(answer.body.error.message).toMatch(message);
    expect(JSON.stringify(answer.body)).not.toMatch(/at .*\.js:\d+/); // no stack trace
    expect(await policyRow()).toBeNull();
    expect(security('config').securityConfig().lockout.maxFailures).toBe(defaults.lockout.maxFailures);
  });

  test('one good and one bad field: both refused, the bad one named, nothing stored', async () => {
    const answer = await secadmin.put('/api/security-policy', { data: { lockout: { maxFailures: 4 }, session: { idleMinutes: 31 } } }).expect(400);
    expect(answer.body.error.details.errors.map((e: any) => e.path.join('.'))).toEqual(['session.idleMinutes']);
    expect(await policyRow()).toBeNull();
    expect(await auditRows('policy.change')).toHaveLength(0);
  });
});

describe('a change counts at once, without a restart', () => {
  test('lockout failures 5 → 3: the third failed login locks the account; audited before/after', async () => {
    const changed = (await secadmin.put('/api/security-policy', { data: { lockout: { maxFailures: 3 } } }).expect(200)).body.data;
    expect(changed.policy['lockout.maxFailures']).toBe(3);
    expect(changed.changed).toEqual(['lockout.maxFailures']);
    expect(changed.changedBy).toBe('demo-secadmin');
    const audit = await auditRows('policy.change');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor_username: 'demo-secadmin', outcome: 'ok', target_id: 'deployment',
      details: { before: { 'lockout.maxFailures': defaults.lockout.maxFailures }, after: { 'lockout.maxFailures': 3 } },
    });

    await setUser('demo-kindergarten-2', { failedLogins: 0, lockedUntil: null });
    for (let i = 0; i < 2; i += 1) await wrongLogin('demo-kindergarten-2', i).expect(400);
    expect((await userRow('demo-kindergarten-2')).lockedUntil).toBeNull();
    await wrongLogin('demo-kindergarten-2', 2).expect(400);
    const locked = await anonymous(app).post('/api/auth/login').send({ identifier: 'demo-kindergarten-2', password: DEMO_PASSWORD }).expect(403);
    expect(locked.body.error.details.code).toBe('ACCOUNT_LOCKED');
    const lockAudit = (await auditRows('account.locked')).filter((row) => row.actor_username === 'demo-kindergarten-2');
    expect(lockAudit.at(-1).details).toMatchObject({ failures: 3 });
    await setUser('demo-kindergarten-2', { failedLogins: 0, lockedUntil: null });
  });

  test('password minimum length 12: enforced at the next password change', async () => {
    await secadmin.put('/api/security-policy', { data: { password: { minLength: 12 } } }).expect(200);
    // the forced change-password page states the rules in force, to anyone (they are not secret)
    const rules = await anonymous(app).get('/api/auth/password-rules').expect(200);
    expect(rules.body.data).toEqual({ minLength: 12, minKinds: 3, historySize: 5, maxAgeDays: expect.any(Number) });
    const county = await login(app, 'demo-county');
    const created = await county.post('/api/accounts', { data: { username: 'policy-len', fullName: '策略测试', institutionCode: DEMO.licheng[1] } }).expect(201);
    const first = await anonymous(app).post('/api/auth/login').send({ identifier: 'policy-len', password: created.body.data.temporaryPassword }).expect(200);
    expect(first.body.mustChangePassword).toBe(true);
    // …and to a session that must change its password first (the page that asks for it reads them)
    await anonymous(app).get('/api/auth/password-rules').set('Authorization', `Bearer ${first.body.jwt}`).expect(200);
    const change = (password: string) => anonymous(app).post('/api/auth/change-password').set('Authorization', `Bearer ${first.body.jwt}`)
      .send({ currentPassword: created.body.data.temporaryPassword, password });
    const short = await change('Abcdef#1234').expect(400); // 11 characters, 4 kinds: fine under the default 10
    expect(short.body.error.details.errors[0]).toMatchObject({ path: ['password'], message: '密码至少 12 位' });
    await change('Abcdef#12345').expect(200);
  });

  test('the second factor required of one more level: a county account must enrol at its next login', async () => {
    const prefecture = await login(app, 'demo-prefecture');
    const created = await prefecture.post('/api/accounts', { data: { username: 'policy-totp', fullName: '双因素测试', regionCode: '350502' } }).expect(201);
    const temporary = created.body.data.temporaryPassword;
    const before = await anonymous(app).post('/api/auth/login').send({ identifier: 'policy-totp', password: temporary }).expect(200);
    expect(before.body.pending).toEqual(['password']);
    await secadmin.put('/api/security-policy', { data: { totp: { requiredLevels: ['ministry', 'province', 'county'] } } }).expect(200);
    const after = await anonymous(app).post('/api/auth/login').send({ identifier: 'policy-totp', password: temporary }).expect(200);
    expect(after.body.pending).toEqual(['password', 'totp']);
    await secadmin.put('/api/security-policy', { data: { totp: { requiredLevels: defaults.totp.requiredLevels } } }).expect(200);
  });

  test('a second instance applies the policy at its start and follows a change within its refresh', async () => {
    const other = await secondInstance(app);
    try {
      await setUser('demo-county-2', { failedLogins: 0, lockedUntil: null });
      for (let i = 0; i < 3; i += 1) await request(other.url).post('/api/auth/login').send({ identifier: 'demo-county-2', password: `Wrong#Pass${i}x` }).expect(400);
      const locked = await request(other.url).post('/api/auth/login').send({ identifier: 'demo-county-2', password: DEMO_PASSWORD }).expect(403);
      expect(locked.body.error.details.code).toBe('ACCOUNT_LOCKED');
      await setUser('demo-county-2', { failedLogins: 0, lockedUntil: null });

      const there = await request(other.url).post('/api/auth/login').send({ identifier: 'demo-secadmin', password: DEMO_PASSWORD }).expect(200);
      const readThere = async () => (await request(other.url).get('/api/security-policy').set('Authorization', `Bearer ${there.body.jwt}`).expect(200)).body.data.policy;
      expect((await readThere())['password.minLength']).toBe(12);
      await secadmin.put('/api/security-policy', { data: { lockout: { maxFailures: 4 } } }).expect(200);
      let seen = 0;
      for (let i = 0; i < 30 && seen !== 4; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        seen = (await readThere())['lockout.maxFailures'];
      }
      expect(seen).toBe(4);
    } finally {
      await other.stop();
    }
  }, 180_000);

  test('restoring the defaults: the file counts again, audited', async () => {
    await secadmin.put('/api/security-policy', { data: { restoreDefaults: true, lockout: { maxFailures: 4 } } }).expect(400);
    const restored = (await secadmin.put('/api/security-policy', { data: { restoreDefaults: true } }).expect(200)).body.data;
    expect(restored.policy).toEqual(restored.defaults);
    expect(restored.changed).toEqual([]);
    expect(security('config').securityConfig().lockout.maxFailures).toBe(defaults.lockout.maxFailures);
    expect(security('config').securityConfig().password.minLength).toBe(defaults.password.minLength);
    const last = (await auditRows('policy.change')).at(-1);
    expect(last.details).toMatchObject({
      restoreDefaults: true,
      before: { 'lockout.maxFailures': 4, 'password.minLength': 12 },
      after: { 'lockout.maxFailures': defaults.lockout.maxFailures, 'password.minLength': defaults.password.minLength },
    });
    // a value equal to the file's stores no edit
    await secadmin.put('/api/security-policy', { data: { session: { idleMinutes: defaults.session.idleMinutes } } }).expect(200);
    expect((await policyRow()).settings).toEqual({});
  });
});
