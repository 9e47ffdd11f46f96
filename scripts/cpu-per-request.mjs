#!/usr/bin/env node
// `npm run bench:cpu`: the server's CPU time per request (not wall time, so it can be measured on a
// loaded machine) and the SQL statements per request, for the requests that must stay fast under load (docs/performance-under-load.md): the
// children's list (the API and the panel's `/ra/children`, by name, page turns), the exact duplicate
// check, the dashboard. The server runs in its own process (scripts/lib/server.mjs); for each
// request kind it is warmed up, then asked N times by CPU_CONNECTIONS keep-alive connections, and
// process.cpuUsage() of the server before and after gives CPU ms per request (user + system); the
// statements are those knex sent meanwhile. Also prints the server's RSS (now, peak) and the load average.
// Data: a generated province (`KEEP=1 GEN_SCHEMA=… GEN_CHILDREN=300000 npm run generate:province`).
// Settings: DATABASE_URL, GEN_SCHEMA (province_bench), CPU_REQUESTS (400 per kind), CPU_CONNECTIONS (4),
// CPU_KINDS (comma-separated names, default all), BENCH_SKIP_COMPILE=1 (cms/dist is current).
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

import { SYNTHETIC_KEYS, piiCodec, positiveInt, requireFromCms, root } from './lib/common.mjs';
import { startServer } from './lib/server.mjs';

const SCHEMA = process.env.GEN_SCHEMA || 'province_bench';
const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const REQUESTS = positiveInt('bench:cpu', 'CPU_REQUESTS', 400);
const CONNECTIONS = positiveInt('bench:cpu', 'CPU_CONNECTIONS', 4);
const KINDS = (process.env.CPU_KINDS || '').split(',').map((s) => s.trim()).filter(Boolean);
const PASSWORD = `Bench#${crypto.randomBytes(6).toString('hex')}`;
const log = (line) => console.error(`[bench:cpu] ${line}`);

const page = (i) => `pagination[page]=${(i % 40) + 1}&pagination[pageSize]=25`;
const range = (i) => `range=${encodeURIComponent(JSON.stringify([(i % 40) * 25, (i % 40) * 25 + 24]))}`;
const raSort = `sort=${encodeURIComponent('["name","ASC"]')}`;
const raFilter = (filter) => `filter=${encodeURIComponent(JSON.stringify(filter))}`;

/** Each kind: who asks, and the i-th request (method, path, body). */
const ALL_KINDS = [
  { name: 'api-list-province', user: 'demo-province', what: '`GET /api/children` female, by name, pages 1–40 of 25', request: (i) => ({ path: `/api/children?filters[sex][$eq]=female&${page(i)}&sort=name:asc` }) },
  { name: 'ra-list-province', user: 'demo-province', what: 'the panel\'s `GET /ra/children` by name, pages 1–40 of 25', request: (i) => ({ path: `/ra/children?${raSort}&${range(i)}&${raFilter({})}` }) },
  { name: 'ra-list-county-status', user: 'demo-county', what: 'the panel\'s `GET /ra/children` as a county, status filter, by name, pages 1–40', request: (i) => ({ path: `/ra/children?${raSort}&${range(i)}&${raFilter({ status: 'registered' })}` }) },
  { name: 'dup-exact', user: 'demo-kindergarten', what: '`POST /api/children/check-duplicates` `{ idType, idNumber }` (existing children)', request: (i, ctx) => ({ method: 'POST', path: '/api/children/check-duplicates', body: JSON.stringify({ data: ctx.bodies[i % ctx.bodies.length] }) }) },
  { name: 'dashboard', user: 'demo-province', what: '`GET /api/dashboard` as the province (figures kept)', request: () => ({ path: '/api/dashboard' }) },
];
const kinds = KINDS.length ? ALL_KINDS.filter((k) => KINDS.includes(k.name)) : ALL_KINDS;

/** N requests on `connections` keep-alive sockets from this process; statuses that were not 2xx. */
async function drive(url, jwt, kind, ctx, count, connections) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const statuses = {};
  let next = 0;
  const one = (i) => new Promise((resolve, reject) => {
    const { method = 'GET', path: p, body } = kind.request(i, ctx);
    const headers = { authorization: `Bearer ${jwt}` };
    if (body) Object.assign(headers, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    const req = http.request(new URL(p, url), { method, agent, headers }, (res) => {
      res.resume();
      res.on('end', () => { if (res.statusCode >= 300) statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1; resolve(); });
    });
    req.on('error', reject);
    req.end(body);
  });
  await Promise.all(Array.from({ length: connections }, async () => { while (next < count) await one(next++); }));
  agent.destroy();
  return statuses;
}

async function main() {
  const { Client } = requireFromCms('pg');
  const sql = new Client({ connectionString: DATABASE_URL });
  await sql.connect();
  await sql.query(`SET search_path TO ${SCHEMA}`);
  const { rows: sample } = await sql.query(`SELECT id_number FROM children TABLESAMPLE SYSTEM (1) WHERE id_type = '1' AND id_number IS NOT NULL LIMIT 500`);
  await sql.end();
  if (!sample.length) throw new Error(`no children in ${SCHEMA}: run \`KEEP=1 GEN_SCHEMA=${SCHEMA} npm run generate:province\` first`);
  if (process.env.BENCH_SKIP_COMPILE !== '1') execFileSync(process.execPath, [path.join(root, 'scripts', 'compile.mjs')], { cwd: root, stdio: ['ignore', 2, 2] });
  process.env.PII_ENCRYPTION_KEY = SYNTHETIC_KEYS.PII_ENCRYPTION_KEY;
  const { decryptValue, isEncrypted } = piiCodec();
  const ctx = { bodies: sample.map((r) => ({ idType: '1', idNumber: isEncrypted(r.id_number) ? decryptValue(r.id_number) : r.id_number })) };

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cpu-'));
  const server = await startServer({
    NODE_ENV: 'test', DATA_DIR: work, DATABASE_URL, DATABASE_SCHEMA: SCHEMA, PII_HASH_KEY: SYNTHETIC_KEYS.PII_HASH_KEY,
    PII_ENCRYPTION_KEY: SYNTHETIC_KEYS.PII_ENCRYPTION_KEY, DEMO_PASSWORD: PASSWORD, SEED_DEMO: 'true', ARCHIVE_SCHEDULE: 'false',
    ARCHIVE_CATCH_UP: 'false', HOST: '127.0.0.1', PORT: '0', STRAPI_TELEMETRY_DISABLED: 'true', STRAPI_LOG_LEVEL: 'warn',
  });
  const rows = [];
  try {
    const tokens = {};
    for (const user of new Set(kinds.map((k) => k.user))) {
      const res = await fetch(`${server.url}/api/auth/local`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identifier: user, password: PASSWORD }) });
      const body = await res.json();
      if (!body.jwt) throw new Error(`login ${user}: HTTP ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
      tokens[user] = body.jwt;
    }
    for (const kind of kinds) {
      const warm = await drive(server.url, tokens[kind.user], kind, ctx, Math.max(80, REQUESTS / 4), CONNECTIONS);
      const before = await server.cpu();
      const t0 = performance.now();
      const statuses = await drive(server.url, tokens[kind.user], kind, ctx, REQUESTS, CONNECTIONS);
      const seconds = (performance.now() - t0) / 1000;
      const after = await server.cpu();
      const user = (after.user - before.user) / 1000 / REQUESTS;
      const system = (after.system - before.system) / 1000 / REQUESTS;
      // the two IPC messages run no statement; the cpu message's own cost is negligible (µs)
      const row = { kind, cpu: user + system, user, system, statements: (after.statements - before.statements) / REQUESTS, rps: REQUESTS / seconds, statuses: { ...warm, ...statuses }, load: os.loadavg()[0] };
      rows.push(row);
      log(`${kind.name}: ${row.cpu.toFixed(2)} CPU ms/request (user ${user.toFixed(2)}, system ${system.toFixed(2)}), ${row.statements.toFixed(2)} statements/request, ${row.rps.toFixed(0)} req/s, not 2xx ${JSON.stringify(row.statuses)}, load ${row.load.toFixed(2)}`);
    }
    const memory = await server.memory();
    const uptime = execFileSync('uptime', { encoding: 'utf8' }).trim();
    console.log(`#### CPU per request — ${SCHEMA}, \`${process.env.BENCH_LABEL || 'this checkout'}\`\n`);
    console.log(`\`GEN_SCHEMA=${SCHEMA} npm run bench:cpu\` · ${REQUESTS} requests per kind after ${Math.max(80, REQUESTS / 4)} to warm up, ${CONNECTIONS} keep-alive connections · server RSS now ${Math.round(memory.rss / 2 ** 20)} MB, peak ${Math.round(memory.peak / 2 ** 20)} MB · \`uptime\`: ${uptime}\n`);
    console.log('| request | server CPU ms / request (user + system) | SQL statements / request | req/s (wall, loaded machine) | not 2xx |');
    console.log('|---|---:|---:|---:|---|');
    for (const r of rows) console.log(`| ${r.kind.what} as ${r.kind.user} | ${r.cpu.toFixed(2)} (${r.user.toFixed(2)} + ${r.system.toFixed(2)}) | ${r.statements.toFixed(2)} | ${r.rps.toFixed(0)} | ${Object.keys(r.statuses).length ? JSON.stringify(r.statuses) : '—'} |`);
  } finally {
    await server.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`bench:cpu failed: ${error?.stack ?? error}`);
  process.exit(1);
});
