#!/usr/bin/env node
// `npm run bench:import`: imports BENCH_ROWS (100,000) valid children from one xlsx into PostgreSQL
// through the app's own import path — the same service the upload route calls (file checks, every
// row through the schema and checkChildData, duplicates in the file and in the province in batched
// queries beside the reading, COPY in one transaction with the likely duplicates and the report
// alongside) — and prints rows per second and the CPU seconds spent (the server, PostgreSQL, the machine) beside a plain COPY of the same rows into empty copies of
// the same tables (same indexes, incl. the unique idKey) and, in a province, into its own tables.
//
// Into a generated province (GEN_SCHEMA, made first by `KEEP=1 npm run generate:province`; the
// duplicate and likely-duplicate phases then run against its millions of children): the server runs
// in its own process (scripts/lib/server.mjs) on that schema with the demo accounts, the workbook is
// imported for demo-kindergarten (鲤城区实验幼儿园) into its classes, re-imported (every row 已导入,
// skipped), and afterwards every row the import added (children above the highest id before it, their
// guardians, links, the import jobs) is deleted and the 学籍号 sequences restored: the province is left
// as found. The ID numbers skip the sequences a generated province uses (scripts/lib/ids.mjs).
// Without GEN_SCHEMA: into the schema BENCH_SCHEMA (default import_bench; replaced, dropped at the end
// unless KEEP=1) with the demo data only, as before.
// BENCH_CONCURRENT=2: two kindergartens (demo-kindergarten and demo-kindergarten-2, other county, other
// ID numbers) upload a workbook of BENCH_ROWS each at the same moment; both run at once (the job queue's
// workers, config/cluster.json): each import's time and CPU, the time until both are done, the server's
// RSS peak (no re-import, no COPY baselines).
// Settings: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres), BENCH_ROWS, GEN_SCHEMA,
// BENCH_SCHEMA, KEEP, BENCH_CONCURRENT (1 or 2), BENCH_SKIP_COMPILE=1 (cms/dist is current).
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

import { positiveInt, requireFromCms, requireFromRoot, root, SYNTHETIC_KEYS } from './lib/common.mjs';
import { residentIds } from './lib/ids.mjs';
import { startServer } from './lib/server.mjs';

const ROWS = positiveInt('bench:import', 'BENCH_ROWS', 100000);
const PROVINCE = process.env.GEN_SCHEMA || '';
const SCHEMA = PROVINCE || process.env.BENCH_SCHEMA || 'import_bench';
/** sequences of each county, day and sex left unused: a generated province uses the first few */
const SKIP_SEQUENCES = PROVINCE ? 400 : 0;
const KEEP = process.env.KEEP === '1' || process.env.KEEP === 'true';
const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const CONCURRENT = positiveInt('bench:import', 'BENCH_CONCURRENT', 1);
/** Who uploads (config/demo.json): the kindergarten, its county (the children's ID numbers) and its classes. */
const UPLOADERS = [
  {
    username: 'demo-kindergarten', county: '350502', guardians: '350503', classes: ['小一班', '中一班', '大一班'],
    surnames: ['陈', '林', '黄', '张', '吴', '王', '李', '郑', '刘', '杨'], given: ['子涵', '欣怡', '梓萱', '浩然', '宇轩', '诗涵', '俊杰', '雨桐', '一诺', '思远', '佳怡', '子墨'],
  },
  // another county's kindergarten: its children's and guardians' ID numbers in other regions than the
  // first's, and other names (children like every row of the other file would make each a likely duplicate)
  {
    username: 'demo-kindergarten-2', county: '350203', guardians: '350206', classes: ['小一班'],
    surnames: ['赵', '孙', '周', '徐', '马', '朱', '胡', '郭', '何', '高'], given: ['嘉琪', '文博', '若曦', '明轩', '晨阳', '可馨', '天佑', '梦瑶', '志远', '静怡', '乐天', '雅琴'],
  },
];
if (CONCURRENT > UPLOADERS.length) {
  console.error(`bench:import: BENCH_CONCURRENT is at most ${UPLOADERS.length}`);
  process.exit(2);
}
if (!/^[a-z_][a-z0-9_]{0,62}$/.test(SCHEMA) || ['public', 'pg_catalog', 'information_schema'].includes(SCHEMA)) {
  console.error(`bench:import: BENCH_SCHEMA must be a lower-case identifier other than public (got "${SCHEMA}")`);
  process.exit(2);
}

const log = (...args) => console.error('[bench:import]', ...args);
const thousands = (n) => Math.round(n).toLocaleString('en-US');
const seconds = (t0) => (performance.now() - t0) / 1000;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-import-'));
const { Client } = requireFromRoot('pg');

async function sql(text) {
  const client = new Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

let server; // the app, in a process of its own (scripts/lib/server.mjs)
async function boot() {
  if (!PROVINCE) await sql(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE; CREATE SCHEMA ${SCHEMA}`);
  server = await startServer({
    NODE_ENV: 'test', DATA_DIR: work, DATABASE_URL, DATABASE_SCHEMA: SCHEMA, SEED_DEMO: 'true',
    DEMO_PASSWORD: `Bench#${crypto.randomBytes(6).toString('hex')}`, ARCHIVE_SCHEDULE: 'false', ARCHIVE_CATCH_UP: 'false',
    STRAPI_TELEMETRY_DISABLED: 'true', IMPORT_MAX_ROWS: String(ROWS), IMPORT_MAX_BYTES: String(1 << 30), HOST: '127.0.0.1', PORT: '0',
    // a generated province's data is encrypted with the synthetic keys (scripts/lib/common.mjs)
    ...(PROVINCE ? { PII_HASH_KEY: SYNTHETIC_KEYS.PII_HASH_KEY, PII_ENCRYPTION_KEY: SYNTHETIC_KEYS.PII_ENCRYPTION_KEY } : {}),
    STRAPI_LOG_LEVEL: process.env.STRAPI_LOG_LEVEL || 'warn',
  });
}

/** A parent's birth date YYYYMMDD, spread over 15 years × 12 months × 28 days (5,040 days: ~20 people a day at 100,000). */
const adultBirth = (k) => `${1980 + (k % 15)}${String(1 + (Math.floor(k / 15) % 12)).padStart(2, '0')}${String(1 + (Math.floor(k / 180) % 28)).padStart(2, '0')}`;

/** The workbook: the template's headers, BENCH_ROWS valid children born 2020–2023 in the three classes (2,400 distinct names, as names repeat). */
async function writeWorkbook(file, checkCharacter, uploader = UPLOADERS[0]) {
  const ExcelJS = requireFromCms('exceljs');
  const residentId = residentIds(checkCharacter, SKIP_SEQUENCES);
  const { county: COUNTY, guardians: GUARDIANS, classes, surnames, given } = uploader;
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useStyles: false, useSharedStrings: false });
  const sheet = book.addWorksheet('幼儿信息');
  const headers = ['姓名', '身份证件类型', '证件号码', '出生地', '籍贯', '民族', '国籍/地区', '港澳台侨外', '健康状况', '户口所在地', '户口性质', '现住址', '联系电话', '入园日期', '班级', '就读方式', '是否独生子女',
    '监护人1姓名', '监护人1与幼儿关系', '监护人1身份证件类型', '监护人1证件号码', '监护人1联系电话', '监护人2姓名', '监护人2与幼儿关系', '监护人2证件号码'];
  sheet.addRow(headers).commit();
  const third = ['', '宇', '涵', '轩', '怡', '睿', '欣', '泽', '诺', '琪', '瑶', '晨', '阳', '萱', '博', '然', '妍', '铭', '悦', '航'];
  const day0 = Date.UTC(2020, 0, 1);
  for (let i = 0; i < ROWS; i += 1) {
    const male = i % 2 === 0;
    const birth = new Date(day0 + (i % 1400) * 86400000).toISOString().slice(0, 10);
    const surname = surnames[i % surnames.length];
    sheet.addRow([
      `${surname}${given[(i >> 1) % given.length]}${third[Math.floor(i / 120) % third.length]}`, '居民身份证', residentId(COUNTY, birth.replace(/-/g, ''), male), COUNTY, '福建泉州', i % 50 ? '汉族' : '畲族', '中国', '否', '健康或良好',
      COUNTY, i % 3 ? '非农业' : '农业', `鲤城区中山路 ${i % 500} 号`, `138${String(i).padStart(8, '0')}`, '2025-09-01', classes[i % classes.length], '走读', i % 4 ? '是' : '否',
      `${surname}父${i}`, '父亲', '居民身份证', residentId(GUARDIANS, adultBirth(i), true), `139${String(i).padStart(8, '0')}`,
      `母${i}`, '母亲', residentId(GUARDIANS, adultBirth(i + 7), false),
    ]).commit();
  }
  sheet.commit();
  await book.commit();
}

/** The rows the import added (in a province: not its millions), each table's as COPY text: [table, bytes][]. */
async function dumpImported(client, fromId, eventsFromId) {
  const { to: copyTo } = requireFromRoot('pg-copy-streams');
  const dumps = [];
  for (const [table, rows] of importedRows(fromId, eventsFromId)) {
    const chunks = [];
    for await (const chunk of client.query(copyTo(`COPY (${rows}) TO STDOUT`))) chunks.push(chunk);
    dumps.push([table, Buffer.concat(chunks)]);
  }
  return dumps;
}

/** The dumps loaded by plain COPY, in one transaction (`into` names each table's target), committed or rolled back: seconds. */
async function loadDumps(client, dumps, into, commit) {
  const { from: copyFrom } = requireFromRoot('pg-copy-streams');
  const started = performance.now();
  await client.query('BEGIN');
  try {
    for (const [table, dump] of dumps) await pipeline(async function* () { yield dump; }, client.query(copyFrom(`COPY ${into(table)} FROM STDIN`)));
    const elapsed = seconds(started);
    await client.query(commit ? 'COMMIT' : 'ROLLBACK');
    return elapsed;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** A plain COPY of the same rows: the five tables copied (with their indexes) and loaded from COPY TO output. */
async function copyBaseline(fromId, eventsFromId) {
  const client = new Client({ connectionString: DATABASE_URL });
  await client.connect();
  const tables = importedRows(fromId, eventsFromId).map(([table]) => table);
  try {
    for (const table of tables) await client.query(`CREATE TABLE ${SCHEMA}.copy_${table} (LIKE ${SCHEMA}.${table} INCLUDING ALL)`);
    const dumps = await dumpImported(client, fromId, eventsFromId);
    // committed, as the import's transaction is (its commit is part of the time)
    const started = performance.now();
    await loadDumps(client, dumps, (table) => `${SCHEMA}.copy_${table}`, true);
    return seconds(started);
  } finally {
    await client.query(tables.map((table) => `DROP TABLE IF EXISTS ${SCHEMA}.copy_${table}`).join('; ')).catch(() => undefined);
    await client.end();
  }
}

/** The tables an import writes, in its order, and the rows of each it added (ids above `fromId`, events above `eventsFromId`). */
function importedRows(fromId, eventsFromId) {
  return [
    ['children', `SELECT * FROM ${SCHEMA}.children WHERE id > ${fromId}`],
    ['components_family_guardians', `SELECT g.* FROM ${SCHEMA}.components_family_guardians g JOIN ${SCHEMA}.children_cmps c ON c.cmp_id = g.id AND c.field = 'guardians' WHERE c.entity_id > ${fromId}`],
    ['children_cmps', `SELECT * FROM ${SCHEMA}.children_cmps WHERE entity_id > ${fromId}`],
    ['children_school_class_lnk', `SELECT * FROM ${SCHEMA}.children_school_class_lnk WHERE child_id > ${fromId}`],
    ['child_events', `SELECT * FROM ${SCHEMA}.child_events WHERE id > ${eventsFromId}`],
  ];
}

/**
 * CPU seconds (user + system) of the machine's PostgreSQL processes by pid (Linux /proc; none
 * elsewhere): the backends of the server's pool live through an import.
 */
function postgresCpu() {
  const byPid = new Map();
  let pids = [];
  try { pids = fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name)); } catch { return byPid; }
  for (const pid of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      if (stat.slice(stat.indexOf('(') + 1, close) !== 'postgres') continue;
      const fields = stat.slice(close + 2).split(' ');
      byPid.set(pid, (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS);
    } catch { /* gone meanwhile */ }
  }
  return byPid;
}
/** USER_HZ of /proc's times (100 on Linux). */
const CLOCK_TICKS = 100;

/** The machine's busy and total CPU seconds so far (/proc/stat; zeros elsewhere). */
function machineCpu() {
  try {
    const [, ...times] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
    const [user, nice, system, idle, iowait, irq, softirq, steal] = times;
    return { busy: (user + nice + system + irq + softirq + steal) / CLOCK_TICKS, total: (user + nice + system + idle + iowait + irq + softirq + steal) / CLOCK_TICKS };
  } catch {
    return { busy: 0, total: 0 };
  }
}

/** CPU seconds spent between two readings: the server's, PostgreSQL's (its processes alive at the end), the machine's. */
function cpuSpent(before, after) {
  let database = 0;
  for (const [pid, seconds] of after.database) database += seconds - (before.database.get(pid) ?? 0);
  return {
    server: (after.server.user + after.server.system - before.server.user - before.server.system) / 1e6,
    database,
    busy: after.machine.busy - before.machine.busy,
    available: after.machine.total - before.machine.total,
  };
}

/**
 * The database's own floor for the insert phase (a province only): the rows the import added, taken
 * out (COPY TO), deleted, then loaded again by plain COPY into the province's own five tables — their
 * millions of rows and every index, as the import writes them — in one transaction, rolled back.
 * Leaves the imported rows removed (removeImported).
 */
async function provinceCopyFloor(fromId, eventsFromId) {
  const client = new Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    const dumps = await dumpImported(client, fromId, eventsFromId);
    await removeImported(fromId, eventsFromId);
    return await loadDumps(client, dumps, (table) => `${SCHEMA}.${table}`, false);
  } finally {
    await client.end();
  }
}

/** The rows an import added to a province (ids above `fromId`, events above `eventsFromId`) deleted, the 学籍号 sequences restored. */
async function removeImported(fromId, eventsFromId) {
  const client = new Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    await client.query(`SET search_path TO ${SCHEMA}`);
    await client.query('BEGIN');
    const { rows: links } = await client.query(`SELECT table_name FROM information_schema.columns WHERE table_schema = $1 AND column_name = 'child_id' AND table_name LIKE '%\\_lnk'`, [SCHEMA]);
    await client.query(`DELETE FROM components_family_guardians g USING children_cmps c WHERE c.cmp_id = g.id AND c.field = 'guardians' AND c.entity_id > $1`, [fromId]);
    await client.query('DELETE FROM children_cmps WHERE entity_id > $1', [fromId]);
    for (const { table_name: table } of links) await client.query(`DELETE FROM "${table}" WHERE child_id > $1`, [fromId]);
    const { rowCount } = await client.query('DELETE FROM children WHERE id > $1', [fromId]);
    await client.query('DELETE FROM child_events WHERE id > $1', [eventsFromId]);
    await client.query('DELETE FROM student_number_sequences; INSERT INTO student_number_sequences SELECT * FROM bench_import_sequences_backup; DROP TABLE bench_import_sequences_backup');
    await client.query('COMMIT');
    log(`removed the ${thousands(rowCount)} imported children (and their guardians and links); 学籍号 sequences restored`);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}

async function main() {
  const totalStarted = performance.now();
  if (process.env.BENCH_SKIP_COMPILE !== '1') {
    log('compiling (scripts/compile.mjs)…');
    execFileSync(process.execPath, [path.join(root, 'scripts', 'compile.mjs')], { cwd: root, stdio: ['ignore', 2, 2] });
  }
  if (PROVINCE) {
    const { rows: [present] } = await sql(`SELECT to_regclass('${SCHEMA}.children') AS children`);
    if (!present.children) throw new Error(`no ${SCHEMA}.children: run \`KEEP=1 GEN_SCHEMA=${SCHEMA} npm run generate:province\` first`);
  }
  log(`booting Strapi on PostgreSQL, schema ${SCHEMA} (its own process)…`);
  await boot();
  const version = (await sql('show server_version')).rows[0].server_version;
  const count = async (table) => Number((await sql(`SELECT count(*) AS n FROM ${SCHEMA}.${table}`)).rows[0].n);
  const maxId = async () => Number((await sql(`SELECT coalesce(max(id), 0) AS n FROM ${SCHEMA}.children`)).rows[0].n);
  const { gb11643CheckCharacter } = requireFromRoot(path.join(root, 'plugins', 'student-id', 'dist', 'server', 'identity', 'index.js'));
  const file = path.join(work, 'children.xlsx');
  let t0 = performance.now();
  await writeWorkbook(file, gb11643CheckCharacter);
  const size = fs.statSync(file).size;
  log(`workbook: ${thousands(ROWS)} rows, ${(size / 1048576).toFixed(1)} MB, written in ${seconds(t0).toFixed(1)} s`);

  const userOf = (username) => server.query('plugin::users-permissions.user', 'findOne', { where: { username } });
  const user = await userOf(UPLOADERS[0].username);
  const IMPORTS = { uid: 'api::child-import.child-import' };
  const before = await count('children');
  const fromId = await maxId();
  const eventsFromId = Number((await sql(`SELECT coalesce(max(id), 0) AS n FROM ${SCHEMA}.child_events`)).rows[0].n);
  await sql(`DROP TABLE IF EXISTS ${SCHEMA}.bench_import_sequences_backup; CREATE TABLE ${SCHEMA}.bench_import_sequences_backup AS TABLE ${SCHEMA}.student_number_sequences`);
  const jobs = [];
  const cpuNow = async () => ({ server: await server.cpu(), database: postgresCpu(), machine: machineCpu() });
  /** A finished job's row; throws unless it is done. */
  const finished = async (label, job, elapsed) => {
    const row = await server.query('api::child-import.child-import', 'findOne', { where: { documentId: job.id } });
    log(`${label}: ${row.state} in ${elapsed.toFixed(1)} s — imported ${thousands(row.imported)}, skipped ${thousands(row.skipped)}, failed ${thousands(row.failed)}, likely duplicates ${thousands(row.likely ?? 0)}; phases ${JSON.stringify(row.timings)}`);
    if (row.state !== 'done') throw new Error(`${label}: ${row.state} ${row.message} ${JSON.stringify((row.errors ?? []).slice(0, 3))}`);
    return row;
  };
  /** Polls the job's row (100 ms) until it is done, rejected or failed. */
  const ended = async (documentId, timeoutMs) => {
    for (const until = performance.now() + timeoutMs; performance.now() < until; await new Promise((resolve) => setTimeout(resolve, 100))) {
      const row = await server.query('api::child-import.child-import', 'findOne', { where: { documentId }, select: ['state'] });
      if (['done', 'rejected', 'failed'].includes(row?.state)) return;
    }
    throw new Error(`import ${documentId} not finished after ${timeoutMs / 1000} s`);
  };
  const logCpu = (label, cpu) => log(`${label}: CPU ${cpu.server.toFixed(1)} s in the server, ${cpu.database.toFixed(1)} s in PostgreSQL; the machine busy ${cpu.busy.toFixed(1)} of ${cpu.available.toFixed(1)} core-seconds`);
  const run = async (label) => {
    const cpuBefore = await cpuNow();
    const started = performance.now();
    const job = await server.call(IMPORTS, 'start', [user, { filepath: file, originalFilename: 'children.xlsx', size }, { mode: 'all-or-none' }]);
    jobs.push(job.id);
    await server.call(IMPORTS, 'settle', [30 * 60_000]); // a long import into a province (the service's default wait is shorter)
    const elapsed = seconds(started);
    const cpu = cpuSpent(cpuBefore, await cpuNow());
    logCpu(label, cpu);
    return { elapsed, row: await finished(label, job, elapsed), cpu };
  };

  if (CONCURRENT > 1) {
    // each kindergarten's own workbook, written before the clock starts
    const files = [{ file, size }];
    for (const uploader of UPLOADERS.slice(1, CONCURRENT)) {
      const other = path.join(work, `children-${uploader.username}.xlsx`);
      await writeWorkbook(other, gb11643CheckCharacter, uploader);
      files.push({ file: other, size: fs.statSync(other).size });
    }
    const uploaders = await Promise.all(UPLOADERS.slice(0, CONCURRENT).map(({ username }) => userOf(username)));
    let results;
    let memoryAfter;
    let cpu;
    let elapsed;
    const loadBefore = os.loadavg()[0].toFixed(2);
    try {
      const cpuBefore = await cpuNow();
      const started = performance.now();
      // the uploads at the same moment; each import's time from its upload to its end
      const running = uploaders.map(async (uploader, i) => {
        const job = await server.call(IMPORTS, 'start', [uploader, { filepath: files[i].file, originalFilename: 'children.xlsx', size: files[i].size }, { mode: 'all-or-none' }]);
        jobs.push(job.id);
        await ended(job.id, 30 * 60_000);
        return { job, elapsed: seconds(started) };
      });
      const outcomes = await Promise.all(running);
      elapsed = seconds(started);
      cpu = cpuSpent(cpuBefore, await cpuNow());
      results = [];
      for (const [i, { job, elapsed: own }] of outcomes.entries()) results.push({ username: uploaders[i].username, elapsed: own, row: await finished(`import ${i + 1} (${uploaders[i].username})`, job, own) });
      logCpu(`${CONCURRENT} imports at once`, cpu);
      memoryAfter = await server.memory();
      const added = (await count('children')) - before;
      if (added !== ROWS * CONCURRENT) throw new Error(`expected ${ROWS * CONCURRENT} new children, found ${added}`);
    } finally {
      if (PROVINCE) {
        await removeImported(fromId, eventsFromId);
        for (const [table] of importedRows(fromId, eventsFromId)) await sql(`VACUUM ${SCHEMA}.${table}`);
        for (const id of jobs) await server.query('api::child-import.child-import', 'delete', { where: { documentId: id } }).catch(() => undefined);
      }
    }
    console.log(`\n#### Import benchmark — PostgreSQL ${version}, ${CONCURRENT} imports of ${thousands(ROWS)} children at once into ${PROVINCE ? `the province \`${SCHEMA}\` (${thousands(before)} children before)` : 'the demo data'}\n`);
    console.log(`\`${PROVINCE ? `GEN_SCHEMA=${SCHEMA} ` : ''}BENCH_CONCURRENT=${CONCURRENT} npm run bench:import\` · ${os.cpus().length} cores, Node ${process.version} · ${CONCURRENT} kindergartens upload one xlsx each at the same moment (all-or-none) · load average ${loadBefore} → ${os.loadavg()[0].toFixed(2)} · server RSS peak ${Math.round(memoryAfter.peak / 2 ** 20)} MB\n`);
    console.log('| import | seconds (from the uploads) | children/s | state |');
    console.log('|---|---:|---:|---|');
    for (const { username, elapsed: own, row } of results) console.log(`| ${username}: ${thousands(row.imported)} children | ${own.toFixed(1)} | ${thousands(row.imported / own)} | ${row.state} |`);
    console.log(`| both done | ${elapsed.toFixed(1)} | ${thousands((ROWS * CONCURRENT) / elapsed)} | |`);
    console.log(`| CPU: the server ${cpu.server.toFixed(1)} s, PostgreSQL ${cpu.database.toFixed(1)} s; the machine busy ${cpu.busy.toFixed(1)} of ${cpu.available.toFixed(1)} core-seconds | | | |`);
    console.log(`\ntotal with compile, boot and workbooks: ${seconds(totalStarted).toFixed(0)} s`);
    return;
  }
  let first;
  let again;
  let copySeconds;
  /** a province only: the same rows by plain COPY into its own tables (provinceCopyFloor) */
  let floorSeconds = null;
  let removed = false;
  let guardians;
  let memory;
  try {
    const loadBefore = os.loadavg()[0].toFixed(2);
    first = await run('import');
    first.load = `${loadBefore} → ${os.loadavg()[0].toFixed(2)}`;
    const after = await count('children');
    if (after - before !== ROWS || first.row.imported !== ROWS) throw new Error(`expected ${ROWS} new children, found ${after - before}`);
    guardians = Number((await sql(`SELECT count(*) AS n FROM ${SCHEMA}.children_cmps WHERE entity_id > ${fromId}`)).rows[0].n);
    again = await run('re-import of the same file');
    if (again.row.skipped !== ROWS || (await count('children')) !== after) throw new Error('re-import changed the data');
    memory = await server.memory();
    log('COPY of the same rows into empty copies of the five tables…');
    copySeconds = await copyBaseline(fromId, eventsFromId);
    if (PROVINCE) {
      log(`COPY of the same rows into the province's own tables (one transaction, rolled back)…`);
      removed = true; // provinceCopyFloor removes them first
      floorSeconds = await provinceCopyFloor(fromId, eventsFromId);
    }
  } finally {
    if (PROVINCE) {
      if (!removed) await removeImported(fromId, eventsFromId);
      // the deleted and rolled-back rows vacuumed (autovacuum may be off): the next run meets the province as generated
      for (const [table] of importedRows(fromId, eventsFromId)) await sql(`VACUUM ${SCHEMA}.${table}`);
      for (const id of jobs) await server.query('api::child-import.child-import', 'delete', { where: { documentId: id } }).catch(() => undefined);
    }
  }

  const importRate = ROWS / first.elapsed;
  const copyRate = ROWS / copySeconds;
  const t = first.row.timings;
  const target = PROVINCE ? ` · target < 20 s ${first.elapsed < 20 ? '✅' : '❌'}` : '';
  console.log(`\n#### Import benchmark — PostgreSQL ${version}, ${thousands(ROWS)} children into ${PROVINCE ? `the province \`${SCHEMA}\` (${thousands(before)} children before)` : 'the demo data'}\n`);
  console.log(`\`${PROVINCE ? `GEN_SCHEMA=${SCHEMA} ` : ''}npm run bench:import\` · ${os.cpus().length} cores (${os.cpus()[0]?.model?.trim()}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version} · one xlsx of ${(size / 1048576).toFixed(1)} MB (${headersNote()}) imported for one kindergarten, all-or-none, through the upload route's service in the server's own process; ${thousands(guardians)} guardian rows · load average ${first.load} · server RSS peak ${Math.round(memory.peak / 2 ** 20)} MB\n`);
  console.log('| what | seconds | children/s | vs COPY |');
  console.log('|---|---:|---:|---:|');
  // the duplicate queries and the insert run beside the reading; the likely duplicates, then the report,
  // once the file is read, while the last rows are written (insertMs: from the end of the reading to the commit)
  console.log(`| import (read ${(t.readMs / 1000).toFixed(1)} s, validate ${(t.validateMs / 1000).toFixed(1)} s, duplicates ${(t.duplicatesMs / 1000).toFixed(1)} s and the insert beside the reading, the checked batches waiting ${((t.handOverMs ?? 0) / 1000).toFixed(1)} s in all for it; then ${(t.insertMs / 1000).toFixed(1)} s to the commit: the last rows written, the likely duplicates ${((t.likelyMs ?? 0) / 1000).toFixed(1)} s then the report ${((t.reportMs ?? 0) / 1000).toFixed(1)} s)${target} | ${first.elapsed.toFixed(1)} | ${thousands(importRate)} | ${(copySeconds / first.elapsed * 100).toFixed(1)} % (${(first.elapsed / copySeconds).toFixed(1)}× slower) |`);
  console.log(`| CPU of the import: the server ${first.cpu.server.toFixed(1)} s, PostgreSQL ${first.cpu.database.toFixed(1)} s; the machine busy ${first.cpu.busy.toFixed(1)} of ${first.cpu.available.toFixed(1)} core-seconds (${(first.cpu.busy / first.cpu.available * 100).toFixed(0)} %) | | | |`);
  console.log(`| re-import of the same file (all 已导入, nothing written) | ${again.elapsed.toFixed(1)} | ${thousands(ROWS / again.elapsed)} | |`);
  console.log(`| CPU of the re-import: the server ${again.cpu.server.toFixed(1)} s, PostgreSQL ${again.cpu.database.toFixed(1)} s | | | |`);
  console.log(`| plain COPY of the same rows (5 empty tables, same indexes) | ${copySeconds.toFixed(2)} | ${thousands(copyRate)} | 100 % |`);
  if (floorSeconds !== null) console.log(`| plain COPY of the same rows into the province's own 5 tables (${thousands(before)} children, every index; one transaction, rolled back): the insert's floor in the database | ${floorSeconds.toFixed(2)} | ${thousands(ROWS / floorSeconds)} | import ${(first.elapsed / floorSeconds).toFixed(1)}× this |`);
  console.log(`\ntotal with compile, boot and workbook: ${seconds(totalStarted).toFixed(0)} s`);
}

const headersNote = () => '25 columns, two guardians';

main()
  .then(async () => {
    await server?.stop();
    if (!KEEP && !PROVINCE) await sql(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    fs.rmSync(work, { recursive: true, force: true });
    process.exit(0);
  })
  .catch(async (error) => {
    console.error(error);
    await server?.stop().catch(() => server.kill());
    if (!KEEP && !PROVINCE) await sql(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`).catch(() => undefined);
    process.exit(1);
  });
