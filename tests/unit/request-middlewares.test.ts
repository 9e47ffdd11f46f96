/**
 * Two of Strapi's per-request middlewares, made cheaper without changing what they do (cms/src/runtime/core-middlewares.ts):
 * - the security headers are strapi::security's, with its helmet made once: for the same configuration
 *   both set the same headers, on an API path, the panel and Strapi's admin;
 * - the request line of strapi::logger, formatted only when its level is logged.
 */
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { requestLog, securityHeaders as leanSecurityHeaders } from '../../cms/src/runtime/core-middlewares';
import { securityHeaders } from '../../cms/src/security/http';

// Strapi's own middleware, loaded by path at run time (its package does not export it)
const strapiSecurity = require(path.join(path.dirname(require.resolve('@strapi/core/package.json')), 'dist', 'middlewares', 'security.js')).security;
const fakeStrapi = { plugin: () => undefined, config: { get: (key: string, fallback?: unknown) => (key === 'admin.path' ? '/admin' : fallback) } };

async function headersOf(middleware: (ctx: any, next: () => Promise<void>) => unknown, method: string, url: string) {
  const req = new http.IncomingMessage(new net.Socket());
  req.method = method;
  req.url = url;
  const res = new http.ServerResponse(req);
  await middleware({ req, res, method, path: url.split('?')[0], request: { method }, response: {} }, async () => undefined);
  return res.getHeaders();
}

test.each([
  ['GET', '/api/children?sort=name'],
  ['POST', '/api/children'],
  ['GET', '/'],
  ['GET', '/admin/'],
])('%s %s: the same headers as strapi::security', async (method, url) => {
  const ours = leanSecurityHeaders(securityHeaders());
  const strapis = strapiSecurity(securityHeaders(), { strapi: fakeStrapi });
  // Content-Security-Policy aside: Strapi's adds one under its admin in development and test, and the
  // header is set after this middleware, per part of the site, by global::content-security-policy
  const { 'content-security-policy': _policy, ...expected } = await headersOf(strapis, method, url);
  expect(expected['x-frame-options']).toBe('DENY');
  expect(expected['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
  expect(await headersOf(ours, method, url)).toEqual(expected);
  // made once: a second request is answered by the same helmet, with the same headers
  expect(await headersOf(ours, method, url)).toEqual(expected);
});

describe('the request line (cms/src/middlewares/request-log.ts)', () => {
  const logger = (level: 'http' | 'warn') => {
    const lines: string[] = [];
    return { lines, log: { isLevelEnabled: (asked: string) => level === 'http' || asked !== 'http', http: (line: string) => lines.push(line) } };
  };

  test('written as strapi::logger writes it when the http level is logged', async () => {
    const { lines, log } = logger('http');
    const ctx: any = { method: 'GET', url: '/api/children?sort=name', status: 404 };
    await requestLog({ log })(ctx, async () => { ctx.status = 200; });
    expect(lines).toEqual([expect.stringMatching(/^GET \/api\/children\?sort=name \(\d+ ms\) 200$/)]);
  });

  test('not formatted at all at a quieter level; the request still runs', async () => {
    const { lines, log } = logger('warn');
    let ran = false;
    await requestLog({ log })({ method: 'GET', url: '/' }, async () => { ran = true; });
    expect(ran).toBe(true);
    expect(lines).toEqual([]);
  });
});

describe('the router match kept per path and method (cms/src/runtime/router-match-memo.ts)', () => {
  const { createRequire } = require('node:module');
  const Router = createRequire(require.resolve('@strapi/core'))('@koa/router');
  const { installRouterMatchMemo } = require('../../cms/src/runtime/router-match-memo');
  installRouterMatchMemo();
  const names = (layers: any[]) => layers.map((layer) => `${layer.methods.filter((m: string) => m !== 'HEAD').join('|')} ${layer.path}`);

  test('the same layers as without it, again and again; a caller appending to them changes nothing kept', () => {
    const router = new Router();
    router.get('/api/children', () => undefined);
    router.get('/api/children/:id', () => undefined);
    router.put('/api/children/:id', () => undefined);
    const first = router.match('/api/children/abc', 'GET');
    expect(first.route).toBe(true);
    expect(names(first.pathAndMethod)).toEqual(['GET /api/children/:id']);
    expect(names(first.path)).toEqual(['GET /api/children/:id', 'PUT /api/children/:id']);
    first.path.push('appended by a second router');
    const again = router.match('/api/children/abc', 'GET');
    expect(names(again.path)).toEqual(['GET /api/children/:id', 'PUT /api/children/:id']);
    expect(router.match('/api/children/abc', 'DELETE').route).toBe(false);
    expect(router.match('/api/kindergartens', 'GET').route).toBe(false);
  });

  test('each allowedMethods once per prefix in a match, the answers of a request unchanged (405, 501, OPTIONS)', async () => {
    const Koa = createRequire(require.resolve('@strapi/core'))('koa');
    const http = require('node:http');
    const root = new Router();
    const api = new Router({ prefix: '/api' });
    for (const [prefix, name] of [['/children', 'children'], ['/kindergartens', 'kindergartens'], ['/classes', 'classes']]) {
      const group = new Router({ prefix });
      group.get('/', (ctx: any) => { ctx.body = name; });
      api.use(group.routes(), group.allowedMethods());
    }
    const withOptions = new Router({ prefix: '/regions' });
    withOptions.get('/', (ctx: any) => { ctx.body = 'regions'; });
    api.use(withOptions.routes(), withOptions.allowedMethods({ throw: false }));
    root.use(api.routes(), api.allowedMethods());
    const app = new Koa();
    app.use(root.routes()).use(root.allowedMethods());
    const kept = (path: string, method: string) => root.match(path, method).path.filter((layer: any) => layer.methods.length === 0).map((layer: any) => layer.path);
    // four groups' allowedMethods under /api/… (one made with options), one of the api router's
    expect(root.stack.filter((layer: any) => layer.methods.length === 0)).toHaveLength(5);
    expect(kept('/api/children', 'POST')).toEqual(['/api([^/]*)', '/api([^/]*)', '([^/]*)']);
    const server = http.createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const ask = (method: string, path: string) => new Promise<{ status: number; allow?: string; body: string }>((resolve, reject) => {
      const request = http.request({ host: '127.0.0.1', port: server.address().port, method, path }, (response: any) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode, allow: response.headers.allow, body }));
      });
      request.on('error', reject);
      request.end();
    });
    try {
      expect(await ask('GET', '/api/kindergartens')).toMatchObject({ status: 200, body: 'kindergartens' });
      expect(await ask('POST', '/api/children')).toMatchObject({ status: 405, allow: 'HEAD, GET' });
      expect(await ask('OPTIONS', '/api/classes')).toMatchObject({ status: 200, allow: 'HEAD, GET' });
      expect(await ask('PROPFIND', '/api/children')).toMatchObject({ status: 501, allow: 'HEAD, GET' });
      expect((await ask('GET', '/api/nothing')).status).toBe(404);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('a route added later is matched at once', () => {
    const router = new Router();
    router.get('/api/children', () => undefined);
    expect(router.match('/api/kindergartens', 'GET').route).toBe(false);
    router.get('/api/kindergartens', () => undefined);
    expect(names(router.match('/api/kindergartens', 'GET').pathAndMethod)).toEqual(['GET /api/kindergartens']);
  });
});
