#!/usr/bin/env node
// `npm run drill`: fault drills on the cluster of `npm run cluster` (scripts/cluster.mjs), each printing
// its verdict (PASS / FAIL and its figures). Not a test (it kills processes and stops databases);
// docs/scale-out.md has the verdicts measured. Start the cluster first with a primary of its own:
//   PRIMARY_PORT=55432 REPLICA_PORT=55433 NODES=2 npm run cluster -- start
// then run this with the same settings. The drills:
//   kill-node       kill -9 one of 2 nodes under the bench's mixed load: nginx routes around it, no
//                   acknowledged write is lost, no 5xx beyond the requests in flight
//   replica-down    the replica stopped: statistics are read from the primary, no failed answer
//   primary-restart the primary restarted under load: only 503 while it is down, 200 again after
//   mid-snapshot    a node killed while it computes the monthly snapshot: exactly one snapshot of the
//                   period once the queue's retry took the claim over (time fast-forwarded: see below)
//   mid-import      a node killed while it runs an Excel import: the import resumed by another node
//                   to the end, its rows written once (time fast-forwarded)
//   mid-export      a node killed while it runs a large list export (a job): another node takes it over
//                   when its heartbeat is staleSeconds old (config/imports.json exportJobs; real time, not
//                   fast-forwarded) and writes the file once; the job ends done, never left running
// "Mid-run" is made certain, not lucky: the drill holds a lock on the children's table, so the node
// that took the job waits inside it; the node is found from its blocked database connection and killed.
// Waiting the real takeover times (30 min claim, 40 min job expiry, 10 min import heartbeat) is skipped
// by ageing those timestamps in the database, exactly what the passing of time would do; the takeover
// itself is the app's and pg-boss's own. Settings: DRILLS (all: kill-node,replica-down,primary-restart,
// mid-snapshot,mid-import,mid-export), DRILL_CHILDREN (3000: children the demo kindergarten gets, by an import,
// before the drills), BENCH_CONNECTIONS (16), and those of scripts/cluster.mjs.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { cluster, load, login, report, routes } from './bench-cluster.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;
const DIR = path.resolve(env.CLUSTER_DIR || '/var/tmp/preschool-cluster');
const BASE = `http://127.0.0.1:${env.CLUSTER_PORT || 8080}`;
const CONNECTIONS = Number(env.BENCH_CONNECTIONS || 16);
const DRILLS = (env.DRILLS || 'kill-node,replica-down,primary-restart,mid-snapshot,mid-import,mid-export').split(',');
const CHILDREN = Number(env.DRILL_CHILDREN || 3000);
const asRoot = process.getuid?.() === 0;
const log = (message) => console.error(`[drill] ${message}`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const cmsRequire = createRequire(path.join(root, 'cms', 'package.json'));
const { Pool } = cmsRequire('pg');
const ExcelJS = cmsRequire('exceljs');
const verdicts = [];
const verdict = (name, ok, detail) => {
  verdicts.push(ok);
  console.log(`drill ${name}: ${ok ? 'PASS' : 'FAIL'} — ${detail}`);
};
const pgCtlAsync = (...args) => promisify(execFile)(asRoot ? 'runuser' : 'pg_ctl', asRoot ? ['-u', 'postgres', '--', 'pg_ctl', ...args] : args);
const pgCtl = (...args) => execFileSync(asRoot ? 'runuser' : 'pg_ctl', asRoot ? ['-u', 'postgres', '--', 'pg_ctl', ...args] : args, { stdio: 'ignore' });
const state = () => JSON.parse(fs.readFileSync(path.join(DIR, 'state.json'), 'utf8'));
/** Whether the process lives (a killed node nobody reaps stays a zombie: gone). */
const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

let pool;
const schema = () => state().schema || 'cluster_demo';
const q = async (sql, params = []) => (await pool.query(sql, params)).rows;

/** The app node (pid) whose database connection waits on a lock (the drill's), or null. */
async function blockedNode() {
  const rows = await q(`SELECT client_port FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database() AND client_port IS NOT NULL`);
  for (const { client_port: port } of rows) {
    const out = execFileSync('ss', ['-tnpH', 'state', 'established', `( sport = :${port} )`], { encoding: 'utf8' });
    const pid = Number(out.match(/pid=(\d+)/)?.[1]);
    const node = state().nodes.find((n) => n.pid === pid);
    if (node) return node;
  }
  return null;
}

/** Holds ACCESS EXCLUSIVE on the children's table until `release()`: a job reading or writing children waits in it. */
async function lockChildren() {
  const client = await pool.connect();
  await client.query('BEGIN');
  await client.query(`LOCK TABLE ${schema()}.children IN ACCESS EXCLUSIVE MODE`);
  return { release: async () => { await client.query('ROLLBACK').catch(() => undefined); client.release(); } };
}

async function waitFor(what, seconds, fn) {
  for (let i = 0; i < seconds * 4; i += 1) {
    const value = await fn();
    if (value) return value;
    await sleep(250);
  }
  throw new Error(`${what}: not within ${seconds} s`);
}

// an import workbook of the template's columns (the kindergarten's children)
const HEADERS = ['姓名', '身份证件类型', '证件号码', '出生地', '籍贯', '民族', '国籍/地区', '港澳台侨外', '健康状况', '户口所在地', '户口性质', '现住址', '联系电话', '入园日期', '班级', '就读方式', '是否独生子女', '监护人1姓名', '监护人1与幼儿关系', '监护人1身份证件类型', '监护人1证件号码', '监护人1联系电话'];
function residentId(region, birth, sequence) {
  const body = `${region}${birth}${sequence}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((s, d, i) => s + Number(d) * weights[i], 0);
  return body + '10X98765432'[sum % 11];
}
async function workbook(prefix, count, offset) {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('幼儿信息');
  sheet.addRow(HEADERS);
  for (let i = 0; i < count; i += 1) {
    const n = offset + i;
    const day = new Date(Date.UTC(2021, 8, 1) + (n % 600) * 86400000).toISOString().slice(0, 10).replaceAll('-', '');
    const sequence = String(Math.floor(n / 600) % 1000).padStart(3, '0');
    const parent = new Date(Date.UTC(1990, 0, 1) + (n % 3000) * 86400000).toISOString().slice(0, 10).replaceAll('-', '');
    const values = {
      姓名: `${prefix}${n}`, 身份证件类型: '居民身份证', 证件号码: residentId('350502', day, sequence), 出生地: '350502', 籍贯: '福建泉州', 民族: '汉族', '国籍/地区': '中国', 港澳台侨外: '否',
      健康状况: '健康或良好', 户口所在地: '350502', 户口性质: '非农业', 现住址: '鲤城区中山路 9 号', 联系电话: '13800000000', 入园日期: '2025-09-01', 班级: '小一班', 就读方式: '走读', 是否独生子女: '是',
      监护人1姓名: `${prefix}${n}家长`, 监护人1与幼儿关系: '母亲', 监护人1身份证件类型: '居民身份证', 监护人1证件号码: residentId('350502', parent, String(Math.floor(n / 3000) % 1000).padStart(3, '0')), 监护人1联系电话: '13900000000',
    };
    sheet.addRow(HEADERS.map((h) => values[h]));
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}
async function upload(token, file) {
  const form = new FormData();
  form.append('file', new Blob([file]), 'drill.xlsx');
  form.append('mode', 'valid-only');
  const response = await fetch(`${BASE}/api/child-import`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  const body = await response.json();
  if (response.status !== 202) throw new Error(`import refused: ${response.status} ${JSON.stringify(body).slice(0, 300)}`);
  return body.data.id;
}
const importRow = async (documentId) => (await q(`SELECT id, state, imported, attempts, message FROM ${schema()}.child_imports WHERE document_id = $1`, [documentId]))[0];

/** A few thousand children for the demo kindergarten (once), through the import: the drills' data. */
async function seedChildren() {
  const [{ n }] = await q(`SELECT count(*)::int AS n FROM ${schema()}.children`);
  if (n >= CHILDREN) return log(`${n} children already`);
  const token = await login('demo-kindergarten');
  const documentId = await upload(token, await workbook('演练幼儿', CHILDREN - n, n));
  const row = await waitFor('seed import', 900, async () => { const r = await importRow(documentId); return ['done', 'failed', 'rejected'].includes(r?.state) && r; });
  log(`seeded: import ${row.state}, ${row.imported} children (${row.message ?? ''})`);
}

async function killNode() {
  const list = await routes();
  const victim = state().nodes.at(-1);
  let killed = false;
  const startedAt = Date.now();
  const result = await load(list, 12_000, () => {
    if (!killed && Date.now() > startedAt + 4000) {
      killed = true;
      process.kill(victim.pid, 'SIGKILL');
      log(`node ${victim.port} (pid ${victim.pid}) killed with SIGKILL`);
    }
  });
  const failed = [...result.stats.values()].reduce((sum, { statuses }) => sum + Object.entries(statuses).filter(([s]) => s === 'error' || Number(s) >= 500).reduce((a, [, n]) => a + n, 0), 0);
  const [row] = await q(`SELECT phone FROM ${schema()}.kindergartens WHERE document_id = $1 LIMIT 1`, [list[0].id]);
  const last = result.acknowledged.at(-1);
  const lost = last && row?.phone !== last.value;
  report('drill: kill -9 one of 2 nodes under load', result);
  verdict('kill-node', failed <= CONNECTIONS && !lost, `5xx/errors ${failed} (bound: requests in flight ≤ ${CONNECTIONS}) of ${[...result.stats.values()].reduce((s, e) => s + e.latencies.length, 0)}; ${result.acknowledged.length} writes acknowledged, the last ${lost ? 'LOST' : 'in the database'}`);
  cluster(['start']); // the killed node back
}

async function replicaDown() {
  if (!state().replica) return verdict('replica-down', false, 'the cluster runs without a replica');
  const replicaDir = path.join(DIR, 'replica');
  pgCtl('-D', replicaDir, '-m', 'fast', '-w', 'stop');
  const stoppedAt = Date.now();
  const province = await login('demo-province');
  let fallback = null;
  let failures = 0;
  for (let i = 0; i < 80 && fallback === null; i += 1) {
    const response = await fetch(`${BASE}/api/statistics`, { headers: { authorization: `Bearer ${province}` } });
    await response.arrayBuffer();
    if (response.status >= 500) failures += 1;
    if (response.status === 200 && response.headers.get('x-read-from') === 'primary') fallback = Date.now() - stoppedAt;
    else await sleep(250);
  }
  const health = await (await fetch(`${BASE}/api/health`)).json().catch(() => null);
  verdict('replica-down', fallback !== null && failures === 0, `statistics read from the primary ${fallback !== null ? `${(fallback / 1000).toFixed(1)} s` : 'never'} after the replica stopped; ${failures} failed answers; health.replica ${JSON.stringify(health?.replica ? { used: health.replica.used, problem: String(health.replica.problem ?? '').slice(0, 60) } : null)}`);
  pgCtl('-D', replicaDir, '-l', path.join(replicaDir, 'replica.log'), '-w', 'start');
}

async function primaryRestart() {
  const primaryDir = path.join(DIR, 'primary');
  if (!fs.existsSync(path.join(primaryDir, 'PG_VERSION'))) return verdict('primary-restart', false, 'the primary is not the cluster\'s own (start it with PRIMARY_PORT)');
  const list = await routes();
  let down = null;
  let up = null;
  const startedAt = Date.now();
  const timeline = [];
  const result = await load(list, 20_000, () => {
    if (down === null && Date.now() > startedAt + 4000) {
      down = Date.now();
      log('primary: pg_ctl restart -m fast');
      // in the background of the load: the stop, 3 s down, the start
      (async () => {
        await pgCtlAsync('-D', primaryDir, '-m', 'fast', '-w', 'stop').catch(() => undefined);
        timeline.push(['stopped', Date.now() - down]);
        await sleep(3000);
        await pgCtlAsync('-D', primaryDir, '-l', path.join(primaryDir, 'primary.log'), '-w', 'start');
        up = Date.now();
        timeline.push(['started', up - down]);
      })().catch((error) => log(`primary restart: ${error.message}`));
    }
  });
  await pool.end().catch(() => undefined);
  pool = newPool();
  // answers after the restart: all served again
  const province = await login('demo-province');
  let recovered = null;
  for (let i = 0; i < 240 && recovered === null; i += 1) {
    const response = await fetch(`${BASE}/api/kindergartens?pagination[pageSize]=5`, { headers: { authorization: `Bearer ${province}` } });
    await response.arrayBuffer();
    if (response.status === 200) recovered = Date.now() - (up ?? Date.now());
    else await sleep(250);
  }
  report('drill: the primary restarted under load', result);
  const statuses = {};
  for (const { statuses: s } of result.stats.values()) for (const [k, n] of Object.entries(s)) statuses[k] = (statuses[k] ?? 0) + n;
  const bad = Object.entries(statuses).filter(([s]) => s === 'error' || (Number(s) >= 500 && Number(s) !== 503)).reduce((a, [, n]) => a + n, 0);
  verdict('primary-restart', bad === 0 && recovered !== null, `statuses ${JSON.stringify(statuses)}: ${bad} answers other than 200/4xx/503; the primary was down ${timeline.find(([e]) => e === 'started')?.[1] ?? '?'} ms; served again ${recovered !== null ? `${(recovered / 1000).toFixed(1)} s after it was up` : 'never'}`);
}

/** The drill's own connections to the primary (one that the restart cuts is an event, not a crash). */
function newPool() {
  const created = new Pool({ connectionString: primaryUrl() });
  created.on('error', () => undefined);
  return created;
}

function primaryUrl() {
  return env.PRIMARY_PORT ? `postgres://postgres@127.0.0.1:${env.PRIMARY_PORT}/postgres` : env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
}

/** pg-boss's schema of the app's (cms/src/runtime/jobs.ts). */
const jobsSchema = () => (schema() === 'public' ? 'pgboss' : `${schema()}_jobs`);

async function sendJob(name, data, options = {}) {
  const PgBoss = cmsRequire('pg-boss');
  const boss = new PgBoss({ connectionString: primaryUrl(), schema: jobsSchema(), supervise: false, schedule: false, migrate: false });
  boss.on('error', () => undefined);
  await boss.start();
  const id = await boss.send(name, data, options);
  await boss.stop({ graceful: false, close: true }).catch(() => undefined);
  return id;
}

async function midSnapshot() {
  // a past period with no snapshot yet
  const taken = new Set((await q(`SELECT period FROM ${schema()}.archive_snapshots`)).map((r) => r.period));
  let period;
  for (let m = 1; m <= 24 && !period; m += 1) {
    const d = new Date(Date.UTC(2025, 12 - m, 1));
    const p = d.toISOString().slice(0, 7);
    if (!taken.has(p)) period = p;
  }
  const lock = await lockChildren();
  let victim;
  try {
    await sendJob('archive-snapshot', { period });
    victim = await waitFor('a node inside the snapshot', 60, blockedNode);
    const [claim] = await q(`SELECT state FROM ${schema()}.archive_snapshots WHERE period = $1`, [period]);
    process.kill(victim.pid, 'SIGKILL');
    log(`snapshot ${period}: node ${victim.port} (pid ${victim.pid}) killed inside it (claim ${claim?.state})`);
  } finally {
    await lock.release();
  }
  await waitFor('the node gone', 10, () => !alive(victim.pid));
  // time passes: the claim is past its takeover age (30 min), the job past its expiry (40 min)
  await q(`UPDATE ${schema()}.archive_snapshots SET started_at = now() - interval '31 minutes' WHERE period = $1 AND state = 'running'`, [period]);
  await q(`UPDATE ${jobsSchema()}.job SET started_on = now() - expire_in - interval '1 minute' WHERE name = 'archive-snapshot' AND state = 'active'`);
  const started = Date.now();
  const row = await waitFor('the snapshot taken over', 420, async () => (await q(`SELECT period, state, trigger FROM ${schema()}.archive_snapshots WHERE period = $1 AND state = 'done'`, [period]))[0]);
  const [{ n }] = await q(`SELECT count(*)::int AS n FROM ${schema()}.archive_snapshots WHERE period = $1`, [period]);
  const jobs = await q(`SELECT state, retry_count FROM ${jobsSchema()}.job WHERE name = 'archive-snapshot' AND data->>'period' = $1 UNION ALL SELECT state, retry_count FROM ${jobsSchema()}.archive WHERE name = 'archive-snapshot' AND data->>'period' = $1`, [period]).catch(() => []);
  verdict('mid-snapshot', n === 1 && row.state === 'done', `period ${period}: ${n} snapshot row, ${row.state}, trigger "${row.trigger}", ${((Date.now() - started) / 1000).toFixed(0)} s after the fast-forward (pg-boss expiry, retry); job ${JSON.stringify(jobs)}`);
  cluster(['start']);
}

async function midImport() {
  const token = await login('demo-kindergarten');
  const before = (await q(`SELECT count(*)::int AS n FROM ${schema()}.children WHERE name LIKE '断点幼儿%'`))[0].n;
  const lock = await lockChildren();
  let documentId;
  let victim;
  try {
    documentId = await upload(token, await workbook('断点幼儿', 200, 50_000 + before));
    victim = await waitFor('a node inside the import', 120, blockedNode);
    const row = await importRow(documentId);
    process.kill(victim.pid, 'SIGKILL');
    log(`import ${documentId}: node ${victim.port} (pid ${victim.pid}) killed inside it (state ${row?.state})`);
  } finally {
    await lock.release();
  }
  await waitFor('the node gone', 10, () => !alive(victim.pid));
  const cut = await importRow(documentId);
  const written = (await q(`SELECT count(*)::int AS n FROM ${schema()}.children WHERE name LIKE '断点幼儿%'`))[0].n - before;
  // time passes: the heartbeat is older than interruptedJobs.staleMinutes (config/imports.json)
  await q(`UPDATE ${schema()}.child_imports SET updated_at = now() - interval '11 minutes' WHERE id = $1`, [cut.id]);
  const started = Date.now();
  const end = await waitFor('the import ended', 420, async () => { const r = await importRow(documentId); return ['done', 'failed', 'rejected'].includes(r?.state) && r; });
  const rows = (await q(`SELECT count(*)::int AS n FROM ${schema()}.children WHERE name LIKE '断点幼儿%'`))[0].n - before;
  const clean = (end.state === 'done' && rows === 200 && end.imported === 200) || (end.state === 'failed' && rows === 0);
  verdict('mid-import', clean && written === 0, `cut in state ${cut.state} with ${written} rows written; then ${end.state} after attempt ${end.attempts}, ${rows} of 200 rows in the database once, ${((Date.now() - started) / 1000).toFixed(0)} s after the fast-forward (message: ${end.message ?? '—'})`);
  cluster(['start']);
}

/**
 * A large export of the demo kindergarten's children, as the export route queues one above
 * exportJobAboveRows (config/imports.json; the drill's few thousand children are below it, so the
 * job row is written here as cms/src/api/export-job/services/export-job.ts `queue` writes it, and the
 * job sent); the node that takes it waits on the drill's lock, is killed, and the wall-clock time to
 * the takeover and to the file is measured: nothing is fast-forwarded.
 */
async function midExport() {
  const exportsDir = path.join(env.DATA_DIR || path.join(DIR, 'data'), 'exports');
  const [user] = await q(`SELECT id, username FROM ${schema()}.up_users WHERE username = 'demo-kindergarten'`);
  const [{ n: total }] = await q(`SELECT count(*)::int AS n FROM ${schema()}.children`);
  const records = async () => (await q(`SELECT count(*)::int AS n FROM ${schema()}.export_records WHERE username = $1 AND kind = 'children'`, [user.username]))[0].n;
  const recordsBefore = await records();
  const documentId = `drill${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`.slice(0, 24);
  // as cms/src/api/child-export/controllers/child-export.ts queues it (listExportController, method `children`)
  const action = 'api::child-export.child-export.export';
  const request = { filters: {}, action, path: '/api/child-export', query: { format: 'csv' } };
  const [row] = await q(`INSERT INTO ${schema()}.export_jobs (document_id, source, kind, title, format, request, state, total, written, attempts, user_id, username, created_at, updated_at, published_at)
    VALUES ($1, 'api::child-export.child-export.children', 'children', '幼儿学籍', 'csv', $2, 'queued', $3, 0, 0, $4, $5, now(), now(), now()) RETURNING id`, [documentId, JSON.stringify(request), total, user.id, user.username]);
  const job = async () => (await q(`SELECT state, attempts, written, message, file_name FROM ${schema()}.export_jobs WHERE id = $1`, [row.id]))[0];
  const lock = await lockChildren();
  let victim;
  let killedAt;
  try {
    await sendJob('list-export', { id: row.id }, { singletonKey: documentId });
    victim = await waitFor('a node inside the export', 60, blockedNode);
    const cut = await job();
    process.kill(victim.pid, 'SIGKILL');
    killedAt = Date.now();
    log(`export ${documentId}: node ${victim.port} (pid ${victim.pid}) killed inside it (state ${cut.state}, run ${cut.attempts})`);
  } finally {
    await lock.release();
  }
  let takenOver = null;
  const end = await waitFor('the export ended', 300, async () => {
    const r = await job();
    if (takenOver === null && (r.state !== 'running' || r.attempts > 1)) takenOver = (Date.now() - killedAt) / 1000;
    return ['done', 'failed'].includes(r.state) && r;
  });
  const finished = (Date.now() - killedAt) / 1000;
  const files = fs.existsSync(exportsDir) ? fs.readdirSync(exportsDir).filter((name) => name.startsWith(documentId)) : [];
  let lines = null;
  if (end.state === 'done') {
    const token = await login('demo-kindergarten');
    const response = await fetch(`${BASE}/api/file-jobs/${documentId}/export`, { headers: { authorization: `Bearer ${token}` } });
    lines = response.status === 200 ? (await response.text()).trim().split('\r\n').length : `HTTP ${response.status}`;
  }
  const recorded = (await records()) - recordsBefore;
  const ok = end.state === 'done' && end.attempts === 2 && files.length === 1 && lines === end.written + 1 && recorded === 1 && takenOver !== null && takenOver <= 90;
  verdict('mid-export', ok, `run 1 killed; taken over ${takenOver?.toFixed(1)} s after the kill (heartbeat stale + sweep), ${end.state} after run ${end.attempts} ${finished.toFixed(1)} s after the kill; ${end.written} rows (the demo kindergarten's children), ${files.length} file(s) (${files.join(', ')}), downloaded ${lines} lines (rows + heading), ${recorded} export record(s); message: ${end.message ?? '—'}`);
  cluster(['start']);
}

const main = async () => {
  cluster(['start']);
  if (state().nodes.length < 2) throw new Error('the drills need at least 2 nodes (NODES=2)');
  pool = newPool();
  await seedChildren();
  const drills = { 'kill-node': killNode, 'replica-down': replicaDown, 'primary-restart': primaryRestart, 'mid-snapshot': midSnapshot, 'mid-import': midImport, 'mid-export': midExport };
  for (const name of DRILLS) {
    log(`— ${name}`);
    try {
      await drills[name]();
    } catch (error) {
      verdict(name, false, `the drill itself failed: ${error.message}`);
      try { cluster(['start']); } catch { /* reported above */ }
    }
  }
  await pool.end().catch(() => undefined);
  console.log(`drills: ${verdicts.filter(Boolean).length} of ${verdicts.length} PASS (load average ${(await import('node:os')).loadavg().map((n) => n.toFixed(1)).join(' / ')})`);
  process.exit(verdicts.every(Boolean) ? 0 : 1);
};

main().catch((error) => {
  console.error(`drill: ${error.message}`);
  process.exit(1);
});
