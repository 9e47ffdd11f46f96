#!/usr/bin/env node
// `npm run bench:api`: how fast is the kindergarten list for each level of reach, on a province-sized
// data set? Compiles the server, boots it in this process on a throwaway database (a temporary
// SQLite file, or a fresh PostgreSQL schema when DATABASE_URL is set), inserts BENCH_KINDERGARTENS
// (20,000) synthetic kindergartens spread over every county of 福建, then for demo-county,
// demo-prefecture and demo-province measures GET /api/kindergartens (25 per page, by code):
// throughput and latency under load (autocannon, 127.0.0.1 only), sequential latency, and the same
// page as raw SQL through knex. It also compares the react-admin bridge (/ra) with /api.
// Progress goes to stderr; the markdown table for the README goes to stdout. No time is asserted.
//
// Settings (environment): DATABASE_URL, BENCH_KINDERGARTENS (20000), BENCH_DURATION (5 s per
// autocannon run), BENCH_CONNECTIONS (10), BENCH_ITERATIONS (500 sequential requests / queries).
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { appDir, positiveInt as readPositiveInt, requireFromCms, requireFromRoot, root } from './lib/common.mjs';

const positiveInt = (name, fallback) => readPositiveInt('bench:api', name, fallback);

const ROWS = positiveInt('BENCH_KINDERGARTENS', 20000);
const DURATION = positiveInt('BENCH_DURATION', 5);
const CONNECTIONS = positiveInt('BENCH_CONNECTIONS', 10);
const ITERATIONS = positiveInt('BENCH_ITERATIONS', 500);
const PROVINCE_PREFIX = '35'; // 福建省
const PAGE_SIZE = 25;
const API_PAGE = `/api/kindergartens?pagination[pageSize]=${PAGE_SIZE}&sort=code:asc`;
const RA_PAGE = `/ra/kindergartens?sort=${encodeURIComponent('["code","ASC"]')}&range=${encodeURIComponent(`[0,${PAGE_SIZE - 1}]`)}`;
const DEMO_PASSWORD = process.env.DEMO_PASSWORD || `Bench#${crypto.randomBytes(6).toString('hex')}`;
const LEVELS = [
  { level: 'county', username: 'demo-county', prefix: '350502', label: '县级 鲤城区 350502' },
  { level: 'prefecture', username: 'demo-prefecture', prefix: '3505', label: '地市级 泉州市 3505' },
  { level: 'province', username: 'demo-province', prefix: '35', label: '省级 福建 35' },
];

const log = (...args) => console.error('[bench]', ...args);
const ms = (n) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const thousands = (n) => n.toLocaleString('en-US');

// ---------------------------------------------------------------------------------------------
// Database of our own, Strapi boot and cleanup
// ---------------------------------------------------------------------------------------------

const databaseUrl = process.env.DATABASE_URL || '';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'preschool-bench-'));
let schema;
let strapi;
let cleanedUp = false;

async function runOnPostgres(sql) {
  const { Client } = requireFromCms('pg');
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

async function cleanup() {
  if (cleanedUp) return;
  cleanedUp = true;
  if (strapi) {
    try {
      await strapi.destroy();
    } catch (error) {
      log(`warning: strapi.destroy() failed: ${error.message}`);
    }
  }
  if (schema) {
    try {
      await runOnPostgres(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    } catch (error) {
      log(`warning: could not drop PostgreSQL schema ${schema}: ${error.message}`);
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
  process.env.NODE_ENV = 'test';
  process.env.DATA_DIR = work;
  process.env.DEMO_PASSWORD = DEMO_PASSWORD;
  process.env.SEED_DEMO = 'true';
  process.env.HOST = '127.0.0.1';
  process.env.PORT = '0';
  process.env.STRAPI_TELEMETRY_DISABLED = 'true';
  process.env.STRAPI_LOG_LEVEL = process.env.STRAPI_LOG_LEVEL || 'warn';
  if (databaseUrl) {
    const name = `bench_${crypto.randomBytes(6).toString('hex')}`;
    await runOnPostgres(`CREATE SCHEMA ${name}`);
    schema = name; // dropped by cleanup() from here on
    process.env.DATABASE_SCHEMA = schema;
  } else {
    process.env.DATABASE_FILENAME = path.join(work, 'bench.db');
  }
  const { createStrapi } = requireFromCms('@strapi/strapi');
  strapi = createStrapi({ appDir, distDir: path.join(appDir, 'dist'), autoReload: false, serveAdminPanel: false });
  // Strapi itself does not read STRAPI_LOG_LEVEL: without this, every request is logged at `http`
  // level, and the benchmark would measure the console too.
  strapi.log.level = process.env.STRAPI_LOG_LEVEL;
  await strapi.load();
  await strapi.listen();
  const { port } = strapi.server.httpServer.address();
  return `http://127.0.0.1:${port}`;
}

// ---------------------------------------------------------------------------------------------
// Synthetic data
// ---------------------------------------------------------------------------------------------

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余叶程苏吕魏丁沈'.split('');
const GIVEN = '秀英丽敏静燕艳娟霞芳玲红梅婷雪琳晶洁莉萍华慧颖'.split('');
const STYLES = ['实验幼儿园', '中心幼儿园', '第一幼儿园', '第二幼儿园', '阳光幼儿园', '蓝天幼儿园', '小太阳幼儿园', '启蒙幼儿园', '育才幼儿园', '机关幼儿园'];
const STREETS = ['中山路', '人民路', '解放路', '新华街', '建设路', '和平路', '东街', '西街', '南环路', '北门街'];

function documentId() {
  // Strapi's shape: 24 characters of [a-z0-9], starting with a letter.
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = crypto.randomBytes(24);
  let id = alphabet[bytes[0] % 26];
  for (let i = 1; i < 24; i += 1) id += alphabet[bytes[i] % 36];
  return id;
}

/**
 * Inserts `count` kindergartens over every county of the province, county by county (so, as with
 * the demo codes, 31 + county code + n, code order follows region order), with codes 4000000000 + n, far from the demo
 * codes (31…). Returns the number of counties and the load time.
 */
async function loadKindergartens(count) {
  const knex = strapi.db.connection;
  const counties = await knex('regions')
    .select('code', 'name')
    .where('level', 'county')
    .andWhere('code', 'like', `${PROVINCE_PREFIX}%`)
    .groupBy('code', 'name')
    .orderBy('code');
  if (!counties.length) throw new Error(`no county-level regions under ${PROVINCE_PREFIX} — did the GB/T 2260 bootstrap run?`);
  const linkColumns = await knex('kindergartens_county_lnk').columnInfo();
  const started = performance.now();
  const now = new Date();
  const batchSize = 500; // 500 rows × 16 columns stays far below SQLite's bound-parameter limit
  await knex.transaction(async (trx) => {
    let batch = [];
    for (let n = 0; n < count; n += 1) {
      const county = counties[Math.floor((n * counties.length) / count)];
      const style = STYLES[n % STYLES.length];
      batch.push({
        document_id: documentId(),
        code: String(4000000000 + n),
        name: `${county.name}${style}${n}`.slice(0, 100),
        county_code: county.code,
        address: `${county.name}${STREETS[n % STREETS.length]}${(n % 300) + 1}号`,
        principal: `${SURNAMES[n % SURNAMES.length]}${GIVEN[(n * 7) % GIVEN.length]}`,
        phone: `0595-${String(20000000 + ((n * 7919) % 79999999)).padStart(8, '0')}`,
        ownership: n % 5 < 2 ? 'public' : 'private',
        inclusive: n % 4 !== 0,
        status: 'operating',
        created_at: now,
        updated_at: now,
        published_at: now,
        locale: null,
      });
      if (batch.length === batchSize) {
        await trx('kindergartens').insert(batch);
        batch = [];
      }
    }
    if (batch.length) await trx('kindergartens').insert(batch);
    // The county relation, as Strapi keeps it (one region row per code; drafts would double it).
    const regionIds = trx('regions').min('id').groupBy('code');
    const columns = ['kindergarten_id', 'region_id'];
    const select = trx
      .select('k.id', 'r.id')
      .from('kindergartens as k')
      .join('regions as r', 'r.code', 'k.county_code')
      .where('k.code', '>=', '4000000000')
      .whereIn('r.id', regionIds);
    if (linkColumns.kindergarten_ord) {
      columns.push('kindergarten_ord');
      select.select(trx.raw('1'));
    }
    await trx.into(trx.raw('?? (??)', ['kindergartens_county_lnk', columns])).insert(select);
  });
  if (databaseUrl) await knex.raw('ANALYZE kindergartens');
  else await knex.raw('ANALYZE');
  return { counties: counties.length, seconds: (performance.now() - started) / 1000 };
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

async function getJson(url, jwt) {
  const response = await fetch(url, { headers: { authorization: `Bearer ${jwt}` } });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET ${url}: HTTP ${response.status} ${text.slice(0, 300)}`);
  return { body: JSON.parse(text), headers: response.headers };
}

/** Mean wall time (ms) of `iterations` sequential calls of `fn`, after a short warm-up. */
async function timeSequential(fn, iterations = ITERATIONS) {
  for (let i = 0; i < Math.min(20, iterations); i += 1) await fn();
  const started = performance.now();
  for (let i = 0; i < iterations; i += 1) await fn();
  return (performance.now() - started) / iterations;
}

/**
 * Load from a child process, so that the load generator does not share this process's event loop
 * (and Strapi's) — the server runs here.
 */
function autocannon(url, jwt) {
  const script = `
    const autocannon = require(${JSON.stringify(requireFromRoot.resolve('autocannon'))});
    const options = JSON.parse(process.argv[1]);
    autocannon(options).then((r) => {
      process.stdout.write(JSON.stringify({
        rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, mean: r.latency.mean,
        total: r.requests.total, non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts,
      }));
    }, (error) => { console.error(error); process.exit(1); });`;
  const options = { url, connections: CONNECTIONS, duration: DURATION, headers: { authorization: `Bearer ${jwt}` } };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited with ${code}`));
      try {
        const result = JSON.parse(out);
        if (result.non2xx || result.errors || result.timeouts) {
          return reject(new Error(`autocannon on ${url}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`));
        }
        resolve(result);
      } catch (error) {
        reject(new Error(`autocannon output unreadable: ${out.slice(0, 200)}`));
      }
    });
  });
}

/** The page the API serves, as plain SQL: the LIKE-prefix page ordered by code, and the count. */
function rawPage(prefix) {
  const knex = strapi.db.connection;
  return async () => {
    const rows = await knex('kindergartens').select('*').where('county_code', 'like', `${prefix}%`).orderBy('code', 'asc').limit(PAGE_SIZE).offset(0);
    const [{ count }] = await knex('kindergartens').count({ count: '*' }).where('county_code', 'like', `${prefix}%`);
    return { rows, count: Number(count) };
  };
}

/** The database's plan for the page and the count (logged: the LIKE-prefix index use is the crux). */
async function explain(prefix) {
  const knex = strapi.db.connection;
  const page = knex('kindergartens').select('*').where('county_code', 'like', `${prefix}%`).orderBy('code', 'asc').limit(PAGE_SIZE).toString();
  const count = knex('kindergartens').count({ count: '*' }).where('county_code', 'like', `${prefix}%`).toString();
  const plans = [];
  for (const sql of [page, count]) {
    if (databaseUrl) {
      const result = await knex.raw(`EXPLAIN ${sql}`);
      plans.push(result.rows.map((row) => row['QUERY PLAN']).join(' / '));
    } else {
      const rows = await knex.raw(`EXPLAIN QUERY PLAN ${sql}`);
      plans.push(rows.map((row) => row.detail).join(' / '));
    }
  }
  return { page: plans[0], count: plans[1] };
}

/** The SQL statements one API request issues, caught from knex's query event. */
async function captureQueries(fn) {
  const knex = strapi.db.connection;
  const seen = [];
  const listener = (query) => seen.push(query.sql);
  knex.on('query', listener);
  try {
    await fn();
  } finally {
    knex.off('query', listener);
  }
  return seen;
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

async function main() {
  const database = databaseUrl ? 'PostgreSQL' : 'SQLite';
  log(`compiling (scripts/compile.mjs)…`);
  execFileSync(process.execPath, [path.join(root, 'scripts', 'compile.mjs')], { cwd: root, stdio: ['ignore', 2, 2] });

  log(`booting Strapi on ${database}…`);
  const bootStarted = performance.now();
  const baseUrl = await boot();
  const knex = strapi.db.connection;
  const serverVersion = databaseUrl
    ? (await knex.raw('show server_version')).rows[0].server_version
    : (await knex.raw('select sqlite_version() as v'))[0].v;
  log(`ready at ${baseUrl} in ${((performance.now() - bootStarted) / 1000).toFixed(1)} s (${database} ${serverVersion}${schema ? `, schema ${schema}` : ''})`);

  log(`inserting ${thousands(ROWS)} kindergartens…`);
  const load = await loadKindergartens(ROWS);
  const [{ total }] = await knex('kindergartens').count({ total: '*' });
  const [{ links }] = await knex('kindergartens_county_lnk').count({ links: '*' });
  log(`loaded ${thousands(ROWS)} rows over ${load.counties} counties in ${load.seconds.toFixed(2)} s (one transaction, batches of 500, county links, ANALYZE); ` +
    `${thousands(Number(total))} kindergartens, ${thousands(Number(links))} county links in all`);

  const results = [];
  let provinceJwt;
  for (const entry of LEVELS) {
    const jwt = await login(baseUrl, entry.username);
    if (entry.level === 'province') provinceJwt = jwt;
    const raw = rawPage(entry.prefix);
    const expected = await raw();

    // Correctness first: the API answers the same page as the SQL (else the timings mean nothing).
    let apiSql;
    const first = await (async () => {
      let result;
      apiSql = await captureQueries(async () => (result = await getJson(`${baseUrl}${API_PAGE}`, jwt)));
      return result.body;
    })();
    const apiTotal = first.meta?.pagination?.total;
    const apiCodes = (first.data ?? []).map((item) => item.code).join(',');
    const sqlCodes = expected.rows.map((row) => row.code).join(',');
    if (apiTotal !== expected.count || apiCodes !== sqlCodes) {
      throw new Error(`${entry.username}: the API's page (total ${apiTotal}) differs from the SQL's (total ${expected.count}) — scope not applied as expected?`);
    }
    log(`${entry.username}: ${thousands(expected.count)} in reach; one request runs ${apiSql.length} SQL statement(s):`);
    for (const sql of apiSql) log(`    ${sql}`);
    const plan = await explain(entry.prefix);
    log(`${entry.username}: plan of the page:  ${plan.page}`);
    log(`${entry.username}: plan of the count: ${plan.count}`);

    for (let i = 0; i < 100; i += 1) await getJson(`${baseUrl}${API_PAGE}`, jwt); // warm-up (JIT, caches)
    log(`${entry.username}: autocannon ${CONNECTIONS} connections × ${DURATION} s…`);
    const load = await autocannon(`${baseUrl}${API_PAGE}`, jwt);
    log(`${entry.username}: ${ITERATIONS} sequential requests, then ${ITERATIONS} raw SQL pages…`);
    const apiMean = await timeSequential(() => getJson(`${baseUrl}${API_PAGE}`, jwt));
    const sqlMean = await timeSequential(raw);
    results.push({ ...entry, inReach: expected.count, statements: apiSql.length, load, apiMean, sqlMean });
  }

  // The react-admin bridge against /api, same page, same account, interleaved so drift hits both.
  log(`demo-province: /ra bridge vs /api, ${ITERATIONS} sequential requests each…`);
  const ra = await getJson(`${baseUrl}${RA_PAGE}`, provinceJwt);
  const apiFirst = await getJson(`${baseUrl}${API_PAGE}`, provinceJwt);
  const raCodes = ra.body.map((item) => item.code).join(',');
  if (raCodes !== apiFirst.body.data.map((item) => item.code).join(',')) throw new Error('/ra and /api answer different pages');
  const contentRange = ra.headers.get('content-range');
  let raTime = 0;
  let apiTime = 0;
  for (let i = 0; i < 20; i += 1) {
    await getJson(`${baseUrl}${RA_PAGE}`, provinceJwt);
    await getJson(`${baseUrl}${API_PAGE}`, provinceJwt);
  }
  for (let i = 0; i < ITERATIONS; i += 1) {
    let t = performance.now();
    await getJson(`${baseUrl}${RA_PAGE}`, provinceJwt);
    raTime += performance.now() - t;
    t = performance.now();
    await getJson(`${baseUrl}${API_PAGE}`, provinceJwt);
    apiTime += performance.now() - t;
  }
  const bridge = { raMean: raTime / ITERATIONS, apiMean: apiTime / ITERATIONS, contentRange };
  const raLoad = await autocannon(`${baseUrl}${RA_PAGE}`, provinceJwt);

  // ---- the table -----------------------------------------------------------------------------
  const command = databaseUrl ? 'DATABASE_URL=postgres://… npm run bench:api' : 'npm run bench:api';
  const cpu = os.cpus()[0]?.model?.replace(/\s+/g, ' ').trim() ?? 'unknown CPU';
  const lines = [];
  lines.push(`### API benchmark — ${database} ${serverVersion}, ${thousands(Number(total))} kindergartens`);
  lines.push('');
  lines.push(`\`${command}\` · ${os.cpus().length} cores (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}, Node ${process.versions.node} · ` +
    `${thousands(ROWS)} synthetic kindergartens over ${load.counties} counties of 福建 + ${thousands(Number(total) - ROWS)} demo, loaded in ${load.seconds.toFixed(2)} s · ` +
    `\`GET ${API_PAGE}\` · load: autocannon ${CONNECTIONS} connections × ${DURATION} s · sequential: ${ITERATIONS} requests / raw SQL pages (page SELECT + COUNT(*) via knex)`);
  lines.push('');
  lines.push('| reach | rows in reach | SQL statements / request | req/s | p50 ms | p99 ms | API sequential ms | raw SQL ms | API / SQL |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    lines.push(`| ${r.label} | ${thousands(r.inReach)} | ${r.statements} | ${Math.round(r.load.rps)} | ${r.load.p50} | ${r.load.p99} | ${ms(r.apiMean)} | ${ms(r.sqlMean)} | ${(r.apiMean / r.sqlMean).toFixed(1)}× |`);
  }
  lines.push('');
  lines.push('| demo-province, same page | sequential ms | req/s | p50 ms | p99 ms |');
  lines.push('|---|---:|---:|---:|---:|');
  const provinceLoad = results.find((r) => r.level === 'province').load;
  lines.push(`| \`/api/kindergartens\` | ${ms(bridge.apiMean)} | ${Math.round(provinceLoad.rps)} | ${provinceLoad.p50} | ${provinceLoad.p99} |`);
  lines.push(`| \`/ra/kindergartens\` (react-admin bridge) | ${ms(bridge.raMean)} | ${Math.round(raLoad.rps)} | ${raLoad.p50} | ${raLoad.p99} |`);
  lines.push(`| bridge / api | ${(bridge.raMean / bridge.apiMean).toFixed(2)}× | ${(raLoad.rps / provinceLoad.rps).toFixed(2)}× | | |`);
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
  console.error(`\nbench:api failed: ${error?.stack || error}`);
}
await cleanup();
process.exit(exitCode);
