/**
 * The per-IP rate limit on the auth routes is counted in the database (table rate_limit_windows,
 * cms/src/security/rate-limit.ts): one budget per address and window for all app instances on it.
 */
import path from 'node:path';
import request from 'supertest';
import { bootStrapi, REPOSITORY_ROOT, type BootedApp } from '../helpers/boot';
import { anonymous } from '../helpers/api';
import { secondInstance } from '../helpers/second-instance';
import { clearOfWindowEdge as clearOfWindowEdgeOf } from '../helpers/rate-limit';

const rateLimit = require(path.join(REPOSITORY_ROOT, 'cms', 'dist', 'src', 'security', 'rate-limit'));
const { securityConfig } = require(path.join(REPOSITORY_ROOT, 'cms', 'dist', 'src', 'security', 'config'));

let app: BootedApp;
beforeAll(async () => { app = await bootStrapi({ seedDemo: false }); }, 180_000);
afterAll(async () => { await app?.stop(); });
beforeEach(async () => { await rateLimit.resetRateLimits(app.strapi); });
afterEach(() => { jest.restoreAllMocks(); });

const policy = () => securityConfig().rateLimit as { windowSeconds: number; maxRequests: number };
const windowMs = () => policy().windowSeconds * 1000;
const failedLogin = (target: request.SuperTest<request.Test> | ReturnType<typeof anonymous>, i: number) =>
  target.post('/api/auth/local').send({ identifier: `nobody-${i}`, password: 'Wrong#Passw0rd' });

const clearOfWindowEdge = (seconds: number) => clearOfWindowEdgeOf(policy().windowSeconds, seconds);

/** A time inside one window, well clear of its edges, for the module's own clock argument. */
const insideWindow = (windowIndex: number) => windowIndex * windowMs() + 1000;

describe('brute force from one address', () => {
  test('after maxRequests auth requests in a window the next gets 429 with Retry-After', async () => {
    const { maxRequests, windowSeconds } = policy();
    await clearOfWindowEdge(30);
    for (let i = 0; i < maxRequests; i += 1) {
      const response = await failedLogin(anonymous(app), i);
      expect({ i, status: response.status }).toEqual({ i, status: 400 });
    }
    const refused = await failedLogin(anonymous(app), maxRequests);
    expect(refused.status).toBe(429);
    expect(refused.body.error.details.code).toBe('RATE_LIMITED');
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
    // the count is in the database, under the address
    const rows = await app.strapi.db.connection(rateLimit.rateLimitTable(app.strapi)).select('key', 'count');
    expect(rows.map((row: any) => ({ key: row.key, count: Number(row.count) }))).toEqual([{ key: '127.0.0.1', count: maxRequests + 1 }]);
  });

  test('two instances on the same database share the count: the limit is reached in total, not per instance', async () => {
    const { maxRequests } = policy();
    const other = await secondInstance(app);
    try {
      await clearOfWindowEdge(30);
      const half = Math.ceil(maxRequests / 2);
      for (let i = 0; i < maxRequests; i += 1) {
        const target = i < half ? anonymous(app) : request(other.url);
        const response = await failedLogin(target, i);
        expect({ i, status: response.status }).toEqual({ i, status: 400 });
      }
      // each instance has seen fewer than maxRequests, yet both refuse the address now
      const onOther = await failedLogin(request(other.url), maxRequests);
      expect({ status: onOther.status, retryAfter: Number(onOther.headers['retry-after']) > 0 }).toEqual({ status: 429, retryAfter: true });
      const onFirst = await failedLogin(anonymous(app), maxRequests + 1);
      expect(onFirst.status).toBe(429);
    } finally {
      await other.stop();
    }
  }, 180_000);
});

describe('the count per address and window', () => {
  // The app does not trust proxies (cms/config/server.ts has no `proxy`), so X-Forwarded-For cannot
  // name another address: the module is called with two addresses directly.
  test('another address is not limited by the first one\'s requests', async () => {
    const { maxRequests } = policy();
    const now = insideWindow(1_000_000);
    for (let i = 0; i < maxRequests; i += 1) expect((await rateLimit.rateLimited(app.strapi, '203.0.113.7', now)).limited).toBe(false);
    expect(await rateLimit.rateLimited(app.strapi, '203.0.113.7', now)).toEqual({ limited: true, retryAfter: policy().windowSeconds - 1 });
    expect((await rateLimit.rateLimited(app.strapi, '198.51.100.9', now)).limited).toBe(false);
    // an IPv4 address seen through an IPv6 socket is the same address
    expect((await rateLimit.rateLimited(app.strapi, '::ffff:203.0.113.7', now)).limited).toBe(true);
  });

  test('a new window starts over', async () => {
    const { maxRequests } = policy();
    const first = insideWindow(1_000_000);
    for (let i = 0; i <= maxRequests; i += 1) await rateLimit.rateLimited(app.strapi, '203.0.113.8', first);
    expect((await rateLimit.rateLimited(app.strapi, '203.0.113.8', first)).limited).toBe(true);
    const next = first + windowMs();
    for (let i = 0; i < maxRequests; i += 1) expect((await rateLimit.rateLimited(app.strapi, '203.0.113.8', next)).limited).toBe(false);
    expect((await rateLimit.rateLimited(app.strapi, '203.0.113.8', next)).limited).toBe(true);
  });

  test('windows older than two window lengths are deleted now and then', async () => {
    const table = rateLimit.rateLimitTable(app.strapi);
    const first = insideWindow(1_000_000);
    await rateLimit.rateLimited(app.strapi, '203.0.113.9', first);
    await rateLimit.rateLimited(app.strapi, '203.0.113.9', first + windowMs());
    jest.spyOn(Math, 'random').mockReturnValue(0); // this request is one of those that clean up
    await rateLimit.rateLimited(app.strapi, '198.51.100.10', first + 2 * windowMs());
    const starts = (await app.strapi.db.connection(table).select('window_start')).map((row: any) => Number(row.window_start)).sort();
    expect(starts).toEqual([first + windowMs(), first + 2 * windowMs()].map((time) => time - 1000));
  });

  test('when the database cannot count, the request is let through (the login itself then answers 503)', async () => {
    const broken = {
      db: { dialect: { client: app.strapi.db.dialect.client }, connection: { raw: () => Promise.reject(new Error('Connection terminated unexpectedly')) } },
      config: { get: () => undefined },
      log: { warn: jest.fn() },
    };
    expect(await rateLimit.rateLimited(broken, '203.0.113.10')).toEqual({ limited: false, retryAfter: 0 });
    expect(broken.log.warn).toHaveBeenCalledWith(expect.stringMatching(/rate limit not counted/));
  });
});
