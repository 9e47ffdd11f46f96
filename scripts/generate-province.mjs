#!/usr/bin/env node
// `npm run generate:province`: writes a synthetic province (福建) into PostgreSQL, for the children's
// benchmark (scripts/bench-children.mjs). Compiles the server, boots Strapi in this process on the
// schema GEN_SCHEMA (default province_bench; replaced if it exists) so that Strapi creates its
// tables and the demo accounts (SEED_DEMO=true), then loads with COPY (pg-copy-streams):
//   - GEN_KINDERGARTENS (20,000) kindergartens over every county of 福建 (regions, level county, '35…');
//   - GEN_CHILDREN (5,000,000) children aged 3–6 in them, classes by grade (小/中/大班, 25/30/35),
//     realistic names (Fujian surname frequencies, given names), sex ~52/48, resident ID numbers with
//     valid GB 11643 check characters (region = county, unique sequences), ~3% without an ID (type
//     'Z', a guardian's ID instead), 学籍号 (G + ID, or J + county + birth date + sequence + check, with
//     the sequences recorded in student_number_sequences), flags in realistic proportions (留守 ~8%,
//     随迁 ~12%, 残疾 ~0.5%, 需要资助 ~5%), one or two guardians each (component family.guardian).
// idKey, pinyinKey, the masked numbers and the encrypted ID numbers (AES-GCM, the app's codec with
// the synthetic PII_ENCRYPTION_KEY of scripts/lib/common.mjs) come from the booted app's own code, so
// the data is what the app would have written: nothing is stored in plain text, nothing to migrate. Indexes and constraints of the big tables are dropped before the
// load and recreated (same names, same definitions) after it, then VACUUM (ANALYZE) for the visibility map (index-only scans).
//
// The schema is dropped at the end unless KEEP=1 (`KEEP=1 npm run generate:province`, then
// `npm run bench:children`; drop it afterwards with `DROP SCHEMA province_bench CASCADE`).
//
// Settings (environment): DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres),
// GEN_SCHEMA, GEN_KINDERGARTENS, GEN_CHILDREN, GEN_SEED (1), PII_HASH_KEY and PII_ENCRYPTION_KEY (fixed
// synthetic keys by default: the benchmarks must boot with the same ones), KEEP, GEN_SKIP_COMPILE=1 (cms/dist is current).
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';

import { appDir, piiCodec, positiveInt as readPositiveInt, requireFromCms, requireFromRoot, root, SYNTHETIC_KEYS } from './lib/common.mjs';
import { documentId, residentIds } from './lib/ids.mjs';

const positiveInt = (name, fallback) => readPositiveInt('generate:province', name, fallback);

const KINDERGARTENS = positiveInt('GEN_KINDERGARTENS', 20000);
const CHILDREN = positiveInt('GEN_CHILDREN', 5000000);
const SEED = positiveInt('GEN_SEED', 1);
const SCHEMA = process.env.GEN_SCHEMA || 'province_bench';
const KEEP = process.env.KEEP === '1' || process.env.KEEP === 'true';
const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
// Synthetic data only: fixed keys, so that the benchmarks (booting later) compute the same idKey
// and read the ID numbers, encrypted here as the app encrypts them.
const HASH_KEY = SYNTHETIC_KEYS.PII_HASH_KEY;
const PROVINCE_PREFIX = '35'; // 福建省
const PROVINCE_NAME = '福建';
const DEMO_PASSWORD = process.env.DEMO_PASSWORD || `Gen#${crypto.randomBytes(6).toString('hex')}`;
const BIG_TABLES = ['children', 'components_family_guardians', 'children_cmps', 'children_school_class_lnk'];

if (!/^[a-z_][a-z0-9_]{0,62}$/.test(SCHEMA) || ['public', 'pg_catalog', 'information_schema'].includes(SCHEMA)) {
  console.error(`generate:province: GEN_SCHEMA must be a lower-case identifier other than public (got "${SCHEMA}")`);
  process.exit(2);
}

const log = (...args) => console.error('[generate]', ...args);
const thousands = (n) => Math.round(n).toLocaleString('en-US');
const seconds = (t0) => (performance.now() - t0) / 1000;

// ---------------------------------------------------------------------------------------------
// Schema, Strapi boot and cleanup
// ---------------------------------------------------------------------------------------------

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'preschool-generate-'));
const { Client } = requireFromCms('pg');
const { from: copyFrom } = requireFromRoot('pg-copy-streams');
let strapi;
let schemaCreated = false;
let cleanedUp = false;
const clients = new Set();

async function runOnPostgres(sql) {
  const client = new Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A connection of our own, in the schema, with settings for bulk work. */
async function connect() {
  const client = new Client({ connectionString: DATABASE_URL });
  await client.connect();
  clients.add(client);
  await client.query(`SET search_path TO ${SCHEMA}; SET synchronous_commit TO off; SET maintenance_work_mem TO '1GB'; SET max_parallel_maintenance_workers TO 1`);
  return client;
}

async function cleanup() {
  if (cleanedUp) return;
  cleanedUp = true;
  for (const client of clients) await client.end().catch(() => {});
  if (strapi) {
    try {
      await strapi.destroy();
    } catch (error) {
      log(`warning: strapi.destroy() failed: ${error.message}`);
    }
  }
  if (schemaCreated && !KEEP) {
    try {
      await runOnPostgres(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
      log(`dropped schema ${SCHEMA} (KEEP=1 keeps it)`);
    } catch (error) {
      log(`warning: could not drop PostgreSQL schema ${SCHEMA}: ${error.message}`);
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
  Object.assign(process.env, {
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
    STRAPI_TELEMETRY_DISABLED: 'true',
  });
  process.env.STRAPI_LOG_LEVEL = process.env.STRAPI_LOG_LEVEL || 'warn';
  const existing = await runOnPostgres(`SELECT 1 FROM pg_namespace WHERE nspname = '${SCHEMA}'`);
  if (existing.rowCount) log(`schema ${SCHEMA} exists: replacing it`);
  await runOnPostgres(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE; CREATE SCHEMA ${SCHEMA}`);
  schemaCreated = true;
  const { createStrapi } = requireFromCms('@strapi/strapi');
  strapi = createStrapi({ appDir, distDir: path.join(appDir, 'dist'), autoReload: false, serveAdminPanel: false });
  strapi.log.level = process.env.STRAPI_LOG_LEVEL;
  await strapi.load();
}

// ---------------------------------------------------------------------------------------------
// Random data
// ---------------------------------------------------------------------------------------------

/** sfc32: small, fast, seeded (the same GEN_SEED gives the same province, document ids aside). */
function prng(seed) {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const next = () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 15; i += 1) next();
  return next;
}
const random = prng(SEED);
const chance = (p) => random() < p;
const int = (n) => Math.floor(random() * n);
const pick = (list) => list[int(list.length)];

/** A weighted choice through a lookup table of 4096 slots (weights need not sum to anything). */
function weighted(entries) {
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  const table = [];
  let acc = 0;
  for (const [value, weight] of entries) {
    acc += weight;
    while (table.length < Math.round((acc / total) * 4096)) table.push(value);
  }
  return () => table[int(table.length)];
}

// Surnames by frequency in 福建 (per mille, rounded; 陈 and 林 lead there, unlike the national list).
const SURNAMES = weighted(Object.entries({
  陈: 115, 林: 89, 黄: 60, 张: 43, 吴: 39, 李: 36, 王: 34, 郑: 32, 刘: 29, 杨: 24, 蔡: 19, 许: 17, 谢: 16,
  洪: 13, 郭: 13, 游: 11, 曾: 11, 苏: 11, 周: 11, 叶: 11, 庄: 10, 江: 10, 何: 9, 罗: 9, 詹: 8, 高: 8,
  赖: 8, 朱: 8, 徐: 8, 卢: 7, 邱: 7, 魏: 7, 施: 7, 方: 7, 潘: 6, 余: 6, 沈: 6, 傅: 6, 范: 6, 钟: 6,
  丁: 5, 康: 5, 连: 5, 宋: 5, 彭: 5, 姚: 5, 杜: 4, 肖: 4, 邓: 4, 胡: 4, 孙: 4, 戴: 4, 温: 4, 阮: 4,
  柯: 4, 吕: 3, 曹: 3, 翁: 3, 董: 3, 石: 3, 严: 3, 池: 3, 卓: 3, 廖: 3, 薛: 3, 韩: 3, 马: 3, 涂: 3,
  邹: 2, 汪: 2, 程: 2, 纪: 2, 蒋: 2, 冯: 2, 唐: 2, 赵: 2, 袁: 2, 龚: 2, 邵: 2, 魏: 2, 颜: 2, 欧阳: 1,
  上官: 1, 司马: 1, 饶: 1, 尤: 1, 倪: 1, 巫: 1, 童: 1, 简: 1, 邢: 1, 官: 1, 兰: 1, 雷: 1,
}));
// Given-name characters of children born 2018–2022, most frequent first (Zipf-weighted below).
const zipf = (chars) => weighted([...chars].map((c, i) => [c, 1 / (i + 4)]));
const BOY = zipf('宇子梓浩轩睿泽俊一博文昊晨然铭航杰辰宸逸阳鑫豪恒嘉明涛彬锦煜凯皓奕言诚峻霖瑞鹏哲翔君楷思家佑天毅晟乐安宏伟志诺承煊琛烨');
const GIRL = zipf('欣怡梓涵子萱雨可诗思佳悦婉琪若一依语馨妍彤晨诺欢沐安瑶婷雅琳琦菲蕊芮梦雪晴心桐韵颖静嘉乐星月媛淑洁珊蓉茜');
const ADULT_MALE = zipf('建国华明志强伟文军勇平杰斌涛辉峰林海东亮鹏成荣福清水金德春永');
const ADULT_FEMALE = zipf('秀英丽敏静燕艳娟霞芳玲红梅婷雪琳晶洁莉萍华慧颖春兰珍凤美');
const given = (chars, twoChars) => (chance(twoChars) ? chars() + chars() : chars());

const STYLES = ['实验幼儿园', '中心幼儿园', '第一幼儿园', '第二幼儿园', '阳光幼儿园', '蓝天幼儿园', '小太阳幼儿园', '启蒙幼儿园', '育才幼儿园', '机关幼儿园'];
const STREETS = ['中山路', '人民路', '解放路', '新华街', '建设路', '和平路', '东街', '西街', '南环路', '北门街', '滨江路', '五一路', '八一路', '湖东路', '学府路'];
const EMPLOYERS = [null, null, '个体经营', '务农', '自由职业', '某某贸易有限公司', '某某制造有限公司', '某某建筑工程公司', '县人民医院', '区教育局', '某某科技有限公司', '外出务工'];
// Where 随迁 (migrant) children come from: counties of the provinces that send most workers to 福建.
const ORIGINS = [
  ['360721', '江西赣县'], ['360730', '江西宁都'], ['361121', '江西上饶'], ['510921', '四川蓬溪'], ['511621', '四川岳池'],
  ['430524', '湖南隆回'], ['431021', '湖南桂阳'], ['522422', '贵州大方'], ['522121', '贵州遵义'], ['340826', '安徽宿松'],
  ['412728', '河南沈丘'], ['500230', '重庆丰都'], ['450922', '广西陆川'], ['421127', '湖北黄梅'],
];
const ETHNICITY = weighted([['01', 9700], ['22', 200], ['03', 30], ['06', 20], ['08', 15], ['15', 15], ['11', 10], ['23', 5], ['12', 5]]);
const HEALTH = weighted([['10', 9700], ['20', 250], ['30', 40], ['40', 10]]);
const BLOOD = weighted([[null, 4000], ['1', 1800], ['2', 1700], ['3', 600], ['4', 1800], ['9', 100]]);

const mobile = () => `1${pick('3578915')}${String(int(1e9)).padStart(9, '0')}`;

// Dates as YYYY-MM-DD strings, by day number (UTC arithmetic on calendar dates).
const DAY = 86400000;
const isoDay = (t) => new Date(t).toISOString().slice(0, 10);
const todayIso = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
const today = Date.parse(`${todayIso}T00:00:00Z`);
const yearsBefore = (iso, years) => `${Number(iso.slice(0, 4)) - years}${iso.slice(4)}`.replace(/-02-29$/, '-02-28');
// Ages 3–6 today: born after today − 7 years, up to today − 3 years.
const birthFrom = Date.parse(`${yearsBefore(todayIso, 7)}T00:00:00Z`) + DAY;
const birthTo = Date.parse(`${yearsBefore(todayIso, 3)}T00:00:00Z`);
const BIRTH_DAYS = Math.round((birthTo - birthFrom) / DAY) + 1;
const schoolYearStart = Number(todayIso.slice(5, 7)) >= 9 ? Number(todayIso.slice(0, 4)) : Number(todayIso.slice(0, 4)) - 1;
const SCHOOL_YEAR = `${schoolYearStart}-${schoolYearStart + 1}`;
const GRADES = {
  small: { label: '小', capacity: 25 },
  middle: { label: '中', capacity: 30 },
  large: { label: '大', capacity: 35 },
};
const NUMERALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];
const classLabel = (grade, n) => `${GRADES[grade].label}${n < NUMERALS.length ? NUMERALS[n] : n + 1}班`;

// ---------------------------------------------------------------------------------------------
// Load
// ---------------------------------------------------------------------------------------------

/** COPY text format: tab-separated, \N for NULL (our values never hold tabs, newlines or backslashes). */
const field = (value) => (value === null || value === undefined ? '\\N' : value === true ? 't' : value === false ? 'f' : String(value));
const line = (values) => `${values.map(field).join('\t')}\n`;

async function loadKindergartens(knex, counties) {
  const started = performance.now();
  const now = new Date();
  const first = 4000000000;
  const list = [];
  await knex.transaction(async (trx) => {
    let batch = [];
    for (let n = 0; n < KINDERGARTENS; n += 1) {
      const county = counties[Math.floor((n * counties.length) / KINDERGARTENS)];
      const style = STYLES[n % STYLES.length];
      const row = {
        document_id: documentId(),
        code: String(first + n),
        name: `${county.name}${style}${n}`.slice(0, 100),
        county_code: county.code,
        address: `${county.name}${STREETS[n % STREETS.length]}${(n % 300) + 1}号`,
        principal: `${SURNAMES()}${given(ADULT_FEMALE, 0.7)}`,
        phone: `0${591 + (n % 9)}-${String(20000000 + ((n * 7919) % 79999999)).padStart(8, '0')}`,
        ownership: n % 5 < 2 ? 'public' : 'private',
        inclusive: n % 4 !== 0,
        status: 'operating',
        created_at: now,
        updated_at: now,
        published_at: now,
        locale: null,
      };
      batch.push(row);
      list.push({ code: row.code, county });
      if (batch.length === 500) {
        await trx('kindergartens').insert(batch);
        batch = [];
      }
    }
    if (batch.length) await trx('kindergartens').insert(batch);
    const regionIds = trx('regions').min('id').groupBy('code');
    await trx.into(trx.raw('?? (??)', ['kindergartens_county_lnk', ['kindergarten_id', 'region_id', 'kindergarten_ord']]))
      .insert(trx.select('k.id', 'r.id', trx.raw('1')).from('kindergartens as k').join('regions as r', 'r.code', 'k.county_code')
        .where('k.code', '>=', String(first)).whereIn('r.id', regionIds));
  });
  const ids = await knex('kindergartens').select('id', 'code').where('code', '>=', String(first));
  const idOf = new Map(ids.map((row) => [row.code, row.id]));
  for (const k of list) k.id = idOf.get(k.code);
  return { list, seconds: seconds(started) };
}

/** The big tables' constraints and indexes, captured so that they can be dropped and recreated as they were. */
async function captureIndexes(client) {
  const tables = BIG_TABLES;
  const { rows: constraints } = await client.query(
    `SELECT c.conname, c.contype, pg_get_constraintdef(c.oid) AS def, t.relname AS tbl
       FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
       LEFT JOIN pg_class f ON f.oid = c.confrelid
      WHERE n.nspname = $1 AND c.contype IN ('p', 'u', 'f') AND (t.relname = ANY($2) OR f.relname = ANY($2))`,
    [SCHEMA, tables],
  );
  const { rows: indexes } = await client.query(
    `SELECT indexname, indexdef, tablename FROM pg_indexes
      WHERE schemaname = $1 AND tablename = ANY($2)
        AND indexname NOT IN (SELECT conname FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = $1)`,
    [SCHEMA, tables],
  );
  return { constraints, indexes };
}

async function dropIndexes(client, { constraints, indexes }) {
  for (const c of constraints.filter((c) => c.contype === 'f')) await client.query(`ALTER TABLE "${c.tbl}" DROP CONSTRAINT "${c.conname}"`);
  for (const c of constraints.filter((c) => c.contype !== 'f' && BIG_TABLES.includes(c.tbl))) await client.query(`ALTER TABLE "${c.tbl}" DROP CONSTRAINT "${c.conname}"`);
  for (const i of indexes) await client.query(`DROP INDEX "${i.indexname}"`);
}

/** Recreates them: primary keys and unique constraints first, then indexes (two connections), then foreign keys. */
async function recreateIndexes(clientsForIndexes, { constraints, indexes }) {
  const timings = [];
  const timed = async (client, label, sql) => {
    const t0 = performance.now();
    await client.query(sql);
    timings.push(`${label} ${seconds(t0).toFixed(1)} s`);
  };
  const jobs = [
    ...constraints.filter((c) => c.contype !== 'f' && BIG_TABLES.includes(c.tbl))
      .map((c) => [c.conname, `ALTER TABLE "${c.tbl}" ADD CONSTRAINT "${c.conname}" ${c.def}`]),
    ...indexes.map((i) => [i.indexname, i.indexdef]),
  ];
  // Largest tables first, shared between the connections.
  let next = 0;
  await Promise.all(clientsForIndexes.map(async (client) => {
    while (next < jobs.length) {
      const [label, sql] = jobs[next];
      next += 1;
      await timed(client, label, sql);
    }
  }));
  for (const c of constraints.filter((c) => c.contype === 'f')) {
    await timed(clientsForIndexes[0], c.conname, `ALTER TABLE "${c.tbl}" ADD CONSTRAINT "${c.conname}" ${c.def}`);
  }
  return timings;
}

/** One COPY stream into `table`; FREEZE when the table is empty (truncated in the same transaction). */
async function openCopy(client, table, columns) {
  const { rows } = await client.query(`SELECT EXISTS (SELECT 1 FROM "${table}") AS any`);
  await client.query('BEGIN');
  let freeze = false;
  if (!rows[0].any) {
    await client.query(`TRUNCATE "${table}"`);
    freeze = true;
  }
  const stream = client.query(copyFrom(`COPY "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) FROM STDIN WITH (FORMAT text${freeze ? ', FREEZE' : ''})`));
  let pending = [];
  let size = 0;
  return {
    freeze,
    async write(text) {
      pending.push(text);
      size += text.length;
      if (size < 1 << 20) return;
      const ok = stream.write(pending.join(''));
      pending = [];
      size = 0;
      if (!ok) await once(stream, 'drain');
    },
    async end() {
      if (pending.length) stream.write(pending.join(''));
      stream.end();
      await finished(stream);
      await client.query('COMMIT');
    },
  };
}

const CHILD_COLUMNS = [
  'id', 'document_id', 'name', 'sex', 'birth_date', 'birth_place', 'native_place', 'ethnicity', 'nationality', 'id_type',
  'id_number', 'id_number_masked', 'id_key', 'overseas_chinese', 'health', 'blood_type', 'household_region', 'household_type',
  'address', 'phone', 'enrolled_on', 'enrollment_mode', 'source', 'only_child', 'left_behind', 'migrant', 'orphan', 'martyr_child',
  'disabled', 'disability_type', 'inclusive_education', 'needs_aid', 'status', 'student_number', 'student_number_key', 'student_number_masked', 'pinyin_key', 'county_code',
  'institution_code', 'created_at', 'updated_at', 'published_at', 'locale',
];
const GUARDIAN_COLUMNS = ['id', 'name', 'relation', 'id_type', 'id_number', 'id_number_masked', 'id_key', 'phone', 'employer'];
const CMPS_COLUMNS = ['id', 'entity_id', 'cmp_id', 'component_type', 'field', 'order'];
const CLASS_LINK_COLUMNS = ['id', 'child_id', 'school_class_id'];

async function nextId(client, table) {
  const { rows } = await client.query(`SELECT COALESCE(MAX(id), 0) + 1 AS next FROM "${table}"`);
  return Number(rows[0].next);
}

async function main() {
  const totalStarted = performance.now();
  if (process.env.GEN_SKIP_COMPILE !== '1') {
    log('compiling (scripts/compile.mjs)…');
    execFileSync(process.execPath, [path.join(root, 'scripts', 'compile.mjs')], { cwd: root, stdio: ['ignore', 2, 2] });
  }
  log(`booting Strapi on PostgreSQL, schema ${SCHEMA}…`);
  const bootStarted = performance.now();
  await boot();
  const knex = strapi.db.connection;
  const serverVersion = (await knex.raw('show server_version')).rows[0].server_version;
  log(`booted in ${seconds(bootStarted).toFixed(1)} s (PostgreSQL ${serverVersion})`);

  const dup = strapi.plugin('dup-check').service('duplicates');
  const identity = strapi.plugin('student-id').service('identity');
  const numbers = strapi.plugin('student-id').service('studentNumber');
  const rule = numbers.rule();
  const { encryptValue } = piiCodec();
  // a 学籍号 is stored as the app stores it: encrypted, with its blind index and masked form
  const { studentNumberColumns } = requireFromCms(path.join(appDir, 'dist', 'src', 'security', 'student-numbers.js'));
  const storedStudentNumber = (number) => {
    if (!number) return [null, null, null];
    const columns = studentNumberColumns(strapi, number);
    return [encryptValue(columns.studentNumber), columns.studentNumberKey, columns.studentNumberMasked];
  };
  if (strapi.plugin('dup-check').config('hashKey') !== HASH_KEY) throw new Error('dup-check hashKey is not PII_HASH_KEY: the benchmark could not find the children');

  const counties = await knex('regions').select('code', 'name').where('level', 'county').andWhere('code', 'like', `${PROVINCE_PREFIX}%`).groupBy('code', 'name').orderBy('code');
  const prefectures = new Map((await knex('regions').select('code', 'name').where('level', 'prefecture').andWhere('code', 'like', `${PROVINCE_PREFIX}%`)).map((r) => [r.code.slice(0, 4), r.name.replace(/市$/, '')]));
  if (!counties.length) throw new Error(`no county-level regions under ${PROVINCE_PREFIX} — did the GB/T 2260 bootstrap run?`);
  for (const county of counties) county.nativePlace = `${PROVINCE_NAME}${prefectures.get(county.code.slice(0, 4)) ?? ''}`;

  log(`inserting ${thousands(KINDERGARTENS)} kindergartens over ${counties.length} counties…`);
  const kg = await loadKindergartens(knex, counties);
  log(`kindergartens in ${kg.seconds.toFixed(1)} s`);

  // ---- children, guardians, component links, class links: four COPY streams --------------------
  const admin = await connect();
  const captured = await captureIndexes(admin);
  await dropIndexes(admin, captured);
  log(`dropped ${captured.constraints.length} constraints and ${captured.indexes.length} indexes of ${BIG_TABLES.join(', ')} for the load`);

  let childId = await nextId(admin, 'children');
  let guardianId = await nextId(admin, 'components_family_guardians');
  let cmpId = await nextId(admin, 'children_cmps');
  let classLinkId = await nextId(admin, 'children_school_class_lnk');
  let classId = await nextId(admin, 'school_classes');
  let classKgLinkId = await nextId(admin, 'school_classes_kindergarten_lnk');
  const firstChildId = childId;

  const copyClients = await Promise.all([connect(), connect(), connect(), connect()]);
  const children = await openCopy(copyClients[0], 'children', CHILD_COLUMNS);
  const guardians = await openCopy(copyClients[1], 'components_family_guardians', GUARDIAN_COLUMNS);
  const cmps = await openCopy(copyClients[2], 'children_cmps', CMPS_COLUMNS);
  const classLinks = await openCopy(copyClients[3], 'children_school_class_lnk', CLASS_LINK_COLUMNS);

  const residentId = residentIds(identity.gb11643CheckCharacter);
  const jSequences = new Map(); // J-number stems (county + birth date) → last sequence
  const pinyinCache = new Map();
  const pinyinKey = (name) => {
    let key = pinyinCache.get(name);
    if (key === undefined) {
      key = dup.pinyinKey(name);
      pinyinCache.set(name, key);
    }
    return key;
  };
  // Dates precomputed: the children's birth dates, and the adults' (1955–1999) as YYYYMMDD.
  const birthDates = Array.from({ length: BIRTH_DAYS }, (_, d) => isoDay(birthFrom + d * DAY));
  const birthCompact = birthDates.map((d) => d.replace(/-/g, ''));
  const adultEpoch = Date.parse('1955-01-01T00:00:00Z');
  const adultDays = Array.from({ length: 45 * 365 }, (_, d) => isoDay(adultEpoch + d * DAY).replace(/-/g, ''));
  const adultBirth = (fromYear, span) => adultDays[Math.round((Date.parse(`${fromYear}-01-01T00:00:00Z`) - adultEpoch) / DAY) + int(span * 365)];
  const now = new Date().toISOString().replace('T', ' ').replace('Z', '');

  const classes = []; // [id, name, grade, capacity, kindergartenIndex, countyCode]
  const stats = { male: 0, noId: 0, leftBehind: 0, migrant: 0, disabled: 0, needsAid: 0, guardians: 0, registered: 0 };
  const loadStarted = performance.now();
  let lastReport = loadStarted;
  let k = -1;
  let classState = null;

  for (let i = 0; i < CHILDREN; i += 1) {
    const kIndex = Math.floor((i * KINDERGARTENS) / CHILDREN);
    if (kIndex !== k) {
      k = kIndex;
      classState = { small: { n: -1, left: 0 }, middle: { n: -1, left: 0 }, large: { n: -1, left: 0 } };
    }
    const kindergarten = kg.list[k];
    const county = kindergarten.county;

    const male = random() < 0.52;
    const day = int(BIRTH_DAYS);
    const birthDate = birthDates[day];
    const yyyymmdd = birthCompact[day];
    const surname = SURNAMES();
    const name = surname + given(male ? BOY : GIRL, 0.85);
    const migrant = chance(0.12);
    const origin = migrant ? pick(ORIGINS) : null;
    const region = origin ? origin[0] : county.code;
    const noId = chance(0.03);
    const leftBehind = migrant ? '0' : chance(0.055) ? '1' : chance(0.037) ? '2' : '0';
    const disabled = chance(0.005);
    const needsAid = chance(disabled || leftBehind !== '0' ? 0.3 : 0.03);
    const registered = chance(0.97);

    const idNumber = noId ? null : residentId(region, yyyymmdd, male);
    let studentNumber = null;
    if (registered) {
      if (idNumber) studentNumber = `${rule.withResidentId}${idNumber}`;
      else {
        const stem = `${county.code}${yyyymmdd}`;
        const sequence = (jSequences.get(stem) ?? 0) + 1;
        jSequences.set(stem, sequence);
        if (sequence >= 10 ** rule.formalSequenceDigits) throw new Error(`J sequence exhausted for ${stem}`);
        const body = `${stem}${String(sequence).padStart(rule.formalSequenceDigits, '0')}`;
        studentNumber = `${rule.withoutResidentId}${body}${identity.gb11643CheckCharacter(body)}`;
      }
    }

    // Grade by age at the start of the school year, classes filled in order.
    const age = schoolYearStart - Number(birthDate.slice(0, 4)) - (birthDate.slice(5) > '08-31' ? 1 : 0);
    const grade = age <= 3 ? 'small' : age === 4 ? 'middle' : 'large';
    const state = classState[grade];
    if (state.left === 0) {
      state.n += 1;
      state.left = GRADES[grade].capacity - int(4);
      state.id = classId;
      classes.push([classId, classLabel(grade, state.n), grade, GRADES[grade].capacity, k, county.code, 0]);
      state.row = classes[classes.length - 1];
      classId += 1;
    }
    state.left -= 1;
    state.row[6] += 1;

    const thirdBirthday = `${Number(birthDate.slice(0, 4)) + 3}${birthDate.slice(4)}`.replace(/-02-29$/, '-03-01');
    const septemberAfter = `${thirdBirthday.slice(0, 4)}-09-01`;
    const enrolledOn = septemberAfter >= thirdBirthday && septemberAfter <= todayIso ? septemberAfter : thirdBirthday;

    await children.write(line([
      childId, documentId(), name, male ? 'male' : 'female', birthDate, region, origin ? origin[1] : county.nativePlace, ETHNICITY(), '156', noId ? 'Z' : '1',
      idNumber ? encryptValue(idNumber) : null, idNumber ? identity.maskIdNumber(idNumber) : null, idNumber ? dup.idKey('1', idNumber) : null, '00', disabled ? '40' : HEALTH(), BLOOD(),
      region, chance(migrant ? 0.8 : 0.45) ? '1' : '2', `${county.name}${pick(STREETS)}${1 + int(300)}号`, mobile(), enrolledOn, chance(0.04) ? '2' : '1', null,
      chance(0.38), leftBehind, migrant, chance(0.0005), chance(0.0002), disabled, disabled ? String(1 + int(7)) : null, disabled && chance(0.6), needsAid,
      registered ? 'registered' : 'draft', ...storedStudentNumber(studentNumber), pinyinKey(name), county.code, kindergarten.code, now, now, now, null,
    ]));

    // Guardians: father and mother (or grandparents for 双亲外出), one of them only for some.
    const list = [];
    const guardianRegion = origin ? origin[0] : chance(0.8) ? county.code : pick(counties).code;
    if (leftBehind === '2') {
      list.push([`${surname}${given(ADULT_MALE, 0.6)}`, '3', residentId(guardianRegion, adultBirth(1955, 15), true)]);
      if (chance(0.7)) list.push([`${SURNAMES()}${given(ADULT_FEMALE, 0.6)}`, '3', residentId(guardianRegion, adultBirth(1957, 15), false)]);
    } else {
      const both = leftBehind === '1' ? false : chance(0.75);
      const motherFirst = leftBehind === '1' || chance(0.5);
      const father = [`${surname}${given(ADULT_MALE, 0.6)}`, '1', residentId(guardianRegion, adultBirth(1982, 14), true)];
      const mother = [`${SURNAMES()}${given(ADULT_FEMALE, 0.6)}`, '2', residentId(guardianRegion, adultBirth(1984, 14), false)];
      if (both) list.push(...(motherFirst ? [mother, father] : [father, mother]));
      else list.push(motherFirst ? mother : father);
    }
    for (let g = 0; g < list.length; g += 1) {
      const [guardianName, relation, number] = list[g];
      await guardians.write(line([guardianId, guardianName, relation, '1', encryptValue(number), identity.maskIdNumber(number), dup.idKey('1', number), mobile(), pick(EMPLOYERS)]));
      await cmps.write(line([cmpId, childId, guardianId, 'family.guardian', 'guardians', g + 1]));
      guardianId += 1;
      cmpId += 1;
    }
    await classLinks.write(line([classLinkId, childId, state.id]));
    classLinkId += 1;
    childId += 1;

    stats.male += male ? 1 : 0;
    stats.noId += noId ? 1 : 0;
    stats.leftBehind += leftBehind !== '0' ? 1 : 0;
    stats.migrant += migrant ? 1 : 0;
    stats.disabled += disabled ? 1 : 0;
    stats.needsAid += needsAid ? 1 : 0;
    stats.guardians += list.length;
    stats.registered += registered ? 1 : 0;
    if ((i & 0xffff) === 0 && performance.now() - lastReport > 15000) {
      lastReport = performance.now();
      log(`  ${thousands(i)} children (${thousands(i / seconds(loadStarted))}/s)…`);
    }
  }
  await Promise.all([children.end(), guardians.end(), cmps.end(), classLinks.end()]);
  const loadSeconds = seconds(loadStarted);
  const rowsLoaded = CHILDREN * 2 + stats.guardians * 2;
  log(`COPY: ${thousands(CHILDREN)} children, ${thousands(stats.guardians)} guardians (+ as many component links), ${thousands(CHILDREN)} class links in ${loadSeconds.toFixed(1)} s ` +
    `= ${thousands(CHILDREN / loadSeconds)} children/s, ${thousands(rowsLoaded / loadSeconds)} rows/s (FREEZE: ${children.freeze ? 'yes' : 'no'}); ${thousands(pinyinCache.size)} distinct names`);

  // ---- classes, their kindergarten links, the J sequences ---------------------------------------
  const smallStarted = performance.now();
  const classCopy = await openCopy(copyClients[0], 'school_classes', ['id', 'document_id', 'name', 'grade', 'school_year', 'capacity', 'enrolled', 'county_code', 'created_at', 'updated_at', 'published_at', 'locale']);
  for (const [id, name, grade, capacity, , countyCode, enrolled] of classes) {
    await classCopy.write(line([id, documentId(), name, grade, SCHOOL_YEAR, capacity, enrolled, countyCode, now, now, now, null]));
  }
  await classCopy.end();
  // After the classes are committed: the link table's foreign keys point at them.
  const classKgCopy = await openCopy(copyClients[1], 'school_classes_kindergarten_lnk', ['id', 'school_class_id', 'kindergarten_id', 'school_class_ord']);
  for (const [id, , , , kIndex] of classes) {
    await classKgCopy.write(line([classKgLinkId, id, kg.list[kIndex].id, 1]));
    classKgLinkId += 1;
  }
  await classKgCopy.end();
  await admin.query(`CREATE TEMP TABLE gen_sequences (prefix varchar(40), last integer)`);
  const seqCopy = admin.query(copyFrom('COPY gen_sequences (prefix, last) FROM STDIN'));
  seqCopy.write([...jSequences].map(([stem, last]) => `${rule.withoutResidentId}${stem}\t${last}\n`).join(''));
  seqCopy.end();
  await finished(seqCopy);
  await admin.query(`INSERT INTO student_number_sequences (prefix, last) SELECT prefix, last FROM gen_sequences
                     ON CONFLICT (prefix) DO UPDATE SET last = GREATEST(student_number_sequences.last, EXCLUDED.last)`);
  for (const table of [...BIG_TABLES, 'school_classes', 'school_classes_kindergarten_lnk']) {
    await admin.query(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM "${table}"))`);
  }
  const smallSeconds = seconds(smallStarted);
  log(`${thousands(classes.length)} classes, ${thousands(jSequences.size)} J-number sequences in ${smallSeconds.toFixed(1)} s`);

  // ---- indexes, then statistics ---------------------------------------------------------------
  log(`recreating ${captured.constraints.length} constraints and ${captured.indexes.length} indexes…`);
  const indexStarted = performance.now();
  const timings = await recreateIndexes([admin, copyClients[1]], captured);
  const indexSeconds = seconds(indexStarted);
  log(`indexes in ${indexSeconds.toFixed(1)} s: ${timings.join(', ')}`);
  const analyzeStarted = performance.now();
  await Promise.all([
    admin.query('VACUUM (ANALYZE) children'),
    copyClients[1].query('ANALYZE components_family_guardians; ANALYZE children_cmps'),
    copyClients[2].query('ANALYZE children_school_class_lnk; ANALYZE school_classes; ANALYZE school_classes_kindergarten_lnk; ANALYZE kindergartens; ANALYZE kindergartens_county_lnk; ANALYZE student_number_sequences'),
  ]);
  const analyzeSeconds = seconds(analyzeStarted);
  const { rows: [sizes] } = await admin.query(`SELECT pg_size_pretty(pg_total_relation_size('children')) AS children, pg_size_pretty(pg_database_size(current_database())) AS db,
      (SELECT COUNT(*) FROM children) AS count`);
  const total = seconds(totalStarted);

  const pct = (n) => `${((100 * n) / CHILDREN).toFixed(2)}%`;
  const lines = [
    `### Synthetic province — PostgreSQL ${serverVersion}, schema \`${SCHEMA}\``,
    '',
    `\`KEEP=1 GEN_CHILDREN=${CHILDREN} GEN_KINDERGARTENS=${KINDERGARTENS} npm run generate:province\` · ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}`,
    '',
    '| step | rows | seconds | rows/s |',
    '|---|---:|---:|---:|',
    `| kindergartens (knex, batches of 500) | ${thousands(KINDERGARTENS)} | ${kg.seconds.toFixed(1)} | ${thousands(KINDERGARTENS / kg.seconds)} |`,
    `| COPY children + guardians + component links + class links | ${thousands(rowsLoaded)} (${thousands(CHILDREN)} children) | ${loadSeconds.toFixed(1)} | ${thousands(rowsLoaded / loadSeconds)} (${thousands(CHILDREN / loadSeconds)} children/s) |`,
    `| classes, J sequences | ${thousands(classes.length + jSequences.size)} | ${smallSeconds.toFixed(1)} | |`,
    `| rebuild ${captured.constraints.length} constraints + ${captured.indexes.length} indexes | | ${indexSeconds.toFixed(1)} | |`,
    `| ANALYZE | | ${analyzeSeconds.toFixed(1)} | |`,
    `| **total** (with compile and boot) | | **${total.toFixed(1)}** | |`,
    '',
    `children: ${thousands(Number(sizes.count))} (table + indexes ${sizes.children}, database ${sizes.db}); boys ${pct(stats.male)}; without ID (type Z) ${pct(stats.noId)}; ` +
      `留守 ${pct(stats.leftBehind)}; 随迁 ${pct(stats.migrant)}; 残疾 ${pct(stats.disabled)}; 需要资助 ${pct(stats.needsAid)}; registered (学籍号) ${pct(stats.registered)}; ` +
      `guardians ${(stats.guardians / CHILDREN).toFixed(2)} per child; ${thousands(classes.length)} classes; ${thousands(pinyinCache.size)} distinct names; ids ${firstChildId}–${childId - 1}`,
  ];
  printTable(lines.join('\n'));
  if (KEEP) log(`schema ${SCHEMA} kept: run \`npm run bench:children\` (GEN_SCHEMA=${SCHEMA}), then DROP SCHEMA ${SCHEMA} CASCADE`);
}

// Strapi's logs go to stdout: send everything to stderr until the summary.
const stdoutWrite = process.stdout.write.bind(process.stdout);
process.stdout.write = (chunk, encoding, callback) => process.stderr.write(chunk, encoding, callback);
const printTable = (text) => stdoutWrite(`${text}\n`);

let exitCode = 0;
try {
  await main();
} catch (error) {
  exitCode = 1;
  console.error(`\ngenerate:province failed: ${error?.stack || error}`);
}
await cleanup();
process.exit(exitCode);
