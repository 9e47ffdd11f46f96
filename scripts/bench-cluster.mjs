#!/usr/bin/env node
// `npm run bench:cluster`: a mixed workload through nginx against 1, 2 and 3 app nodes of the cluster
// of `npm run cluster` (scripts/cluster.mjs). Not a test: nothing is asserted, figures are printed (a
// markdown table on stdout, progress on stderr). The fault drills are scripts/fault-drills.mjs (npm run drill).
//
// Workload (closed loop, BENCH_CONNECTIONS workers, each request picked at random by weight):
//   35% kindergarten  GET  /api/children (a page of 20)            the kindergartens entering data
//   10% kindergarten  PUT  /api/kindergartens/:id (the phone)      an edit (a write on the primary)
//   15% county        GET  /api/requests                           counties reviewing
//   25% province      GET  /api/dashboard                          province dashboards (replica)
//   10% province      GET  /api/statistics                         statistics page (replica)
//    5% province      GET  /api/kindergartens (a page of 25)       province-wide list
// Settings: BENCH_NODES (1,2,3), BENCH_DURATION (20 s per run), BENCH_CONNECTIONS (16), CLUSTER_PORT
// (8080), BENCH_WEIGHTS (other proportions, by the routes' short names: children, edit, requests,
// dashboard, statistics, kindergartens; e.g. `statistics=0,dashboard=35`), and those of scripts/cluster.mjs.
// On a generated province (GEN_SCHEMA, made by `KEEP=1 npm run generate:province` in the database
// of DATABASE_URL; the 5-million-child one is province_5m): the nodes run on that schema with the
// generator's synthetic keys (scripts/lib/common.mjs SYNTHETIC_KEYS: they decrypt its ID numbers),
// the demo accounts' password set to this run's (DEMO_PASSWORD, or one made now), no demo children
// added, no snapshot catch-up or cron at start (a snapshot of millions of children is not the
// workload). Nodes left running by an earlier run are stopped first (they have another password), and
// this run's are stopped at its end.
// The replica is a pg_basebackup of the whole server of DATABASE_URL (every database on it):
// NO_REPLICA=1 leaves it out; use a CLUSTER_DIR of the run's own. Example (as the lead runs it):
//   CLUSTER_DIR=/var/tmp/bench-5m GEN_SCHEMA=province_5m DATABASE_URL=postgres://postgres@127.0.0.1:5432/perf_bench npm run bench:cluster
// The load generator runs on the same machine as the nodes and PostgreSQL: it takes CPU from them.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { SYNTHETIC_KEYS } from './lib/common.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;
const DIR = path.resolve(env.CLUSTER_DIR || '/var/tmp/preschool-cluster');
const BASE = `http://127.0.0.1:${env.CLUSTER_PORT || 8080}`;
const NODE_LIST = (env.BENCH_NODES || '1,2,3').split(',').map(Number).filter((n) => n > 0);
const DURATION = Number(env.BENCH_DURATION || 20) * 1000;
/** the nodes' own ports, as scripts/cluster.mjs gives them */
const NODE_BASE_PORT = Number(env.NODE_BASE_PORT || 1341);
const CONNECTIONS = Number(env.BENCH_CONNECTIONS || 16);
const GEN_SCHEMA = env.GEN_SCHEMA || null;
const log = (message) => console.error(`[bench:cluster] ${message}`);
if (GEN_SCHEMA && !/^[a-z_][a-z0-9_]{0,62}$/.test(GEN_SCHEMA)) {
  console.error(`bench:cluster: GEN_SCHEMA must be a lower-case identifier (got "${GEN_SCHEMA}")`);
  process.exit(2);
}
/** The nodes' settings on a generated province (GEN_SCHEMA): its schema, its keys, this run's demo password. */
const provinceEnv = () => ({
  DATABASE_SCHEMA: GEN_SCHEMA, PII_HASH_KEY: SYNTHETIC_KEYS.PII_HASH_KEY, PII_ENCRYPTION_KEY: SYNTHETIC_KEYS.PII_ENCRYPTION_KEY,
  DEMO_PASSWORD: env.DEMO_PASSWORD, SEED_DEMO: 'true', SEED_DEMO_CHILDREN: 'false', ARCHIVE_SCHEDULE: 'false', ARCHIVE_CATCH_UP: 'false', JOB_SCHEDULES: 'false',
});
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export const cluster = (args, extra = {}) => execFileSync(process.execPath, [path.join(root, 'scripts', 'cluster.mjs'), ...args], { env: { ...env, SKIP_COMPILE: '1', ...extra }, stdio: ['ignore', 'inherit', 'inherit'] });

const password = () => env.DEMO_PASSWORD || fs.readFileSync(path.join(env.DATA_DIR || path.join(DIR, 'data'), 'demo-password.txt'), 'utf8').trim();
export async function login(username) {
  // nginx may be reloading (its new configuration): a few tries
  for (let i = 0; i < 20; i += 1) {
    try {
      return await loginOnce(username);
    } catch (error) {
      if (i === 19) throw error;
      await sleep(500);
    }
  }
}
async function loginOnce(username) {
  const response = await fetch(`${BASE}/api/auth/local`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identifier: username, password: password() }) });
  if (!response.ok) throw new Error(`login ${username}: ${response.status}`);
  return (await response.json()).jwt;
}

export async function routes() {
  const [kindergarten, county, province] = await Promise.all(['demo-kindergarten', 'demo-county', 'demo-province'].map(login));
  const auth = (token) => ({ authorization: `Bearer ${token}` });
  const own = await (await fetch(`${BASE}/api/kindergartens`, { headers: auth(kindergarten) })).json();
  const id = own.data[0].documentId;
  let serial = 0;
  const list = [
    { name: 'GET /api/children (kindergarten)', weight: 35, request: () => [`${BASE}/api/children?pagination[pageSize]=20`, { headers: auth(kindergarten) }] },
    { name: 'PUT /api/kindergartens/:id (kindergarten)', weight: 10, write: true, request: () => {
      serial += 1;
      const phone = `0595-${String(10000000 + (serial % 89999999))}`;
      return [`${BASE}/api/kindergartens/${id}`, { method: 'PUT', headers: { ...auth(kindergarten), 'content-type': 'application/json' }, body: JSON.stringify({ data: { phone } }) }, phone];
    } },
    { name: 'GET /api/requests (county)', weight: 15, request: () => [`${BASE}/api/requests`, { headers: auth(county) }] },
    { name: 'GET /api/dashboard (province)', weight: 25, request: () => [`${BASE}/api/dashboard`, { headers: auth(province) }] },
    { name: 'GET /api/statistics (province)', weight: 10, request: () => [`${BASE}/api/statistics`, { headers: auth(province) }] },
    { name: 'GET /api/kindergartens (province)', weight: 5, request: () => [`${BASE}/api/kindergartens?pagination[pageSize]=25`, { headers: auth(province) }] },
  ].map((route) => ({ ...route, id }));
  const short = ['children', 'edit', 'requests', 'dashboard', 'statistics', 'kindergartens'];
  for (const pair of (env.BENCH_WEIGHTS || '').split(',').filter(Boolean)) {
    const [key, value] = pair.split('=');
    const index = short.indexOf(key.trim());
    if (index < 0 || !(Number(value) >= 0)) throw new Error(`BENCH_WEIGHTS: "${pair}" is not <${short.join('|')}>=<weight ≥ 0>`);
    list[index].weight = Number(value);
  }
  return list.filter((route) => route.weight > 0);
}

const quantile = (sorted, q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN);

/** Runs the workload for `ms`; returns per-route latencies and statuses, and the acknowledged writes. */
export async function load(list, ms, onTick) {
  const total = list.reduce((sum, route) => sum + route.weight, 0);
  const pick = () => {
    let r = Math.random() * total;
    for (const route of list) if ((r -= route.weight) < 0) return route;
    return list[0];
  };
  const stats = new Map(list.map((route) => [route.name, { latencies: [], statuses: {} }]));
  const acknowledged = [];
  const end = Date.now() + ms;
  const started = Date.now();
  const worker = async () => {
    while (Date.now() < end) {
      const route = pick();
      const [url, init, value] = route.request();
      const t0 = performance.now();
      let status;
      try {
        const response = await fetch(url, init);
        await response.arrayBuffer();
        status = response.status;
      } catch {
        status = 'error';
      }
      const entry = stats.get(route.name);
      entry.latencies.push(performance.now() - t0);
      entry.statuses[status] = (entry.statuses[status] ?? 0) + 1;
      if (route.write && status === 200) acknowledged.push({ value, at: Date.now() });
    }
  };
  const ticker = onTick ? setInterval(onTick, 250) : undefined;
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  if (ticker) clearInterval(ticker);
  return { stats, acknowledged, seconds: (Date.now() - started) / 1000 };
}

export function report(title, result) {
  const lines = [`\n### ${title}\n`, '| route | requests | req/s | p50 ms | p95 ms | p99 ms | statuses |', '|---|---:|---:|---:|---:|---:|---|'];
  let all = 0;
  for (const [name, { latencies, statuses }] of result.stats) {
    const sorted = [...latencies].sort((a, b) => a - b);
    all += sorted.length;
    lines.push(`| ${name} | ${sorted.length} | ${(sorted.length / result.seconds).toFixed(1)} | ${quantile(sorted, 0.5).toFixed(0)} | ${quantile(sorted, 0.95).toFixed(0)} | ${quantile(sorted, 0.99).toFixed(0)} | ${JSON.stringify(statuses)} |`);
  }
  lines.push(`| **all** | ${all} | **${(all / result.seconds).toFixed(1)}** | | | | load average ${os.loadavg().map((n) => n.toFixed(1)).join(' / ')} |`);
  console.log(lines.join('\n'));
  return all / result.seconds;
}

/** The generated province's size (the planner's estimate: counting 5 million rows takes a while), or an error if it is missing. */
function provinceSize() {
  const url = env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const sql = `SELECT coalesce((SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass('${GEN_SCHEMA}.children')), -1), coalesce((SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass('${GEN_SCHEMA}.kindergartens')), -1)`;
  const [children, kindergartens] = execFileSync('psql', [url, '-Atc', sql], { encoding: 'utf8' }).trim().split('|').map(Number);
  if (children < 0) throw new Error(`no ${GEN_SCHEMA}.children in ${url.replace(/\/\/[^@]*@/, '//')}: run \`KEEP=1 GEN_SCHEMA=${GEN_SCHEMA} npm run generate:province\` first`);
  return { children, kindergartens };
}

/**
 * Each node keeps its own dashboard figures (cms/src/api/statistics/services/statistics.ts cachedCounties):
 * the first dashboard of a node computes them (about 33 s of GROUP BY at 5 million children) and its readers
 * wait. Asked of every node directly before the measured run, so the run measures the kept figures, and the
 * time it took is printed.
 */
async function warmFigures(nodes) {
  const started = Date.now();
  const token = await login('demo-province');
  await Promise.all(Array.from({ length: nodes }, (_, i) =>
    fetch(`http://127.0.0.1:${NODE_BASE_PORT + i}/api/dashboard`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(300_000) })));
  log(`${nodes} node(s): dashboard figures computed on every node in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function bench() {
  const throughput = {};
  let extra = {};
  let scale = 'the cluster\'s demo schema';
  if (GEN_SCHEMA) {
    const size = provinceSize();
    scale = `${GEN_SCHEMA}: about ${size.children.toLocaleString('en-US')} children, ${size.kindergartens.toLocaleString('en-US')} kindergartens`;
    env.DEMO_PASSWORD ||= `Bench#${crypto.randomBytes(6).toString('hex')}`;
    extra = provinceEnv();
    log(`on ${scale}; nodes of an earlier run stopped first`);
    cluster(['stop']);
  }
  for (const nodes of NODE_LIST) {
    log(`${nodes} node(s): starting / reconfiguring nginx`);
    cluster(['start'], { ...extra, NODES: String(nodes) });
    const list = await routes();
    await warmFigures(nodes);
    await load(list, 3000); // warm-up
    throughput[nodes] = report(`${nodes} node(s), ${CONNECTIONS} connections, ${DURATION / 1000} s, ${scale}`, await load(list, DURATION));
  }
  // a generated province's nodes run with this run's password and would load the next benchmark: stopped
  if (GEN_SCHEMA) cluster(['stop']);
  if (throughput[1] && throughput[2]) console.log(`\nscaling 2 nodes / 1 node: ${(throughput[2] / throughput[1]).toFixed(2)}×${throughput[3] ? `; 3 nodes / 1 node: ${(throughput[3] / throughput[1]).toFixed(2)}×` : ''}`);
}

const main = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (main) {
  try {
    await bench();
  } catch (error) {
    console.error(`bench:cluster: ${error.message}`);
    process.exit(1);
  }
}
