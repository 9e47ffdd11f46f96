#!/usr/bin/env node
// `npm run bench:children`: the duplicate check and the 学籍号 issuing on a province-sized data set,
// made first by `KEEP=1 npm run generate:province` (schema GEN_SCHEMA, default province_bench). Boots
// Strapi in a process of its own on that schema (scripts/lib/server.mjs: the RSS printed is the
// server's alone; SEED_DEMO=true refreshes the demo accounts' password to this run's DEMO_PASSWORD),
// logs in as demo-kindergarten, and measures:
//   - the exact duplicate check, POST /api/children/check-duplicates { idType: '1', idNumber } with
//     numbers of existing children, at a steady BENCH_RATE (100) requests/s for BENCH_DURATION (10) s
//     (an open-loop paced generator in a child process): p50, p99; beside the raw SQL lookup
//     (SELECT … FROM children WHERE id_key = $1), timed directly, and the statements the requests ran
//     replayed at the same rate on as many connections;
//   - the children's list (page 1 of 25 and its count) as the province, a county and a kindergarten,
//     sequential, beside the statements on the children table it runs, replayed directly;
//   - the likely-match search, the same endpoint with { name, birthDate, sex } of existing children,
//     at BENCH_LIKELY_RATE (20) requests/s: p95; beside the raw same-birth-date-and-sex query;
//   - 学籍号 issued per second: studentNumber.issue({ idType: 'Z', regionCode, birthDate }) with
//     concurrency 8 for BENCH_ISSUE_SECONDS (5) s; beside the raw upsert of the sequence.
// The plans (EXPLAIN ANALYZE) of the two lookups go to stderr, the markdown table to stdout.
// The schema is left as found: the sequences consumed by the issuing test are restored. Nothing is
// asserted; the table shows each target and whether it was met.
//
// Settings (environment): DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres),
// GEN_SCHEMA, PII_HASH_KEY and PII_ENCRYPTION_KEY (as for the generator), BENCH_RATE, BENCH_LIKELY_RATE, BENCH_DURATION,
// BENCH_CONNECTIONS (10), BENCH_SAMPLES (2000), BENCH_ISSUE_SECONDS, BENCH_SQL_ITERATIONS (2000), BENCH_LIST_ITERATIONS (20),
// BENCH_LIST_CONNECTIONS (50), BENCH_LIST_SECONDS (10), BENCH_LIST_RATE (300), BENCH_PARTS (all; a comma list of exact, likely, lists,
// lists50, issue to run only those), BENCH_SKIP_COMPILE=1 (cms/dist is current), BENCH_LOADGEN (node; wrk: the
// closed loop of lists50 by Debian's wrk, see scripts/lib/load.mjs).
//   - lists under concurrency (part lists50): the children's list (filters[sex]=female, 25 rows, the
//     panel's order by name, then in id order), as the province and as a county, turning pages 1…40,
//     BENCH_LIST_CONNECTIONS keep-alive connections each sending its next request when the last is
//     answered, for BENCH_LIST_SECONDS s (from a child process); beside the replay of the statements
//     those requests ran (caught from knex's query event) by a pg Pool of as many clients, each client
//     running one request's statements after the other: requests per second, p50/p95, API / raw, and
//     the load average (the machine is shared) before and after each run; then the same pages in an
//     open loop at BENCH_LIST_RATE (300) requests/s (times from when each was due), beside their
//     statements replayed at that rate.
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { appDir, piiCodec, positiveInt as readPositiveInt, requireFromCms, requireFromRoot, root, SYNTHETIC_KEYS } from './lib/common.mjs';
import { concurrentGets, openLoop, replayAtRate, replayConcurrently } from './lib/load.mjs';
import { startServer } from './lib/server.mjs';

const positiveInt = (name, fallback) => readPositiveInt('bench:children', name, fallback);

const SCHEMA = process.env.GEN_SCHEMA || 'province_bench';
const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const HASH_KEY = SYNTHETIC_KEYS.PII_HASH_KEY; // as scripts/generate-province.mjs
const RATE = positiveInt('BENCH_RATE', 100);
const LIKELY_RATE = positiveInt('BENCH_LIKELY_RATE', 20);
const DURATION = positiveInt('BENCH_DURATION', 10);
const CONNECTIONS = positiveInt('BENCH_CONNECTIONS', 10);
const SAMPLES = positiveInt('BENCH_SAMPLES', 2000);
const ISSUE_SECONDS = positiveInt('BENCH_ISSUE_SECONDS', 5);
const SQL_ITERATIONS = positiveInt('BENCH_SQL_ITERATIONS', 2000);
const LIST_ITERATIONS = positiveInt('BENCH_LIST_ITERATIONS', 20);
const LIST_CONNECTIONS = positiveInt('BENCH_LIST_CONNECTIONS', 50);
const LIST_SECONDS = positiveInt('BENCH_LIST_SECONDS', 10);
const LIST_RATE = positiveInt('BENCH_LIST_RATE', 300);
const PARTS = new Set((process.env.BENCH_PARTS || 'exact,likely,lists,lists50,issue').split(',').map((part) => part.trim()));
const ISSUE_CONCURRENCY = 8;
const ENDPOINT = '/api/children/check-duplicates';
const DEMO_PASSWORD = `Bench#${crypto.randomBytes(6).toString('hex')}`;
const SEQUENCES = 'student_number_sequences';
const BACKUP = 'bench_children_sequences_backup';

if (!/^[a-z_][a-z0-9_]{0,62}$/.test(SCHEMA)) {
  console.error(`bench:children: GEN_SCHEMA must be a lower-case identifier (got "${SCHEMA}")`);
  process.exit(2);
}

const log = (...args) => console.error('[bench]', ...args);
const ms = (n) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const thousands = (n) => Math.round(n).toLocaleString('en-US');
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

// ---------------------------------------------------------------------------------------------
// Boot and cleanup
// ---------------------------------------------------------------------------------------------

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'preschool-bench-children-'));
const { Client } = requireFromCms('pg');
let server; // the app, in a process of its own (scripts/lib/server.mjs)
const DUP = { plugin: 'dup-check', service: 'duplicates' };
const NUMBERS = { plugin: 'student-id', service: 'studentNumber' };
let sql; // our own connection, for the raw SQL
let backedUp = false;
let cleanedUp = false;

async function restoreSequences() {
  if (!backedUp) return;
  backedUp = false;
  const client = new Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    await client.query(`SET search_path TO ${SCHEMA}`);
    await client.query(`BEGIN; DELETE FROM ${SEQUENCES}; INSERT INTO ${SEQUENCES} SELECT * FROM ${BACKUP}; DROP TABLE ${BACKUP}; COMMIT`);
    log(`restored ${SEQUENCES} as it was before the issuing test`);
  } finally {
    await client.end();
  }
}

async function cleanup() {
  if (cleanedUp) return;
  cleanedUp = true;
  try {
    await restoreSequences();
  } catch (error) {
    log(`warning: could not restore ${SEQUENCES} (the copy is in ${SCHEMA}.${BACKUP}): ${error.message}`);
  }
  if (sql) await sql.end().catch(() => {});
  if (server) {
    try {
      await server.stop();
    } catch (error) {
      log(`warning: stopping the server failed: ${error.message}`);
      server.kill();
    }
  }
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
    NODE_ENV: 'test',
    DATA_DIR: work,
    DATABASE_URL,
    DATABASE_SCHEMA: SCHEMA,
    PII_HASH_KEY: HASH_KEY,
    PII_ENCRYPTION_KEY: SYNTHETIC_KEYS.PII_ENCRYPTION_KEY,
    DEMO_PASSWORD,
    SEED_DEMO: 'true',
    ARCHIVE_SCHEDULE: 'false',
    ARCHIVE_CATCH_UP: 'false',
    HOST: '127.0.0.1',
    PORT: '0',
    STRAPI_TELEMETRY_DISABLED: 'true',
    STRAPI_LOG_LEVEL: process.env.STRAPI_LOG_LEVEL || 'warn',
  });
  return server.url;
}

// ---------------------------------------------------------------------------------------------
// Measurements
// ---------------------------------------------------------------------------------------------

async function login(baseUrl, username) {
  const response = await fetch(`${baseUrl}/api/auth/local`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ identifier: username, password: DEMO_PASSWORD }),
  });
  const body = await response.json().catch(() => ({}));
  if (response.status !== 200 || !body.jwt) throw new Error(`login ${username}: HTTP ${response.status} ${JSON.stringify(body)}`);
  return body.jwt;
}

async function check(baseUrl, jwt, data) {
  const response = await fetch(`${baseUrl}${ENDPOINT}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${jwt}` },
    body: JSON.stringify({ data }),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`POST ${ENDPOINT}: HTTP ${response.status} ${text.slice(0, 300)}`);
  return JSON.parse(text).data;
}

/**
 * Steady-rate, open-loop load from a child process (so that the load generator does not share the
 * server's event loop): request i is due at start + i / rate, sent on one of CONNECTIONS keep-alive
 * sockets, and its time is counted from when it was due, not from when it could be sent, so a server
 * that falls behind shows it (no coordinated omission). (autocannon's overallRate is not used: it
 * sends each connection's quota back to back at the start of every second, which measures bursts of
 * CONNECTIONS concurrent requests, not a rate.) Every response time is kept, for exact percentiles.
 */
function load(baseUrl, jwt, bodies, rate) {
  const file = path.join(work, `bodies-${crypto.randomBytes(4).toString('hex')}.json`);
  fs.writeFileSync(file, JSON.stringify(bodies.map((data) => JSON.stringify({ data }))));
  const script = `
    const fs = require('node:fs');
    const http = require('node:http');
    const options = JSON.parse(process.argv[1]);
    const bodies = JSON.parse(fs.readFileSync(options.file, 'utf8'));
    const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
    const url = new URL(options.path, options.url);
    const total = Math.round(options.rate * options.duration);
    const times = [];
    let errors = 0, non2xx = 0, done = 0, late = 0;
    const start = performance.now() + 50;
    function send(i) {
      const due = start + (i * 1000) / options.rate;
      const body = bodies[i % bodies.length];
      const request = http.request(url, { method: 'POST', agent, headers: {
        'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: 'Bearer ' + options.jwt,
      } }, (response) => {
        response.resume();
        response.on('end', () => {
          times.push(performance.now() - due);
          if (response.statusCode < 200 || response.statusCode > 299) non2xx += 1;
          finish();
        });
      });
      request.on('error', () => { errors += 1; finish(); });
      request.end(body);
    }
    function finish() {
      done += 1;
      if (done === total) {
        agent.destroy();
        const seconds = (performance.now() - start) / 1000;
        process.stdout.write(JSON.stringify({ rps: total / seconds, total, non2xx, errors, timeouts: 0, late, times }));
      }
    }
    let next = 0;
    (function tick() {
      const now = performance.now();
      while (next < total && start + (next * 1000) / options.rate <= now) {
        if (now - (start + (next * 1000) / options.rate) > 5) late += 1;
        send(next++);
      }
      if (next < total) setTimeout(tick, Math.max(0, start + (next * 1000) / options.rate - performance.now()));
    })();`;
  const options = { url: baseUrl, path: ENDPOINT, jwt, file, rate, connections: CONNECTIONS, duration: DURATION };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      fs.rmSync(file, { force: true });
      if (code !== 0) return reject(new Error(`load generator exited with ${code}`));
      try {
        const result = JSON.parse(out);
        if (result.non2xx) return reject(new Error(`load: ${result.non2xx} non-2xx responses`));
        // Errors (an overloaded server) are reported in the table, not fatal.
        const sorted = result.times.sort((a, b) => a - b);
        resolve({ ...result, times: undefined, count: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] });
      } catch (error) {
        reject(new Error(`load generator output unreadable: ${out.slice(0, 200)}`));
      }
    });
  });
}

/** Times `iterations` runs of one SQL statement (parameters from `params(i)`) on our own connection. */
async function timeSql(text, params, iterations = SQL_ITERATIONS) {
  for (let i = 0; i < Math.min(100, iterations); i += 1) await sql.query({ name: text.slice(0, 60), text, values: params(i) });
  const times = [];
  let rows = 0;
  for (let i = 0; i < iterations; i += 1) {
    const t0 = performance.now();
    const result = await sql.query({ name: text.slice(0, 60), text, values: params(i) });
    times.push(performance.now() - t0);
    rows += result.rowCount;
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99), rowsPerQuery: rows / iterations };
}

async function explain(text, values) {
  const result = await sql.query(`EXPLAIN (ANALYZE, BUFFERS) ${text.replace(/\$(\d+)/g, (_, n) => sql.escapeLiteral(String(values[Number(n) - 1])))}`);
  return result.rows.map((row) => row['QUERY PLAN']).join('\n    ');
}

/** Sequential timing of statements caught from the app (each its own text and values). */
async function timeStatements(statements) {
  for (const { text, values } of statements.slice(0, 100)) await sql.query({ text, values });
  const times = [];
  let rows = 0;
  for (const { text, values } of statements) {
    const t0 = performance.now();
    const result = await sql.query({ text, values });
    times.push(performance.now() - t0);
    rows += result.rowCount;
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99), rowsPerQuery: rows / statements.length };
}

/** The statements (text and values) the server sends while `fn` runs, caught from knex's query event there. */
const captureStatements = (fn) => server.capture(fn);

/** The SQL statements one request issues, caught from knex's query event in the server. */
const captureQueries = async (fn) => (await server.capture(fn)).map(({ text }) => text);

/** Sequential in-process timing of `fn(i)`: the service alone, without HTTP and authentication. */
async function timeService(fn, iterations) {
  for (let i = 0; i < Math.min(50, iterations); i += 1) await fn(i);
  const times = [];
  for (let i = 0; i < iterations; i += 1) {
    const t0 = performance.now();
    await fn(i);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99) };
}

/** Runs `task(i)` with `concurrency` workers for `seconds`; returns completions per second. */
async function throughput(task, concurrency, seconds) {
  const until = performance.now() + seconds * 1000;
  let next = 0;
  let done = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < until) {
      await task(next);
      next += 1;
      done += 1;
    }
  }));
  return { perSecond: done / ((performance.now() - started) / 1000), done };
}

/** The load average (1 min) of this machine, shared with others: printed with every figure. */
const loadAverage = () => os.loadavg()[0].toFixed(2);

/** knex's `?` bindings → PostgreSQL's `$n` (the query event gives the former for knex.raw). */
const positional = (text) => { let n = 0; return /\$\d/.test(text) ? text : text.replace(/\?/g, () => `$${++n}`); };

/** The children's lists under concurrency, API beside the replay of their SQL (part lists50). */
async function listsUnderLoad(baseUrl) {
  const rows = [];
  const orders = [['name (the panel\'s order)', 'sort=name:asc'], ['id', 'sort=id:asc']];
  for (const username of ['demo-province', 'demo-county']) {
    const token = await login(baseUrl, username);
    for (const [orderName, sort] of orders) {
      const paths = Array.from({ length: 40 }, (_, i) => `/api/children?filters[sex][$eq]=female&pagination[page]=${i + 1}&pagination[pageSize]=25&${sort}`);
      const get = async (p) => {
        const response = await fetch(`${baseUrl}${p}`, { headers: { authorization: `Bearer ${token}` } });
        if (response.status !== 200) throw new Error(`GET ${p} as ${username}: HTTP ${response.status}`);
        return (await response.json()).meta.pagination;
      };
      // the first page counts (or estimates) the total: its statements, and the planner's estimate timed alone
      let first;
      const counting = await captureStatements(async () => { first = await get(paths[0]); });
      const { total, estimated } = first;
      const estimates = counting.filter(({ text }) => /^\s*EXPLAIN/i.test(text));
      let estimateMs = null;
      if (estimates.length) {
        const times = [];
        for (let i = 0; i < 30; i += 1) {
          const t0 = performance.now();
          for (const { text, values } of estimates) await sql.query({ text, values });
          times.push(performance.now() - t0);
        }
        estimateMs = times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
        log(`  total ${estimated ? 'estimated' : 'exact'}: ${estimates.length} EXPLAIN, p50 ${ms(estimateMs)} ms; ${counting.length} statements for the first page`);
      }
      // the statements of each page (the count is cached after the first: the pages as they are turned)
      const requests = [];
      for (const p of paths) requests.push((await captureStatements(() => get(p))).map(({ text, values }) => ({ text: positional(text), values })));
      const loadBefore = loadAverage();
      log(`list as ${username} by ${orderName}: ${LIST_CONNECTIONS} connections × ${LIST_SECONDS} s (load ${loadBefore})…`);
      const api = await concurrentGets(baseUrl, token, paths, LIST_CONNECTIONS, LIST_SECONDS);
      const loadMid = loadAverage();
      const raw = await replayConcurrently(DATABASE_URL, SCHEMA, requests, LIST_CONNECTIONS, LIST_SECONDS);
      const statementsPerPage = requests.slice(1).reduce((n, r) => n + r.length, 0) / Math.max(1, requests.length - 1);
      rows.push({ username, orderName, total, estimated, estimateMs, api, raw, statementsPerPage, load: `${loadBefore} → ${loadMid} → ${loadAverage()}`, loop: 'closed' });
      log(`  API (${api.generator}, its CPU ${api.generatorCpu?.toFixed(1)} s) ${api.rps.toFixed(1)} req/s p50 ${ms(api.p50)} p95 ${ms(api.p95)} ms ${JSON.stringify(api.statuses)}; raw ${raw.rps.toFixed(1)} /s p95 ${ms(raw.p95)} ms`);
      // the same pages at a fixed rate (open loop: times from when each was due), beside their SQL at that rate
      const openBefore = loadAverage();
      const open = await openLoop(baseUrl, token, paths.map((p) => ({ path: p })), LIST_RATE, LIST_SECONDS, LIST_CONNECTIONS);
      const openMid = loadAverage();
      const openRaw = await replayAtRate(DATABASE_URL, SCHEMA, requests, LIST_RATE, LIST_SECONDS, LIST_CONNECTIONS);
      rows.push({ username, orderName, total, estimated, api: open, raw: openRaw, statementsPerPage, load: `${openBefore} → ${openMid} → ${loadAverage()}`, loop: 'open' });
      log(`  open loop ${LIST_RATE}/s: API p50 ${ms(open.p50)} p95 ${ms(open.p95)} p99 ${ms(open.p99)} ms ${JSON.stringify(open.statuses)}; raw p95 ${ms(openRaw.p95)} ms`);
    }
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

async function main() {
  sql = new Client({ connectionString: DATABASE_URL });
  await sql.connect();
  const { rows: [present] } = await sql.query(`SELECT to_regclass($1) AS children`, [`${SCHEMA}.children`]);
  if (!present.children) throw new Error(`no ${SCHEMA}.children: run \`KEEP=1 npm run generate:province\` first (GEN_SCHEMA=${SCHEMA})`);
  await sql.query(`SET search_path TO ${SCHEMA}`);
  const { rows: [{ estimate }] } = await sql.query(`SELECT reltuples::bigint AS estimate FROM pg_class WHERE oid = 'children'::regclass`);
  if (Number(estimate) < 1000) throw new Error(`${SCHEMA}.children holds about ${estimate} rows: generate a province first`);

  if (process.env.BENCH_SKIP_COMPILE !== '1') {
    log('compiling (scripts/compile.mjs)…');
    execFileSync(process.execPath, [path.join(root, 'scripts', 'compile.mjs')], { cwd: root, stdio: ['ignore', 2, 2] });
  }
  log(`booting Strapi on PostgreSQL, schema ${SCHEMA}…`);
  const bootStarted = performance.now();
  const baseUrl = await boot();
  const serverVersion = (await sql.query('show server_version')).rows[0].server_version;
  log(`ready at ${baseUrl} in ${((performance.now() - bootStarted) / 1000).toFixed(1)} s`);

  const { rows: [{ total }] } = await sql.query('SELECT COUNT(*)::bigint AS total FROM children');
  const { rows: [{ kindergartens }] } = await sql.query('SELECT COUNT(*)::bigint AS kindergartens FROM kindergartens');

  // Samples of existing children (random blocks of the table), and a check that the data's idKey
  // was made with this run's key (else every exact check would miss).
  const percent = Math.min(100, Math.max(0.01, (100 * SAMPLES * 20) / Number(total)));
  const { rows: sample } = await sql.query(
    `SELECT id_number, id_key, name, sex, to_char(birth_date, 'YYYY-MM-DD') AS birth_date FROM children TABLESAMPLE SYSTEM (${percent}) WHERE id_type = '1' AND id_number IS NOT NULL LIMIT ${SAMPLES}`,
  );
  // the ID numbers are stored encrypted (AES-GCM, as the app stores them): the requests send them plain
  // (this process decrypts with the synthetic key the server and the generator use)
  process.env.PII_ENCRYPTION_KEY = SYNTHETIC_KEYS.PII_ENCRYPTION_KEY;
  const { decryptValue, isEncrypted } = piiCodec();
  for (const row of sample) if (isEncrypted(row.id_number)) row.id_number = decryptValue(row.id_number);
  if (sample.length < 10) throw new Error(`only ${sample.length} children with a resident ID found in ${SCHEMA}`);
  for (let i = sample.length - 1; i > 0; i -= 1) {
    const j = crypto.randomInt(i + 1);
    [sample[i], sample[j]] = [sample[j], sample[i]];
  }
  if ((await server.call(DUP, 'idKey', ['1', sample[0].id_number])) !== sample[0].id_key) throw new Error('idKey mismatch: PII_HASH_KEY differs from the one the generator used');
  log(`${thousands(Number(total))} children; ${sample.length} sampled`);

  const jwt = await login(baseUrl, 'demo-kindergarten');

  let exact; let exactAtRate; let exactSql; let exactService; let exactStatements = [];
  let likely; let likelySql; let likelyService; let likelyStatements = [];
  let issue; let rawIssue; let listsLoaded = [];
  const lists = [];
  if (PARTS.has('exact')) {
  // ---- exact duplicate check -----------------------------------------------------------------
  const exactBodies = sample.map((c) => ({ idType: '1', idNumber: c.id_number }));
  const first = await check(baseUrl, jwt, exactBodies[0]);
  if (!first.exact) throw new Error(`the exact check did not find an existing child: ${JSON.stringify(first).slice(0, 300)}`);
  exactStatements = await captureQueries(() => check(baseUrl, jwt, exactBodies[1]));
  log(`exact check: one request runs ${exactStatements.length} SQL statement(s):`);
  for (const statement of exactStatements) log(`    ${statement}`);
  for (let i = 0; i < 200; i += 1) await check(baseUrl, jwt, exactBodies[i % exactBodies.length]); // warm-up
  log(`exact check: ${RATE} req/s × ${DURATION} s…`);
  const loadExact = loadAverage();
  exact = await load(baseUrl, jwt, exactBodies, RATE);
  exact.load = `${loadExact} → ${loadAverage()}`;
  const exactSqlText = 'SELECT institution_code, county_code FROM children WHERE id_key = $1 LIMIT 1';
  exactSql = await timeSql(exactSqlText, (i) => [sample[i % sample.length].id_key]);
  // the statements of 200 of those requests, replayed at the same rate on as many connections
  const exactRequests = [];
  for (const body of exactBodies.slice(0, 200)) exactRequests.push(await captureStatements(() => check(baseUrl, jwt, body)));
  exactAtRate = await replayAtRate(DATABASE_URL, SCHEMA, exactRequests, RATE, DURATION, CONNECTIONS);
  exactService = await server.time(DUP, 'exactHolder', sample.map((c) => [c.id_key]), Math.min(SQL_ITERATIONS, 1000));
  log(`EXPLAIN exact lookup:\n    ${await explain(exactSqlText, [sample[1].id_key])}`);
  }
  if (PARTS.has('likely')) {

  // ---- likely matches --------------------------------------------------------------------------
  const likelyBodies = sample.map((c) => ({ name: c.name, birthDate: c.birth_date, sex: c.sex }));
  const probe = await check(baseUrl, jwt, likelyBodies[0]);
  if (!probe.candidates?.length) throw new Error(`the likely-match search did not find the child itself: ${JSON.stringify(probe).slice(0, 300)}`);
  likelyStatements = await captureQueries(() => check(baseUrl, jwt, likelyBodies[1]));
  log(`likely matches: one request runs ${likelyStatements.length} SQL statement(s):`);
  for (const statement of likelyStatements) log(`    ${statement}`);
  for (let i = 0; i < 50; i += 1) await check(baseUrl, jwt, likelyBodies[i % likelyBodies.length]);
  log(`likely matches: ${LIKELY_RATE} req/s × ${DURATION} s…`);
  likely = await load(baseUrl, jwt, likelyBodies, LIKELY_RATE);
  // the raw SQL: the very statement the search sends for each sampled child (same day and sex, the
  // name equal, same pinyin, or one character off), caught from knex and replayed on one connection
  const likelyStatements1k = [];
  for (const c of sample.slice(0, Math.min(SQL_ITERATIONS, 1000))) {
    const pinyinKey = await server.call(DUP, 'pinyinKey', [c.name]);
    const caught = await captureStatements(() => server.call(DUP, 'sameDayNameMatches', [{ birthDate: c.birth_date, sex: c.sex, name: c.name, pinyinKey }]));
    likelyStatements1k.push(...caught.filter((statement) => /"children"/.test(statement.text) && /"birth_date"/.test(statement.text)));
  }
  likelySql = await timeStatements(likelyStatements1k);
  const likelySqlText = likelyStatements1k[1].text;
  likelyService = await server.time(DUP, 'likelyMatches', sample.map((c) => [{ name: c.name, birthDate: c.birth_date, sex: c.sex }]), 300);
  log(`EXPLAIN same-day name search:\n    ${await explain(likelySqlText, likelyStatements1k[1].values)}`);
  }
  if (PARTS.has('lists')) {

  // ---- the children's list per level (sequential): page 1 of 25 in the panel's order (name), with its count --
  const listPath = '/api/children?pagination[page]=1&pagination[pageSize]=25&sort=name:asc'; // the panel's default order
  for (const username of ['demo-province', 'demo-county', 'demo-kindergarten']) {
    const token = username === 'demo-kindergarten' ? jwt : await login(baseUrl, username);
    const get = async () => {
      const response = await fetch(`${baseUrl}${listPath}`, { headers: { authorization: `Bearer ${token}` } });
      const body = await response.json();
      if (response.status !== 200) throw new Error(`GET ${listPath} as ${username}: HTTP ${response.status}`);
      return body.meta.pagination.total;
    };
    const inReach = await get();
    const caught = await captureStatements(get);
    if (process.env.BENCH_SHOW_SQL) for (const statement of caught) log(`    ${statement.text} ${JSON.stringify(statement.values)}`);
    const childStatements = caught.filter((statement) => /from "[a-z0-9_]+"\."children"|from "children"/.test(statement.text));
    const api = await timeService(() => get(), LIST_ITERATIONS);
    const raw = await timeService(async () => {
      for (const { text, values } of childStatements) await sql.query({ text, values });
    }, LIST_ITERATIONS);
    lists.push({ username, inReach, statements: caught.length, childStatements: childStatements.length, api, raw });
    log(`list as ${username}: ${thousands(inReach)} in reach, p50 ${ms(api.p50)} ms (its ${childStatements.length} children statements: ${ms(raw.p50)} ms)`);
  }

  }
  if (PARTS.has('lists50')) listsLoaded = await listsUnderLoad(baseUrl);
  if (PARTS.has('issue')) {
  // ---- student numbers -------------------------------------------------------------------------
  const { rows: counties } = await sql.query(`SELECT DISTINCT county_code FROM kindergartens WHERE county_code IS NOT NULL ORDER BY 1`);
  const birthDates = [...new Set(sample.map((c) => c.birth_date))];
  await sql.query(`DROP TABLE IF EXISTS ${BACKUP}; CREATE TABLE ${BACKUP} AS TABLE ${SEQUENCES}`);
  backedUp = true;
  const stem = (i) => [counties[i % counties.length].county_code, birthDates[Math.floor(i / counties.length) % birthDates.length]];
  const issued = new Set();
  log(`issuing 学籍号: concurrency ${ISSUE_CONCURRENCY} × ${ISSUE_SECONDS} s…`);
  for (let i = 0; i < 50; i += 1) await server.call(NUMBERS, 'issue', [{ idType: 'Z', regionCode: stem(i)[0], birthDate: stem(i)[1] }]);
  issue = await throughput(async (i) => {
    const [regionCode, birthDate] = stem(i);
    issued.add(await server.call(NUMBERS, 'issue', [{ idType: 'Z', regionCode, birthDate }]));
  }, ISSUE_CONCURRENCY, ISSUE_SECONDS);
  if (issued.size !== issue.done) throw new Error(`${issue.done} numbers issued but only ${issued.size} distinct`);
  const table = await server.call(NUMBERS, 'table', []);
  const upsert = `INSERT INTO ${table} (prefix, last) VALUES ($1, 1) ON CONFLICT (prefix) DO UPDATE SET last = ${table}.last + 1 RETURNING last`;
  rawIssue = await throughput(async (i) => {
    const [regionCode, birthDate] = stem(i);
    await sql.query(upsert, [`J${regionCode}${birthDate.replace(/-/g, '')}`]);
  }, ISSUE_CONCURRENCY, ISSUE_SECONDS);
  await restoreSequences();
  }

  // ---- the table -------------------------------------------------------------------------------
  const memory = await server.memory();
  const cpu = os.cpus()[0]?.model?.replace(/\s+/g, ' ').trim() ?? 'unknown CPU';
  const lost = (r) => (r.errors || r.timeouts ? `, ${r.errors} errors, ${r.timeouts} timeouts` : '');
  const mark = (ok) => (ok ? '✅' : '❌');
  const lines = [];
  lines.push(`### Children benchmark — PostgreSQL ${serverVersion}, ${thousands(Number(total))} children, ${thousands(Number(kindergartens))} kindergartens`);
  lines.push('');
  lines.push(`\`KEEP=1 npm run generate:province && npm run bench:children\` · ${os.cpus().length} cores (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.versions.node} · ` +
    `as demo-kindergarten, \`POST ${ENDPOINT}\` with ${sample.length} sampled children in turn · load: open loop, one request every 1/rate s on up to ${CONNECTIONS} keep-alive connections, ${DURATION} s, times counted from when each was due · ` +
    `raw SQL: ${thousands(SQL_ITERATIONS)} sequential queries on one connection (prepared) · issuing: ${ISSUE_CONCURRENCY} concurrent loops × ${ISSUE_SECONDS} s`);
  lines.push('');
  lines.push(`load average (1 min) when the table was printed: ${loadAverage()} · server process RSS at the end ${Math.round(memory.rss / 2 ** 20)} MB, peak ${Math.round(memory.peak / 2 ** 20)} MB (the server alone: its own process; target < 400 MB ${mark(memory.peak < 400 * 2 ** 20)})`);
  lines.push('');
  lines.push('| measurement | load | API | raw SQL | API / SQL | target |');
  lines.push('|---|---|---:|---:|---:|---|');
  if (exact) lines.push(`| exact duplicate check \`{ idType: '1', idNumber }\` (${exactStatements.length} SQL statements / request) | ${RATE} req/s × ${DURATION} s (${thousands(exact.count)} answered${lost(exact)}) | ` +
    `p50 ${ms(exact.p50)} ms · p99 ${ms(exact.p99)} ms | p50 ${ms(exactSql.p50)} ms · p99 ${ms(exactSql.p99)} ms (\`id_key = $1\`) | ${(exact.p50 / exactSql.p50).toFixed(0)}× · ${(exact.p99 / exactSql.p99).toFixed(0)}× | p99 < 10 ms ${mark(exact.p99 < 10)} |`);
  if (exact) lines.push(`| ↳ its SQL replayed at the same rate (${RATE} req/s, pg Pool of ${CONNECTIONS}, times from when each was due) | ${RATE} req/s × ${DURATION} s | | p50 ${ms(exactAtRate.p50)} ms · p99 ${ms(exactAtRate.p99)} ms | ${(exact.p50 / exactAtRate.p50).toFixed(1)}× · ${(exact.p99 / exactAtRate.p99).toFixed(1)}× | |`);
  if (exact) lines.push(`| ↳ in-process, no HTTP: \`dup-check.exactHolder(idKey)\` (sequential) | — | p50 ${ms(exactService.p50)} ms · p99 ${ms(exactService.p99)} ms | | ${(exactService.p50 / exactSql.p50).toFixed(0)}× · ${(exactService.p99 / exactSql.p99).toFixed(0)}× | |`);
  if (likely) lines.push(`| likely-match search \`{ name, birthDate, sex }\` (${likelyStatements.length} SQL statements / request) | ${LIKELY_RATE} req/s × ${DURATION} s (${thousands(likely.count)} answered${lost(likely)}) | ` +
    `p95 ${ms(likely.p95)} ms (p50 ${ms(likely.p50)}) | p95 ${ms(likelySql.p95)} ms (same day and sex, name filtered: ${likelySql.rowsPerQuery.toFixed(1)} rows) | ${(likely.p95 / likelySql.p95).toFixed(0)}× | p95 < 100 ms ${mark(likely.p95 < 100)} |`);
  if (likely) lines.push(`| ↳ in-process, no HTTP: \`dup-check.likelyMatches({ name, birthDate, sex })\` (sequential) | — | p95 ${ms(likelyService.p95)} ms (p50 ${ms(likelyService.p50)}) | | ${(likelyService.p95 / likelySql.p95).toFixed(0)}× | |`);
  if (issue) lines.push(`| 学籍号 issued (\`studentNumber.issue\`, type Z → J…) | ${ISSUE_CONCURRENCY} concurrent × ${ISSUE_SECONDS} s (${thousands(issue.done)} numbers, all distinct) | ` +
    `${thousands(issue.perSecond)} /s | ${thousands(rawIssue.perSecond)} /s (sequence upsert) | ${(issue.perSecond / rawIssue.perSecond).toFixed(2)}× | ≥ 1,000/s ${mark(issue.perSecond >= 1000)} |`);
  for (const list of lists) {
    lines.push(`| children's list as ${list.username}, page 1 of 25 and its count (${list.statements} SQL statements / request) | sequential × ${LIST_ITERATIONS} (${thousands(list.inReach)} in reach) | ` +
      `p50 ${ms(list.api.p50)} ms · p95 ${ms(list.api.p95)} ms | p50 ${ms(list.raw.p50)} ms (its ${list.childStatements} statements on children) | ${(list.api.p50 / list.raw.p50).toFixed(1)}× | |`);
  }
  for (const row of listsLoaded.filter((r) => r.loop === 'open')) {
    const bad = Object.entries(row.api.statuses).map(([status, n]) => `${n}× ${status}`).join(', ');
    lines.push(`| children's list as ${row.username}, \`filters[sex]=female\`, by ${row.orderName}, pages 1–40 of 25 | open loop ${LIST_RATE} req/s × ${LIST_SECONDS} s on up to ${LIST_CONNECTIONS} connections, times from when each was due (load ${row.load}) | ` +
      `${row.api.rps.toFixed(1)} req/s · p50 ${ms(row.api.p50)} ms · p95 ${ms(row.api.p95)} ms · p99 ${ms(row.api.p99)} ms${bad ? ` · ${bad}` : ''}${row.api.errors ? ` · ${row.api.errors} errors` : ''} | p50 ${ms(row.raw.p50)} ms · p95 ${ms(row.raw.p95)} ms (same rate, pg Pool of ${LIST_CONNECTIONS}) | ${(row.api.p95 / row.raw.p95).toFixed(1)}× (p95) | p95 < 150 ms ${mark(row.api.p95 < 150 && !bad)} |`);
  }
  for (const row of listsLoaded.filter((r) => r.loop === 'closed')) {
    const bad = Object.entries(row.api.statuses).map(([status, n]) => `${n}× ${status}`).join(', ');
    lines.push(`| children's list as ${row.username}, \`filters[sex]=female\`, by ${row.orderName}, pages 1–40 of 25 (${row.statementsPerPage.toFixed(1)} SQL statements / page turn) | ${LIST_CONNECTIONS} connections × ${LIST_SECONDS} s, closed loop, load by ${row.api.generator}${row.api.generatorCpu != null ? ` (its CPU ${row.api.generatorCpu.toFixed(1)} s of ${LIST_SECONDS} s)` : ''} (${thousands(row.total)}${row.estimated ? ` (estimated${row.estimateMs !== null ? `: the planner's estimate p50 ${ms(row.estimateMs)} ms, target < 5 ms ${mark(row.estimateMs < 5)}` : ''})` : ''} in reach; load ${row.load}) | ` +
      `${row.api.rps.toFixed(1)} req/s · p50 ${ms(row.api.p50)} ms · p95 ${ms(row.api.p95)} ms${bad ? ` · ${bad}` : ''}${row.api.errors ? ` · ${row.api.errors} errors` : ''} | ${row.raw.rps.toFixed(1)} req/s · p95 ${ms(row.raw.p95)} ms (pg Pool of ${LIST_CONNECTIONS}) | ${(row.raw.rps / row.api.rps).toFixed(1)}× | ≥ 300 req/s, p95 < 150 ms ${mark(row.api.rps >= 300 && row.api.p95 < 150 && !bad)} |`);
  }
  printTable(lines.join('\n'));
}

// Strapi's start-up banner and logs go to stdout: send everything to stderr until the table.
const stdoutWrite = process.stdout.write.bind(process.stdout);
process.stdout.write = (chunk, encoding, callback) => process.stderr.write(chunk, encoding, callback);
const printTable = (text) => stdoutWrite(`${text}\n`);

let exitCode = 0;
try {
  await main();
} catch (error) {
  exitCode = 1;
  console.error(`\nbench:children failed: ${error?.stack || error}`);
}
await cleanup();
process.exit(exitCode);
