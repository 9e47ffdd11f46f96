#!/usr/bin/env node
// `npm run bench:dashboard`: dashboards and the monthly snapshot on a province-sized data set, made
// first by `KEEP=1 npm run generate:province` (schema GEN_SCHEMA, default province_bench; a smaller
// one with GEN_CHILDREN=…). Boots Strapi in a process of its own (scripts/lib/server.mjs: the RSS
// printed is the server's alone) on that schema (SEED_DEMO=true refreshes the
// demo accounts' password; the scheduled and catch-up snapshots are off), logs in as demo-province
// and measures, each beside the raw SQL underneath:
//   - dashboard load, GET /api/dashboard, BENCH_REQUESTS (200) sequential requests after a warm-up:
//     p50, p95 — the county figures come from the statistics cache (stale-while-revalidate,
//     dropped by writes), so the raw SQL beside it is what one cold load computes: the three
//     GROUP BY statements of the statistics (kindergartens, classes, children) issued directly;
//   - the first (cold) dashboard load, the cache emptied;
//   - the drill-down, POST /api/statistics/query {children × prefecture} (cached figures) and
//     {children × ownership} (no cache: its own GROUP BY), p95, beside their raw SQL;
//   - one province snapshot: snapshots.run(period) for a past period (BENCH_PERIOD, default 2000-01),
//     computed and saved, beside the raw SQL of the summary; the period's row is deleted afterwards,
//     so the schema is left as found (apart from the tables Strapi adds for content types the
//     generator did not know).
// The app runs with its real configuration, encryption at rest included: the generator stores the ID
// numbers encrypted with the synthetic key of scripts/lib/common.mjs, which this run boots with.
// Nothing is asserted; the table shows each target and whether it was met.
//
// Settings (environment): DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres),
// GEN_SCHEMA, PII_HASH_KEY (as for the generator), BENCH_REQUESTS, BENCH_SQL_ITERATIONS (5), BENCH_PERIOD,
// BENCH_DASHBOARD_CONNECTIONS (10), BENCH_DASHBOARD_SECONDS (10): the dashboard as well under that many
// connections (closed loop, from a child process), beside the replay of the statements one warm
// dashboard load runs (caught from knex) by a pg Pool of as many clients, with the load average;
// BENCH_DASHBOARD_RATE (50): the dashboard in an open loop at that rate (times from when each was
// due), beside the same statements replayed at that rate.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { positiveInt as readPositiveInt, requireFromCms, SYNTHETIC_KEYS } from './lib/common.mjs';
import { concurrentGets, openLoop, replayAtRate, replayConcurrently } from './lib/load.mjs';
import { startServer } from './lib/server.mjs';

const positiveInt = (name, fallback) => readPositiveInt('bench:dashboard', name, fallback);

const SCHEMA = process.env.GEN_SCHEMA || 'province_bench';
const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const HASH_KEY = SYNTHETIC_KEYS.PII_HASH_KEY;
const REQUESTS = positiveInt('BENCH_REQUESTS', 200);
const SQL_ITERATIONS = positiveInt('BENCH_SQL_ITERATIONS', 5);
const PERIOD = process.env.BENCH_PERIOD || '2000-01';
const DASHBOARD_CONNECTIONS = positiveInt('BENCH_DASHBOARD_CONNECTIONS', 10);
const DASHBOARD_SECONDS = positiveInt('BENCH_DASHBOARD_SECONDS', 10);
const DASHBOARD_RATE = positiveInt('BENCH_DASHBOARD_RATE', 50);
const DEMO_PASSWORD = `Bench#${crypto.randomBytes(6).toString('hex')}`;

if (!/^[a-z_][a-z0-9_]{0,62}$/.test(SCHEMA)) {
  console.error(`bench:dashboard: GEN_SCHEMA must be a lower-case identifier (got "${SCHEMA}")`);
  process.exit(2);
}
if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(PERIOD)) {
  console.error(`bench:dashboard: BENCH_PERIOD must be YYYY-MM (got "${PERIOD}")`);
  process.exit(2);
}

const log = (...args) => console.error('[bench]', ...args);
const ms = (n) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const thousands = (n) => Math.round(n).toLocaleString('en-US');
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
const stats = (times) => {
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), min: sorted[0], count: sorted.length };
};
const mark = (ok) => (ok ? '✓' : '✗');

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'preschool-bench-dashboard-'));
let server; // the app, in a process of its own (scripts/lib/server.mjs)
const STATISTICS = { uid: 'api::statistics.statistics' };
let sqlClient; // our own connection (counts, versions)
let savedPeriod = false;
let cleanedUp = false;

async function cleanup() {
  if (cleanedUp) return;
  cleanedUp = true;
  if (server) {
    if (savedPeriod) {
      await server.query('plugin::archive-snapshot.snapshot', 'delete', { where: { period: PERIOD } }).catch((error) => log(`warning: could not delete the ${PERIOD} snapshot: ${error.message}`));
    }
    await server.stop().catch((error) => { log(`warning: stopping the server failed: ${error.message}`); server.kill(); });
  }
  if (sqlClient) await sqlClient.end().catch(() => {});
  fs.rmSync(work, { recursive: true, force: true });
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    log(`${signal}: cleaning up`);
    cleanup().finally(() => process.exit(130));
  });
}

async function boot() {
  server = await startServer({
    NODE_ENV: 'test', DATA_DIR: work, DATABASE_URL, DATABASE_SCHEMA: SCHEMA, PII_HASH_KEY: HASH_KEY, PII_ENCRYPTION_KEY: SYNTHETIC_KEYS.PII_ENCRYPTION_KEY,
    DEMO_PASSWORD, SEED_DEMO: 'true', ARCHIVE_SCHEDULE: 'false', ARCHIVE_CATCH_UP: 'false', HOST: '127.0.0.1', PORT: '0',
    STRAPI_TELEMETRY_DISABLED: 'true', STRAPI_LOG_LEVEL: process.env.STRAPI_LOG_LEVEL || 'warn',
  });
  return server.url;
}

async function login(baseUrl, username) {
  const response = await fetch(`${baseUrl}/api/auth/local`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identifier: username, password: DEMO_PASSWORD }),
  });
  const body = await response.json().catch(() => ({}));
  if (response.status !== 200 || !body.jwt) throw new Error(`login ${username}: HTTP ${response.status} ${JSON.stringify(body)}`);
  return body.jwt;
}

async function call(baseUrl, jwt, method, url, body) {
  const t0 = performance.now();
  const response = await fetch(`${baseUrl}${url}`, {
    method, headers: { 'content-type': 'application/json', authorization: `Bearer ${jwt}` }, body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  const elapsed = performance.now() - t0;
  if (response.status !== 200) throw new Error(`${method} ${url}: HTTP ${response.status} ${text.slice(0, 300)}`);
  return { elapsed, json: JSON.parse(text) };
}

async function repeat(n, fn) {
  const times = [];
  for (let i = 0; i < n; i += 1) times.push((await fn()).elapsed);
  return stats(times);
}

/** The statements one statistics computation runs (captured from knex), replayed directly on the connection. */
async function rawSql(label, run) {
  // (the statements are replayed on a connection of our own, as the pg driver receives them)
  const statements = (await server.capture(run)).filter((q) => /group by/i.test(q.text));
  const { Client } = requireFromCms('pg');
  const client = new Client({ connectionString: DATABASE_URL });
  await client.connect();
  await client.query(`SET search_path TO ${SCHEMA}`);
  const times = [];
  try {
    for (let i = 0; i < SQL_ITERATIONS; i += 1) {
      const t0 = performance.now();
      for (const q of statements) await client.query(q);
      times.push(performance.now() - t0);
    }
  } finally {
    await client.end();
  }
  log(`${label}: ${statements.length} GROUP BY statements, raw p50 ${ms(stats(times).p50)} ms`);
  return { ...stats(times), statements: statements.length };
}

async function main() {
  // the generator's synthetic key: the ID numbers it wrote are encrypted with it, as the app does
  log(`booting Strapi on ${SCHEMA} (its own process)`);
  const baseUrl = await boot();
  const { Client } = requireFromCms('pg');
  sqlClient = new Client({ connectionString: DATABASE_URL });
  await sqlClient.connect();
  const count = async (table) => Number((await sqlClient.query(`SELECT COUNT(*) AS n FROM ${SCHEMA}.${table}`)).rows[0].n);
  const sizes = { children: await count('children'), kindergartens: await count('kindergartens'), classes: await count('school_classes') };
  log(`${thousands(sizes.children)} children, ${thousands(sizes.kindergartens)} kindergartens, ${thousands(sizes.classes)} classes`);
  const jwt = await login(baseUrl, 'demo-province');

  // cold: the cache emptied, one dashboard load computes the county figures
  const coldTimes = [];
  for (let i = 0; i < 3; i += 1) {
    await server.call(STATISTICS, 'dropCache', []);
    coldTimes.push((await call(baseUrl, jwt, 'GET', '/api/dashboard')).elapsed);
  }
  const cold = stats(coldTimes);
  const dashboardSql = await rawSql('dashboard', () => server.call(STATISTICS, 'byCounty', [{ prefix: '35' }]));

  // warm: sequential loads
  await call(baseUrl, jwt, 'GET', '/api/dashboard');
  const warm = await repeat(REQUESTS, () => call(baseUrl, jwt, 'GET', '/api/dashboard'));
  const sample = (await call(baseUrl, jwt, 'GET', '/api/dashboard')).json;
  log(`dashboard: ${thousands(sample.statistics.total.figures.children)} children in reach, p95 ${ms(warm.p95)} ms`);

  // under concurrency, beside the same statements replayed by a pg Pool of as many clients
  const dashboardStatements = await server.capture(() => call(baseUrl, jwt, 'GET', '/api/dashboard'));
  log(`a warm dashboard load runs ${dashboardStatements.length} statement(s):`);
  for (const { text } of dashboardStatements) log(`    ${text.slice(0, 200)}`);
  const loadBefore = os.loadavg()[0].toFixed(2);
  const concurrent = await concurrentGets(baseUrl, jwt, ['/api/dashboard'], DASHBOARD_CONNECTIONS, DASHBOARD_SECONDS);
  const loadMid = os.loadavg()[0].toFixed(2);
  const concurrentSql = await replayConcurrently(DATABASE_URL, SCHEMA, [dashboardStatements], DASHBOARD_CONNECTIONS, DASHBOARD_SECONDS);
  const concurrentLoad = `${loadBefore} → ${loadMid} → ${os.loadavg()[0].toFixed(2)}`;
  log(`dashboard × ${DASHBOARD_CONNECTIONS}: ${concurrent.rps.toFixed(1)} req/s p95 ${ms(concurrent.p95)} ms; raw ${concurrentSql.rps.toFixed(1)} /s (load ${concurrentLoad})`);
  // at a fixed rate (open loop, times from when each was due), beside the same statements at that rate
  const openBefore = os.loadavg()[0].toFixed(2);
  const open = await openLoop(baseUrl, jwt, [{ path: '/api/dashboard' }], DASHBOARD_RATE, DASHBOARD_SECONDS, DASHBOARD_CONNECTIONS);
  const openMid = os.loadavg()[0].toFixed(2);
  const openSql = await replayAtRate(DATABASE_URL, SCHEMA, [dashboardStatements], DASHBOARD_RATE, DASHBOARD_SECONDS, DASHBOARD_CONNECTIONS);
  const openLoad = `${openBefore} → ${openMid} → ${os.loadavg()[0].toFixed(2)}`;
  log(`dashboard at ${DASHBOARD_RATE}/s: p95 ${ms(open.p95)} ms; raw p95 ${ms(openSql.p95)} ms (load ${openLoad})`);

  // drill-down and a breakdown without cache
  const drill = await repeat(Math.min(REQUESTS, 100), () => call(baseUrl, jwt, 'POST', '/api/statistics/query', { indicator: 'children', dimension: 'prefecture' }));
  const breakdownBody = { indicator: 'children', dimension: 'ownership' };
  const breakdown = await repeat(Math.min(REQUESTS, 10), () => call(baseUrl, jwt, 'POST', '/api/statistics/query', breakdownBody));
  const breakdownSql = await rawSql('breakdown', () => server.call({ uid: 'api::statistics.query' }, 'run', [{ kind: 'region', prefix: '35' }, breakdownBody]));

  // one province snapshot, saved, then removed
  await server.query('plugin::archive-snapshot.snapshot', 'delete', { where: { period: PERIOD } });
  savedPeriod = true;
  const t0 = performance.now();
  const snapshot = await server.call({ plugin: 'archive-snapshot', service: 'snapshots' }, 'run', [PERIOD, 'bench']);
  const snapshotMs = performance.now() - t0;
  const snapshotSql = await rawSql('snapshot', () => server.call(STATISTICS, 'snapshotSummary', []));
  log(`snapshot ${PERIOD}: ${snapshot.state}, ${snapshot.summary.counties.length} counties, ${ms(snapshotMs)} ms`);

  const cpu = os.cpus();
  const pg = (await sqlClient.query('SHOW server_version')).rows[0].server_version;
  const memory = await server.memory();
  const lines = [];
  lines.push(`#### Dashboard and snapshot benchmark — PostgreSQL ${pg}, ${thousands(sizes.children)} children`);
  lines.push('');
  lines.push(`\`GEN_SCHEMA=${SCHEMA} npm run bench:dashboard\` · ${cpu.length} cores (${cpu[0]?.model?.trim()}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.versions.node} · ` +
    `${thousands(sizes.kindergartens)} kindergartens, ${thousands(sizes.classes)} classes, ${thousands(sizes.children)} children (福建, 35) · as demo-province · ` +
    `sequential requests; raw SQL: the GROUP BY statements the server runs, captured and replayed directly, ${SQL_ITERATIONS}×`);
  lines.push(`server process RSS at the end ${Math.round(memory.rss / 2 ** 20)} MB, peak ${Math.round(memory.peak / 2 ** 20)} MB (the server alone, its own process; target < 400 MB ${mark(memory.peak < 400 * 2 ** 20)}) · load average at the end ${os.loadavg()[0].toFixed(2)}`);
  lines.push('');
  lines.push('| measurement | requests | API | raw SQL underneath | API / SQL | target |');
  lines.push('|---|---:|---:|---:|---:|---|');
  lines.push(`| dashboard \`GET /api/dashboard\` (county figures from the statistics cache) | ${warm.count} | p50 ${ms(warm.p50)} ms · p95 ${ms(warm.p95)} ms | ${ms(dashboardSql.p50)} ms (${dashboardSql.statements} GROUP BY) | ${(warm.p95 / dashboardSql.p50).toFixed(3)}× | p95 < 300 ms ${mark(warm.p95 < 300)} |`);
  const bad = Object.entries(concurrent.statuses).map(([status, n]) => `${n}× ${status}`).join(', ');
  lines.push(`| dashboard, ${DASHBOARD_CONNECTIONS} connections × ${DASHBOARD_SECONDS} s, closed loop (${dashboardStatements.length} SQL statements / request; load ${concurrentLoad}) | ${thousands(concurrent.count)} | ${concurrent.rps.toFixed(1)} req/s · p50 ${ms(concurrent.p50)} ms · p95 ${ms(concurrent.p95)} ms${bad ? ` · ${bad}` : ''} | ${concurrentSql.rps.toFixed(1)} req/s · p95 ${ms(concurrentSql.p95)} ms (the same statements, pg Pool of ${DASHBOARD_CONNECTIONS}) | ${(concurrentSql.rps / concurrent.rps).toFixed(1)}× | p95 < 150 ms ${mark(concurrent.p95 < 150 && !bad)} |`);
  const openBad = Object.entries(open.statuses).map(([status, n]) => `${n}× ${status}`).join(', ');
  lines.push(`| dashboard, open loop ${DASHBOARD_RATE} req/s × ${DASHBOARD_SECONDS} s on up to ${DASHBOARD_CONNECTIONS} connections, times from when each was due (load ${openLoad}) | ${thousands(open.count)} | p50 ${ms(open.p50)} ms · p95 ${ms(open.p95)} ms · p99 ${ms(open.p99)} ms${openBad ? ` · ${openBad}` : ''} | p50 ${ms(openSql.p50)} ms · p95 ${ms(openSql.p95)} ms (the same statements at the same rate) | ${(open.p95 / openSql.p95).toFixed(1)}× (p95) | p95 < 150 ms ${mark(open.p95 < 150 && !openBad)} |`);
  lines.push(`| ↳ first load, cache empty (computes the figures) | ${cold.count} | p50 ${ms(cold.p50)} ms | ${ms(dashboardSql.p50)} ms | ${(cold.p50 / dashboardSql.p50).toFixed(2)}× | |`);
  lines.push(`| drill-down \`POST /api/statistics/query\` children × prefecture (cached figures) | ${drill.count} | p50 ${ms(drill.p50)} ms · p95 ${ms(drill.p95)} ms | ${ms(dashboardSql.p50)} ms | ${(drill.p95 / dashboardSql.p50).toFixed(3)}× | p95 < 300 ms ${mark(drill.p95 < 300)} |`);
  lines.push(`| breakdown children × ownership (own GROUP BY, not cached) | ${breakdown.count} | p50 ${ms(breakdown.p50)} ms · p95 ${ms(breakdown.p95)} ms | ${ms(breakdownSql.p50)} ms (${breakdownSql.statements} GROUP BY) | ${(breakdown.p50 / breakdownSql.p50).toFixed(2)}× | |`);
  lines.push(`| one province snapshot \`snapshots.run('${PERIOD}')\` (computed and saved) | 1 | ${ms(snapshotMs)} ms | ${ms(snapshotSql.p50)} ms (${snapshotSql.statements} GROUP BY) | ${(snapshotMs / snapshotSql.p50).toFixed(2)}× | < 60 s ${mark(snapshotMs < 60000)} |`);
  printTable(lines.join('\n'));
}

const stdoutWrite = process.stdout.write.bind(process.stdout);
process.stdout.write = (chunk, encoding, callback) => process.stderr.write(chunk, encoding, callback);
const printTable = (text) => stdoutWrite(`${text}\n`);

let exitCode = 0;
try {
  await main();
} catch (error) {
  exitCode = 1;
  console.error(`\nbench:dashboard failed: ${error?.stack || error}`);
}
await cleanup();
process.exit(exitCode);
