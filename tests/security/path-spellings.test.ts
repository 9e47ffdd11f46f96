/**
 * Every guarded behaviour over a table of path spellings: the security layer decides on one
 * canonical route identity (cms/src/security/route-identity.ts), so `/API/…`, `//api//…`,
 * `/./api/…`, `/x/../api/…`, `/api%2F…` and `/%61pi/…` are the same route with the same guards, and
 * a path without one meaning (double encoding, `..` above the root, a backslash) is refused.
 * Requests go out through node's http client, which sends the path exactly as written (supertest
 * would normalise some of them before they leave).
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { bootStrapi, DEMO_PASSWORD, REPOSITORY_ROOT, type BootedApp } from '../helpers/boot';
import { login, DEMO } from '../helpers/api';
import { clearOfWindowEdge } from '../helpers/rate-limit';
import { residentId } from '../helpers/ids';

const security = (name: string) => require(path.join(REPOSITORY_ROOT, 'cms', 'dist', 'src', 'security', name));
const config = require(path.join(REPOSITORY_ROOT, 'config', 'security.json'));

let app: BootedApp;
beforeAll(async () => { app = await bootStrapi({ listen: true }); }, 180_000);
afterAll(async () => { await app?.stop(); });
beforeEach(async () => { await security('rate-limit').resetRateLimits(); security('sessions').clearSessionCache(); });

type Answer = { status: number; body: any; text: string; headers: http.IncomingHttpHeaders };

/** Sends `rawPath` byte for byte (no client-side normalisation). */
function send(method: string, rawPath: string, options: { token?: string; body?: unknown } = {}): Promise<Answer> {
  const url = new URL(app.baseUrl);
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: url.hostname, port: url.port, method, path: rawPath,
      headers: {
        ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
        ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {}),
      },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: any = null;
        try { body = JSON.parse(text); } catch { body = null; }
        resolve({ status: res.statusCode ?? 0, body, text, headers: res.headers });
      });
    });
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

/** The ways to spell one canonical path `/a/b/c` that a router or static server reads as that path. */
function spellings(canonical: string): string[] {
  const [, first, ...rest] = canonical.split('/');
  const tail = rest.join('/');
  return [
    canonical,
    `/${first.toUpperCase()}/${tail}`,
    `/${first[0].toUpperCase()}${first.slice(1)}/${tail.replace(/^[a-z]/, (c) => c.toUpperCase())}`,
    `//${first}//${tail}`,
    `/./${first}/./${tail}`,
    `/x/../${first}/${tail}`,
    `/${first}%2F${tail}`,
    `/${first}%2f${tail}`,
    `/%${first.charCodeAt(0).toString(16)}${first.slice(1)}/${tail}`,
    `/${first}/${tail}/`,
    `/${first}/${tail}/.`,
  ];
}

/** Spellings that have no single meaning: refused outright. */
const MEANINGLESS = (canonical: string) => {
  const [, first, ...rest] = canonical.split('/');
  const tail = rest.join('/');
  return [`/${first}%252F${tail}`, `/../${first}/${tail}`, `/${first}%5C${tail}`, `/${first}/%00${tail}`, `/${first}/%E0%A4%A`];
};

const CHILD = {
  name: '路小雨', idType: '1', idNumber: residentId('350502', '20220412', '031'),
  birthPlace: '350502', nativePlace: '福建泉州', ethnicity: '01', nationality: '156', overseasChinese: '00', health: '10',
  householdRegion: '350502', householdType: '2', address: '鲤城区中山路 2 号', phone: '13800000031', enrolledOn: '2025-09-01',
  enrollmentMode: '1', onlyChild: true,
  guardians: [{ name: '路大山', relation: '1', idType: '1', idNumber: residentId('350502', '19900101', '035'), phone: '13800000032' }],
};

let childPath: string;
beforeAll(async () => {
  const kindergarten = await login(app, 'demo-kindergarten');
  const classId = (await kindergarten.get('/api/school-classes?filters[name][$eq]=小一班').expect(200)).body.data[0].documentId;
  const created = await kindergarten.post('/api/children', { data: { ...CHILD, schoolClass: classId } });
  if (created.status !== 201) throw new Error(`child: ${created.status} ${JSON.stringify(created.body)}`);
  childPath = `/api/children/${created.body.data.documentId}`;
  const own = await kindergarten.get(childPath).expect(200);
  expect(own.body.data.idNumber).toBe(CHILD.idNumber);
});

describe('canonical route identity', () => {
  test('every spelling of a path reaches the same route as its canonical form', async () => {
    const session = await login(app, 'demo-kindergarten');
    for (const spelling of spellings(childPath)) {
      const answer = await send('GET', spelling, { token: session.jwt });
      expect({ spelling, status: answer.status }).toEqual({ spelling, status: 200 });
      expect(answer.body.data.idNumber).toBe(CHILD.idNumber);
    }
  });

  test('a path without one meaning is refused (400 INVALID_PATH), whoever asks', async () => {
    const session = await login(app, 'demo-kindergarten');
    for (const spelling of [...MEANINGLESS(childPath), ...MEANINGLESS('/uploads/anything.png')]) {
      const answer = await send('GET', spelling, { token: session.jwt });
      expect({ spelling, status: answer.status, code: answer.body?.error?.details?.code }).toEqual({ spelling, status: 400, code: 'INVALID_PATH' });
    }
  });

  test('the route identity is the canonical path in lower case', () => {
    const { canonicalPath, routeIdentity, isUnder } = security('route-identity');
    expect(canonicalPath('/API//children/./x/../abc/')).toEqual({ path: '/API/children/abc', decoded: '/API/children/abc' });
    expect(canonicalPath('/uploads%2Fa.png')?.path).toBe('/uploads/a.png');
    expect(canonicalPath('/api/regions/%E6%B3%89%E5%B7%9E')?.path).toBe('/api/regions/%E6%B3%89%E5%B7%9E');
    expect(canonicalPath('/uploads%252Fa.png')).toBeNull();
    expect(canonicalPath('/a/../../etc/passwd')).toBeNull();
    expect(routeIdentity({ path: '/API/Children/Abc' })).toBe('/api/children/abc');
    expect(isUnder('/api', '/api/')).toBe(true);
    expect(isUnder('/apix/y', '/api')).toBe(false);
  });
});

describe('sessions hold on every spelling', () => {
  test('a logged-out token reads nothing, however the path is spelled', async () => {
    const session = await login(app, 'demo-kindergarten');
    await session.post('/api/auth/logout').expect(200);
    security('sessions').clearSessionCache();
    for (const spelling of spellings(childPath)) {
      const answer = await send('GET', spelling, { token: session.jwt });
      expect({ spelling, status: answer.status, code: answer.body?.error?.details?.code }).toEqual({ spelling, status: 401, code: 'SESSION_REVOKED' });
      expect(answer.text).not.toContain(CHILD.idNumber);
    }
  });

  test('an idle session reads nothing, however the path is spelled', async () => {
    const session = await login(app, 'demo-kindergarten');
    const { sid } = JSON.parse(Buffer.from(session.jwt.split('.')[1], 'base64url').toString());
    await app.strapi.db.query('api::auth-session.auth-session').update({ where: { id: sid }, data: { lastSeenAt: new Date(Date.now() - (config.session.idleMinutes + 1) * 60_000) } });
    security('sessions').clearSessionCache();
    for (const spelling of spellings(childPath)) {
      const answer = await send('GET', spelling, { token: session.jwt });
      expect({ spelling, status: answer.status, code: answer.body?.error?.details?.code }).toEqual({ spelling, status: 401, code: 'SESSION_IDLE' });
    }
  });

  test('a session that must change its password reaches only the duty routes, however spelled', async () => {
    const county = await login(app, 'demo-county');
    const created = await county.post('/api/accounts', { data: { username: 'spelling-duty', fullName: '测试园长', institutionCode: DEMO.licheng[0] } }).expect(201);
    const loggedIn = await send('POST', '/api/auth/local', { body: { identifier: 'spelling-duty', password: created.body.data.temporaryPassword } });
    expect(loggedIn.status).toBe(200);
    const token = loggedIn.body.jwt;
    for (const spelling of spellings(childPath)) {
      const answer = await send('GET', spelling, { token });
      expect({ spelling, status: answer.status, code: answer.body?.error?.details?.code }).toEqual({ spelling, status: 403, code: 'PASSWORD_CHANGE_REQUIRED' });
    }
    // the duty routes stay open, in any spelling
    for (const spelling of ['/api/me', '/API/me', '//api/me/', '/api/./me']) {
      expect({ spelling, status: (await send('GET', spelling, { token })).status }).toEqual({ spelling, status: 200 });
    }
  });
});

describe('rate limit and audit on every spelling', () => {
  test('logins under any spelling share one budget and end in 429', async () => {
    await clearOfWindowEdge(config.rateLimit.windowSeconds, 20);
    const routes = spellings('/api/auth/login');
    let limited = 0;
    for (let i = 0; i < config.rateLimit.maxRequests + routes.length; i += 1) {
      const answer = await send('POST', routes[i % routes.length], { body: { identifier: 'nobody-here', password: 'Wrong#Pass1' } });
      if (answer.status === 429) {
        limited += 1;
        expect(answer.headers['retry-after']).toBeDefined();
      }
    }
    expect(limited).toBe(routes.length);
    for (const spelling of routes) {
      const answer = await send('POST', spelling, { body: { identifier: 'demo-county', password: DEMO_PASSWORD } });
      expect({ spelling, status: answer.status }).toEqual({ spelling, status: 429 });
    }
  });

  test('a full ID number read under any spelling is audited (pii.read)', async () => {
    const session = await login(app, 'demo-kindergarten');
    const { auditTable } = security('audit');
    const count = async () => (await app.strapi.db.connection(auditTable(app.strapi)).where({ action: 'pii.read' }).count({ n: '*' }))[0].n;
    for (const spelling of spellings(childPath)) {
      const before = Number(await count());
      const answer = await send('GET', spelling, { token: session.jwt });
      expect(answer.status).toBe(200);
      expect({ spelling, audited: Number(await count()) - before }).toEqual({ spelling, audited: 1 });
    }
  });

  test('an account change under any spelling is audited', async () => {
    const county = await login(app, 'demo-county');
    const { auditTable } = security('audit');
    const rows = () => app.strapi.db.connection(auditTable(app.strapi)).where({ action: 'account.create' });
    const spelled = ['/api/accounts', '/API/accounts', '/Api/Accounts', '//api//accounts', '/./api/accounts', '/x/../api/accounts', '/api%2Faccounts', '/%61pi/accounts', '/api/accounts/'];
    for (const [i, spelling] of spelled.entries()) {
      const before = (await rows()).length;
      const answer = await send('POST', spelling, { token: county.jwt, body: { data: { username: `spelled-${i}`, fullName: '测试', institutionCode: DEMO.licheng[2] } } });
      expect({ spelling, status: answer.status }).toEqual({ spelling, status: 201 });
      expect({ spelling, audited: (await rows()).length - before }).toEqual({ spelling, audited: 1 });
    }
  });
});

describe('uploaded files are reachable only through signed links', () => {
  let name: string;
  let file: string;
  beforeAll(async () => {
    const dir = path.join(app.strapi.dirs.static.public, 'uploads');
    fs.mkdirSync(dir, { recursive: true });
    name = `probe_${Date.now()}.png`;
    file = path.join(dir, name);
    // a PNG signature, then the marker the probes look for
    const content = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.from('SECRET-EVIDENCE-CONTENT')]);
    fs.writeFileSync(file, content);
    await app.strapi.db.query('plugin::upload.file').create({ data: { name, hash: name.replace('.png', ''), ext: '.png', mime: 'image/png', size: content.length / 1000, url: `/uploads/${name}`, provider: 'local' } });
  });
  afterAll(() => { fs.rmSync(file, { force: true }); });

  test('no spelling of /uploads/<file> serves the file, logged in or not', async () => {
    const session = await login(app, 'demo-province');
    const variants = [...spellings(`/uploads/${name}`), `/uploads%2F${name}`, `/x/y/../../uploads/${name}`, `/api/../uploads/${name}`, `/%75ploads/${name}`];
    for (const spelling of variants) {
      for (const token of [undefined, session.jwt]) {
        const answer = await send('GET', spelling, { token });
        expect({ spelling, served: answer.text.includes('SECRET-EVIDENCE-CONTENT') }).toEqual({ spelling, served: false });
        expect([400, 404]).toContain(answer.status);
      }
    }
  });

  test('the signed link serves it', async () => {
    const { signedFileUrl } = security('files');
    const answer = await send('GET', signedFileUrl(`/uploads/${name}`));
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('SECRET-EVIDENCE-CONTENT');
  });
});
