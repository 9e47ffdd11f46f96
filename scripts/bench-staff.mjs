#!/usr/bin/env node
// Staff analysis at provincial scale: loads STAFF (default 350,000, a large province) synthetic staff
// over the counties of 福建 into a fresh SQLite file or PostgreSQL schema (DATABASE_URL), then times
// the SQL behind GET /api/staff-analysis (province by prefecture, one prefecture by county, one
// county), the per-county counts offered to the statistics (生师比) and one kindergarten's staffing
// check, each RUNS times (median). Prints a Markdown table. npm run bench:staff
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appDir, positiveInt, requireFromCms, requireFromRoot } from './lib/common.mjs';

const STAFF = positiveInt('bench-staff', 'STAFF', 350_000);
const RUNS = positiveInt('bench-staff', 'RUNS', 5);
const databaseUrl = process.env.DATABASE_URL;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-staff-'));
let strapi;
let schema;

async function runOnPostgres(sql) {
  const { Client } = requireFromRoot('pg');
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try { await client.query(sql); } finally { await client.end(); }
}

async function cleanup() {
  try { await strapi?.destroy(); } catch { /* already down */ }
  if (schema) await runOnPostgres(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  fs.rmSync(work, { recursive: true, force: true });
}

const documentId = () => {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = crypto.randomBytes(24);
  let id = alphabet[bytes[0] % 26];
  for (let i = 1; i < 24; i += 1) id += alphabet[bytes[i] % 36];
  return id;
};

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
async function time(fn) {
  const runs = [];
  for (let i = 0; i < RUNS; i += 1) {
    const started = performance.now();
    await fn();
    runs.push(performance.now() - started);
  }
  return median(runs);
}

try {
  Object.assign(process.env, { NODE_ENV: 'test', DATA_DIR: work, SEED_DEMO: 'true', DEMO_PASSWORD: 'Bench#Passw0rd-2026', STRAPI_TELEMETRY_DISABLED: 'true' });
  process.env.STRAPI_LOG_LEVEL ||= 'warn';
  if (databaseUrl) {
    schema = `bench_${crypto.randomBytes(6).toString('hex')}`;
    await runOnPostgres(`CREATE SCHEMA ${schema}`);
    process.env.DATABASE_SCHEMA = schema;
  } else process.env.DATABASE_FILENAME = path.join(work, 'bench.db');
  const { createStrapi } = requireFromCms('@strapi/strapi');
  strapi = createStrapi({ appDir, distDir: path.join(appDir, 'dist'), autoReload: false, serveAdminPanel: false });
  strapi.log.level = process.env.STRAPI_LOG_LEVEL;
  await strapi.load();
  const knex = strapi.db.connection;
  const counties = (await knex('regions').select('code').where('level', 'county').andWhere('code', 'like', '35%').orderBy('code')).map((r) => r.code);
  const posts = ['01', '02', '02', '02', '02', '03', '03', '04', '05', '07', '08'];
  const started = performance.now();
  await knex.transaction(async (trx) => {
    let batch = [];
    for (let n = 0; n < STAFF; n += 1) {
      const county = counties[n % counties.length];
      const post = posts[n % posts.length];
      batch.push({
        document_id: documentId(), name: `教职工${n}`, post, sex: n % 9 ? 'female' : 'male', birth_date: `${1962 + (n % 40)}-0${1 + (n % 9)}-15`,
        id_type: '1', id_key: crypto.createHash('sha256').update(`bench:${n}`).digest('hex'), id_number_masked: `${county}********0000`,
        degree: String(1 + (n % 5)), title: ['1', '2', '3', '4', '5', '9'][n % 6], establishment: String(1 + (n % 3)),
        certificate_type: n % 7 ? 'kindergarten' : null, employment_status: 'active',
        institution_code: `41${county}${String(n % 50).padStart(2, '0')}`, county_code: county,
      });
      if (batch.length === 400) { await trx('staff_members').insert(batch); batch = []; }
    }
    if (batch.length) await trx('staff_members').insert(batch);
  });
  const loadSeconds = (performance.now() - started) / 1000;
  if (databaseUrl) await knex.raw('ANALYZE staff_members');
  const staff = strapi.service('api::staff.staff');
  const rows = [
    ['province 35 by prefecture', () => staff.analysis({ prefix: '35' }, 'prefecture')],
    ['prefecture 3505 by county', () => staff.analysis({ prefix: '3505' }, 'county')],
    ['county 350502', () => staff.analysis({ prefix: '350502' }, 'county')],
    ['countsByCounty, province 35', () => staff.countsByCounty({ prefix: '35' })],
    ['staffing check, one kindergarten', () => staff.staffingCheck('3135050201')],
  ];
  const client = databaseUrl ? `PostgreSQL ${(await knex.raw('SHOW server_version')).rows[0].server_version}` : `SQLite ${(await knex.raw('select sqlite_version() as v'))[0].v}`;
  console.log(`\n#### Staff analysis — ${client}, ${STAFF.toLocaleString('en')} staff over ${counties.length} counties (loaded in ${loadSeconds.toFixed(1)} s)\n`);
  console.log(`\`npm run bench:staff\` · ${os.cpus().length} cores · Node ${process.version} · median of ${RUNS} runs, service call (SQL + roll-up)\n`);
  console.log('| query | rows in reach | ms |\n|---|---:|---:|');
  for (const [label, fn] of rows) {
    const result = await fn();
    const inReach = result?.total?.total ?? (result instanceof Map ? [...result.values()].reduce((s, c) => s + c.staff, 0) : result?.staff ?? '');
    console.log(`| ${label} | ${typeof inReach === 'number' ? inReach.toLocaleString('en') : inReach} | ${(await time(fn)).toFixed(1)} |`);
  }
} finally {
  await cleanup();
}
process.exit(0);
