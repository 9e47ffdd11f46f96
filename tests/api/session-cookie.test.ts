/**
 * The refresh token in an httpOnly cookie (MLPS level 3): every answer that issues a session sets
 * `preschool_refresh` (HttpOnly, SameSite=Strict, Path=/api/auth, as long as the session can live);
 * `POST /api/auth/refresh` takes it when the body has no token, but only with the panel's header
 * (a cross-site form cannot send one); logout clears it; API clients keep the body token.
 */
import path from 'node:path';
import { bootStrapi, DEMO_PASSWORD, REPOSITORY_ROOT, type BootedApp } from '../helpers/boot';
import { anonymous } from '../helpers/api';

const security = (name: string) => require(path.join(REPOSITORY_ROOT, 'cms', 'dist', 'src', 'security', name));
const config = require(path.join(REPOSITORY_ROOT, 'config', 'security.json'));
const COOKIE = 'preschool_refresh';
const PANEL = ['X-Requested-With', 'preschool-panel'] as const;

let app: BootedApp;
beforeAll(async () => { app = await bootStrapi(); }, 180_000);
afterAll(async () => { await app?.stop(); });
beforeEach(async () => { await security('rate-limit').resetRateLimits(); security('sessions').clearSessionCache(); });

type SetCookie = { value: string; attributes: Record<string, string | true> };

/** The `preschool_refresh` Set-Cookie of an answer, parsed (attribute names lower-cased). */
function refreshCookieOf(response: { headers: Record<string, any> }): SetCookie | null {
  const headers: string[] = [].concat(response.headers['set-cookie'] ?? []);
  const line = headers.find((header) => header.startsWith(`${COOKIE}=`));
  if (!line) return null;
  const [pair, ...parts] = line.split(';').map((part) => part.trim());
  const attributes: Record<string, string | true> = {};
  for (const part of parts) {
    const [name, ...value] = part.split('=');
    attributes[name.toLowerCase()] = value.length ? value.join('=') : true;
  }
  return { value: pair.slice(COOKIE.length + 1), attributes };
}

const signIn = (username = 'demo-county') => anonymous(app).post('/api/auth/login').send({ identifier: username, password: DEMO_PASSWORD }).expect(200);
const refreshByCookie = (value: string) => anonymous(app).post('/api/auth/refresh').set('Cookie', `${COOKIE}=${value}`).set(...PANEL);

test('login sets the refresh token as an httpOnly, SameSite=Strict cookie for the auth routes only, as long as the session lives', async () => {
  const before = Date.now();
  const login = await signIn();
  const cookie = refreshCookieOf(login);
  expect(cookie).not.toBeNull();
  expect(cookie!.value).toBe(login.body.refreshToken);
  expect(cookie!.attributes).toMatchObject({ httponly: true, samesite: 'strict', path: '/api/auth' });
  // a plain-http request: no Secure (the browser would drop the cookie)
  expect(cookie!.attributes.secure).toBeUndefined();
  const expires = new Date(String(cookie!.attributes.expires)).getTime();
  const lifetime = config.session.absoluteHours * 3_600_000;
  expect(expires).toBeGreaterThan(before + lifetime - 60_000);
  expect(expires).toBeLessThanOrEqual(Date.now() + lifetime + 1_000);
  // the JSON answer is unchanged for API clients
  expect(login.body).toMatchObject({ jwt: expect.any(String), refreshToken: expect.any(String), expiresIn: config.session.accessTokenMinutes * 60 });
  // Strapi's own login route is the same login
  const local = await anonymous(app).post('/api/auth/local').send({ identifier: 'demo-county', password: DEMO_PASSWORD }).expect(200);
  expect(refreshCookieOf(local)?.value).toBe(local.body.refreshToken);
});

test('a request over https (as the proxy reports it) gets a Secure cookie', async () => {
  const previous = app.strapi.server.app.proxy;
  app.strapi.server.app.proxy = true;
  try {
    const login = await anonymous(app).post('/api/auth/login').set('X-Forwarded-Proto', 'https').send({ identifier: 'demo-county', password: DEMO_PASSWORD }).expect(200);
    expect(refreshCookieOf(login)?.attributes.secure).toBe(true);
  } finally {
    app.strapi.server.app.proxy = previous;
  }
});

test('the panel refreshes by cookie with its header: a new access token that works, the cookie rotated, the old one refused', async () => {
  const login = await signIn();
  const first = refreshCookieOf(login)!.value;
  const renewed = await refreshByCookie(first).expect(200);
  const rotated = refreshCookieOf(renewed);
  expect(rotated?.value).toBeTruthy();
  expect(rotated!.value).not.toBe(first);
  expect(rotated!.value).toBe(renewed.body.refreshToken);
  expect(rotated!.attributes).toMatchObject({ httponly: true, samesite: 'strict', path: '/api/auth' });
  await anonymous(app).get('/api/kindergartens').set('Authorization', `Bearer ${renewed.body.jwt}`).expect(200);
  // the rotated-away cookie presented again: refused, and the session revoked (reuse detection)
  const replay = await refreshByCookie(first).expect(401);
  expect(replay.body.error.details.code).toBe('REFRESH_TOKEN_REUSED');
  security('sessions').clearSessionCache();
  await anonymous(app).get('/api/kindergartens').set('Authorization', `Bearer ${renewed.body.jwt}`).expect(401);
  await refreshByCookie(rotated!.value).expect(401);
});

test('a refresh by cookie without the panel header is refused (403) and renews nothing', async () => {
  const login = await signIn();
  const cookie = refreshCookieOf(login)!.value;
  const refused = await anonymous(app).post('/api/auth/refresh').set('Cookie', `${COOKIE}=${cookie}`).expect(403);
  expect(refused.body.error.details.code).toBe('CSRF_HEADER_REQUIRED');
  expect(refused.body.error.message).toContain('X-Requested-With');
  expect(refreshCookieOf(refused)).toBeNull();
  // a form post's header value is not the panel's either
  await anonymous(app).post('/api/auth/refresh').set('Cookie', `${COOKIE}=${cookie}`).set('X-Requested-With', 'XMLHttpRequest').expect(403);
  // the cookie was not used: it still renews with the header
  await refreshByCookie(cookie).expect(200);
});

test('no token in the body nor a cookie: 401 as before', async () => {
  const missing = await anonymous(app).post('/api/auth/refresh').set(...PANEL).expect(401);
  expect(missing.body.error.details.code).toBe('REFRESH_TOKEN_MISSING');
});

test('logout ends the session and clears the cookie; the old cookie no longer refreshes', async () => {
  const login = await signIn();
  const cookie = refreshCookieOf(login)!.value;
  const out = await anonymous(app).post('/api/auth/logout').set('Authorization', `Bearer ${login.body.jwt}`).set('Cookie', `${COOKIE}=${cookie}`).set(...PANEL).expect(200);
  const cleared = refreshCookieOf(out);
  expect(cleared).not.toBeNull();
  expect(cleared!.value).toBe('');
  expect(cleared!.attributes.path).toBe('/api/auth');
  expect(new Date(String(cleared!.attributes.expires)).getTime()).toBeLessThan(Date.now());
  await anonymous(app).get('/api/kindergartens').set('Authorization', `Bearer ${login.body.jwt}`).expect(401);
  const after = await refreshByCookie(cookie).expect(401);
  expect(after.body.error.details.code).toBe('SESSION_REVOKED');
});

test('logout with an expired access token ends the session by the cookie (with the panel header)', async () => {
  const login = await signIn();
  const cookie = refreshCookieOf(login)!.value;
  await anonymous(app).post('/api/auth/logout').set('Authorization', 'Bearer expired.token.value').set('Cookie', `${COOKIE}=${cookie}`).set(...PANEL).expect(200);
  security('sessions').clearSessionCache();
  await anonymous(app).get('/api/kindergartens').set('Authorization', `Bearer ${login.body.jwt}`).expect(401);
  await refreshByCookie(cookie).expect(401);
});

test('API clients refresh with the body token as before (no header needed), and the answer sets the cookie too', async () => {
  const login = await signIn();
  const renewed = await anonymous(app).post('/api/auth/refresh').send({ refreshToken: login.body.refreshToken }).expect(200);
  expect(renewed.body.refreshToken).not.toBe(login.body.refreshToken);
  expect(refreshCookieOf(renewed)?.value).toBe(renewed.body.refreshToken);
  await anonymous(app).get('/api/kindergartens').set('Authorization', `Bearer ${renewed.body.jwt}`).expect(200);
  // the body's token wins over a cookie sent along
  const other = refreshCookieOf(await signIn('demo-county-2'))!.value;
  const again = await anonymous(app).post('/api/auth/refresh').set('Cookie', `${COOKIE}=${other}`).send({ refreshToken: renewed.body.refreshToken }).expect(200);
  const me = await anonymous(app).get('/api/me').set('Authorization', `Bearer ${again.body.jwt}`).expect(200);
  expect(me.body.username).toBe('demo-county');
  // the body logout still ends the session
  await anonymous(app).post('/api/auth/logout').send({ refreshToken: again.body.refreshToken }).expect(200);
  await anonymous(app).post('/api/auth/refresh').send({ refreshToken: again.body.refreshToken }).expect(401);
});
