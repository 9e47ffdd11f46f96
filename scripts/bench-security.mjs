#!/usr/bin/env node
// What the security controls cost per request: the session check (cached and uncached), login
// (bcrypt, lockout bookkeeping, session, audit), refresh, and the SQL statements of each, on an
// in-process app with the demo data (SQLite, or PostgreSQL with DATABASE_URL in a fresh schema).
// `npm run bench:security` is not defined on purpose (shared package.json): `node scripts/bench-security.mjs`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { appDir, positiveInt, requireFromCms, requireFromRoot } from './lib/common.mjs';

const N = positiveInt('bench:security', 'BENCH_REQUESTS', 300);
const LOGINS = positiveInt('bench:security', 'BENCH_LOGINS', 20);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'preschool-bench-security-'));
const password = `Bench#${crypto.randomBytes(6).toString('hex')}A1`;
Object.assign(process.env, { NODE_ENV: 'test', DATA_DIR: work, DEMO_PASSWORD: password, SEED_DEMO: 'true', STRAPI_LOG_LEVEL: 'error', STRAPI_TELEMETRY_DISABLED: 'true', ARCHIVE_SCHEDULE: 'false' });
let schema;
if (process.env.DATABASE_URL) {
  schema = `bench_sec_${crypto.randomBytes(4).toString('hex')}`;
  const { Client } = requireFromCms('pg');
  const client = new Client({ connectionString: process.env.DATABASE_URL });
  await client.connect(); await client.query(`CREATE SCHEMA ${schema}`); await client.end();
  process.env.DATABASE_SCHEMA = schema;
} else {
  process.env.DATABASE_FILENAME = path.join(work, 'bench.db');
}
const { createStrapi } = requireFromCms('@strapi/strapi');
const strapi = await createStrapi({ appDir, distDir: path.join(appDir, 'dist'), autoReload: false, serveAdminPanel: false }).load();
await strapi.server.mount();
const request = requireFromRoot('supertest');
const server = strapi.server.httpServer;
const security = (name) => requireFromCms(path.join(appDir, 'dist', 'src', 'security', name));
let statements = 0;
strapi.db.connection.on('query', () => { statements += 1; });

async function measure(label, n, run) {
  const times = [];
  const before = statements;
  for (let i = 0; i < n; i += 1) {
    const start = process.hrtime.bigint();
    await run(i);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / n;
  return { label, n, mean: mean.toFixed(2), p50: times[Math.floor(n / 2)].toFixed(2), p99: times[Math.min(n - 1, Math.ceil(n * 0.99) - 1)].toFixed(2), sql: ((statements - before) / n).toFixed(1) };
}

const login = async () => {
  security('rate-limit').resetRateLimits();
  const answer = await request(server).post('/api/auth/login').send({ identifier: 'demo-county', password });
  if (answer.status !== 200) throw new Error(`login ${answer.status}`);
  return answer.body;
};
const session = await login();
const get = () => request(server).get('/api/kindergartens?pagination[pageSize]=25').set('Authorization', `Bearer ${session.jwt}`).expect(200);
for (let i = 0; i < 20; i += 1) await get(); // warm-up
const rows = [];
rows.push(await measure('GET /api/kindergartens, session cached (5 s)', N, get));
const config = security('config').securityConfig();
const cacheSeconds = config.session.cacheSeconds;
config.session.cacheSeconds = 0;
rows.push(await measure('GET /api/kindergartens, session read every request', N, get));
config.session.cacheSeconds = cacheSeconds;
rows.push(await measure('POST /api/auth/login (bcrypt, session, audit)', LOGINS, () => login()));
let refreshToken = session.refreshToken;
rows.push(await measure('POST /api/auth/refresh (rotation)', LOGINS, async () => {
  security('rate-limit').resetRateLimits();
  const answer = await request(server).post('/api/auth/refresh').send({ refreshToken }).expect(200);
  refreshToken = answer.body.refreshToken;
}));
console.log(`\n${strapi.db.dialect.client} · ${os.cpus().length} cores · Node ${process.version}\n`);
console.log('| request | n | mean ms | p50 ms | p99 ms | SQL statements / request |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const row of rows) console.log(`| ${row.label} | ${row.n} | ${row.mean} | ${row.p50} | ${row.p99} | ${row.sql} |`);
await strapi.destroy();
if (schema) {
  const { Client } = requireFromCms('pg');
  const client = new Client({ connectionString: process.env.DATABASE_URL });
  await client.connect(); await client.query(`DROP SCHEMA ${schema} CASCADE`); await client.end();
}
fs.rmSync(work, { recursive: true, force: true });
process.exit(0);
