/**
 * Strapi's own admin (cms/src/security/strapi-admin.ts): nobody claims the super admin of a fresh
 * instance from the network (POST /admin/register-admin is refused in every spelling); the first
 * administrator comes from `npm run admin:create` or ADMIN_BOOTSTRAP_EMAIL/PASSWORD; in production
 * the admin and the admin API of its plugins answer 404 unless STRAPI_ADMIN_ENABLED=true; and that
 * administrator's content manager cannot read a child's ID number (or any other personal record).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { bootStrapi, REPOSITORY_ROOT, type BootedApp } from '../helpers/boot';
import { anonymous, login, type Session } from '../helpers/api';
import { adminRequestDecision, strapiAdminEnabled } from '../../cms/src/security/strapi-admin';
import { canonicalPath, routeIdentity } from '../../cms/src/security/route-identity';
import { draftChild } from './child-fixture';

const run = promisify(execFile);
const ADMIN_EMAIL = 'sysadmin@jyt.example.cn';
const ADMIN_PASSWORD = 'Adm1n#Passw0rd-2026';

/** Spellings of one route that the router treats alike. */
const REGISTER_SPELLINGS = [
  '/admin/register-admin', '/ADMIN/register-admin', '/Admin/Register-Admin', '/admin/register-admin/',
  '//admin//register-admin', '/admin/./register-admin', '/admin/%72egister-admin', '/%61dmin/register-admin',
];

async function adminLogin(app: BootedApp, email = ADMIN_EMAIL, password = ADMIN_PASSWORD): Promise<string> {
  const answer = await anonymous(app).post('/admin/login').send({ email, password });
  if (answer.status !== 200) throw new Error(`admin login: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.data.token;
}

/** Runs `cb` with NODE_ENV and STRAPI_ADMIN_ENABLED set as given, then restores them. */
async function withEnv(values: Record<string, string | undefined>, cb: () => Promise<void>) {
  const saved = Object.fromEntries(Object.keys(values).map((key) => [key, process.env[key]]));
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  try {
    await cb();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

describe('the decision (unit)', () => {
  const config = { contentModels: ['api::region.region'], refusedPrefixes: ['/upload'] };
  const prefixes = ['/admin', '/content-manager', '/upload', '/users-permissions'];
  const decide = (method: string, raw: string, enabled = true, query = '') => adminRequestDecision({ method, path: routeIdentity({ path: canonicalPath(raw)?.path ?? raw }), query }, { enabled, prefixes, config });

  test('off: every admin path answers 404, the application does not', () => {
    for (const raw of ['/admin', '/ADMIN/init', '/admin/login', '/content-manager/init', '/Users-Permissions/roles', '/upload/files']) expect(decide('GET', raw, false)?.status).toBe(404);
    for (const raw of ['/api/health', '/api/children', '/', '/assets/index.js', '/administration', '/uploads/x.png']) expect(decide('GET', raw, false)).toBeNull();
  });

  test('on: register-admin refused in every spelling; content models outside the list refused, in the path and the query', () => {
    for (const raw of REGISTER_SPELLINGS) expect(decide('POST', raw)).toMatchObject({ status: 403, code: 'ADMIN_REGISTRATION_CLOSED' });
    expect(decide('GET', '/content-manager/collection-types/api::child.child')?.status).toBe(403);
    expect(decide('GET', '/content-manager/collection-types/API::CHILD.CHILD')?.status).toBe(403);
    expect(decide('GET', '/content-manager/collection-types/api%3A%3Achild.child')?.status).toBe(403);
    expect(decide('GET', '/content-manager/history-versions', true, 'contentType=api::child.child')?.status).toBe(403);
    expect(decide('GET', '/content-manager/collection-types/api::region.region')).toBeNull();
    expect(decide('GET', '/upload/files')?.status).toBe(403);
    expect(decide('POST', '/admin/login')).toBeNull();
  });

  test('on by default outside production; in production only with STRAPI_ADMIN_ENABLED=true', () => {
    expect(strapiAdminEnabled({ NODE_ENV: 'production' })).toBe(false);
    expect(strapiAdminEnabled({ NODE_ENV: 'production', STRAPI_ADMIN_ENABLED: 'true' })).toBe(true);
    expect(strapiAdminEnabled({ NODE_ENV: 'production', STRAPI_ADMIN_ENABLED: '1' })).toBe(false);
    expect(strapiAdminEnabled({ NODE_ENV: 'development' })).toBe(true);
    expect(strapiAdminEnabled({ NODE_ENV: 'development', STRAPI_ADMIN_ENABLED: 'false' })).toBe(false);
  });
});

describe('a fresh instance', () => {
  let app: BootedApp;
  let kindergarten: Session;
  beforeAll(async () => {
    delete process.env.ADMIN_BOOTSTRAP_EMAIL;
    app = await bootStrapi();
    kindergarten = await login(app, 'demo-kindergarten');
  });
  afterAll(async () => { await app?.stop(); });

  test('nobody claims the super admin from the network: POST /admin/register-admin is refused (403) in every spelling', async () => {
    expect((await anonymous(app).get('/admin/init').expect(200)).body.data.hasAdmin).toBe(false);
    for (const spelling of REGISTER_SPELLINGS) {
      const answer = await anonymous(app).post(spelling).send({ email: 'attacker@evil.example', password: 'Attack3r#Passw0rd', firstname: 'x' });
      expect({ spelling, status: answer.status }).toEqual({ spelling, status: 403 });
      expect(answer.body.error.message).toContain('npm run admin:create');
    }
    expect(await app.strapi.db.query('admin::user').count()).toBe(0);
    expect((await anonymous(app).get('/admin/init').expect(200)).body.data.hasAdmin).toBe(false);
  });

  test('in production, /admin and the admin API of every plugin answer 404 (the application answers); STRAPI_ADMIN_ENABLED=true turns them on', async () => {
    const adminPaths: [string, string][] = [
      ['GET', '/admin/init'], ['GET', '/ADMIN/init'], ['GET', '/admin'], ['GET', '/Admin/'], ['POST', '/admin/login'], ['POST', '/admin/register-admin'],
      ['GET', '/content-manager/init'], ['GET', '/content-manager/collection-types/api::child.child'], ['GET', '/CONTENT-MANAGER/init'],
      ['GET', '/users-permissions/roles'], ['GET', '/upload/files'], ['GET', '/i18n/locales'], ['GET', '/content-type-builder/content-types'], ['GET', '/email/settings'],
    ];
    const server = app.strapi.server.httpServer;
    await withEnv({ NODE_ENV: 'production', STRAPI_ADMIN_ENABLED: undefined }, async () => {
      for (const [method, url] of adminPaths) {
        const answer = await (method === 'GET' ? request(server).get(url) : request(server).post(url).send({}));
        expect({ method, url, status: answer.status }).toEqual({ method, url, status: 404 });
      }
      await anonymous(app).get('/api/health').expect(200);
      await kindergarten.get('/api/me').expect(200);
    });
    await withEnv({ NODE_ENV: 'production', STRAPI_ADMIN_ENABLED: 'true' }, async () => {
      expect((await anonymous(app).get('/admin/init').expect(200)).body.data.hasAdmin).toBe(false);
      await anonymous(app).post('/admin/register-admin').send({}).expect(403);
    });
  });

  test('`npm run admin:create` creates the first administrator (a weak password or a second one is refused)', async () => {
    const script = path.join(REPOSITORY_ROOT, 'scripts', 'create-admin.mjs');
    const env = { ...process.env, ADMIN_CREATE_SKIP_COMPILE: '1', STRAPI_LOG_LEVEL: 'error' };
    await expect(run('node', [script, '--email', ADMIN_EMAIL, '--password', 'short1'], { cwd: REPOSITORY_ROOT, env })).rejects.toMatchObject({ code: 1 });
    expect(await app.strapi.db.query('admin::user').count()).toBe(0);
    const created = await run('node', [script, '--email', ADMIN_EMAIL, '--password', ADMIN_PASSWORD], { cwd: REPOSITORY_ROOT, env });
    expect(created.stdout).toContain(`Strapi administrator ${ADMIN_EMAIL} created`);
    const second = run('node', [script, '--email', 'second@jyt.example.cn', '--password', ADMIN_PASSWORD], { cwd: REPOSITORY_ROOT, env });
    await expect(second).rejects.toMatchObject({ code: 1 });
    const admins = await app.strapi.db.query('admin::user').findMany({ populate: ['roles'] });
    expect(admins.map((admin: any) => [admin.email, admin.roles.map((role: any) => role.code)])).toEqual([[ADMIN_EMAIL, ['strapi-super-admin']]]);
    await adminLogin(app);
  }, 300_000);

  test("that administrator's content manager cannot read a child's ID number, nor any record with personal data", async () => {
    const child = await draftChild(kindergarten, 211);
    const token = await adminLogin(app);
    const asAdmin = (url: string) => request(app.strapi.server.httpServer).get(url).set('Authorization', `Bearer ${token}`);
    const refusedUrls = [
      '/content-manager/collection-types/api::child.child',
      `/content-manager/collection-types/api::child.child/${child.id}`,
      '/CONTENT-MANAGER/collection-types/api::child.child',
      '/content-manager/collection-types/api%3A%3Achild.child',
      '/content-manager//collection-types/api::child.child',
      '/content-manager/collection-types/api::staff.staff',
      '/content-manager/collection-types/api::request.request',
      '/content-manager/collection-types/api::transfer.transfer',
      '/content-manager/collection-types/api::problem-record.problem-record',
      '/content-manager/collection-types/api::audit-entry.audit-entry',
      '/content-manager/collection-types/plugin::users-permissions.user',
      '/content-manager/relations/api::problem-record.problem-record/child',
      '/upload/files',
    ];
    for (const url of refusedUrls) {
      const answer = await asAdmin(url);
      expect({ url, status: answer.status }).toEqual({ url, status: 403 });
      expect(answer.text).not.toContain(child.idNumber);
    }
    // reference data stays with the administrator
    const regions = await asAdmin('/content-manager/collection-types/api::region.region').expect(200);
    expect(regions.body.results.length).toBeGreaterThan(0);
  });

  test('the document service refuses the same models to any call made for a Strapi admin user', async () => {
    const asAdmin = { state: { auth: { strategy: { name: 'admin' } } } } as any;
    await expect(app.strapi.requestContext.run(asAdmin, () => app.strapi.documents('api::child.child').findMany({}))).rejects.toMatchObject({ name: 'ForbiddenError' });
    await expect(app.strapi.requestContext.run(asAdmin, () => app.strapi.documents('api::staff.staff').count({}))).rejects.toMatchObject({ name: 'ForbiddenError' });
    const regions = await app.strapi.requestContext.run(asAdmin, () => app.strapi.documents('api::region.region').findMany({ limit: 1 } as any));
    expect(regions.length).toBe(1);
  });
});
