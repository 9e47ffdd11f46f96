#!/usr/bin/env node
// `npm run bench:exchange`: provinces' enrolment peak, compressed, through the two-level exchange
// (docs/two-level-deployment.md): outbox → relay → NATS JetStream → the national instance's consumers
// (one per province, each applying batches: inbox + national index). Starts BENCH_PROVINCES (1) province
// deployments (福建 35, 浙江 33, 广东 44, …) and the nation, each a process of the compiled app on a
// throw-away PostgreSQL schema of its own; a stream and subjects of the run's own on the machine's NATS
// server (EXCHANGE_NATS_URL, default nats://127.0.0.1:4222).
// The load: BENCH_EVENTS (20000) registrations' events per province written into its outbox, each in a
// transaction of its own (the last statement of a registration's transaction), by BENCH_WRITERS (8)
// writers per province paced to BENCH_RATE (500) events/s per province, all provinces at once.
// Measured: events/s applied by the nation (over the run, and from its first to its last applied event),
// the end-to-end latency (committed in a province's outbox → its batch applied in the nation's
// transaction) p50 and p99, and the outbox depth (sampled every 250 ms: max of all provinces together
// and at the end of the load). Nothing is asserted; prints a markdown table. Everything made is dropped
// at the end.
//
// Settings (environment): DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres),
// EXCHANGE_NATS_URL, BENCH_PROVINCES, BENCH_EVENTS, BENCH_RATE, BENCH_WRITERS, EXCHANGE_RELAY_INTERVAL_MS (100),
// EXCHANGE_BATCH_SIZE (the nation's batch, 200),
// BENCH_DRAIN_SECONDS (600: how long to wait after the load for the nation to apply everything; the
// figures are printed either way, marked incomplete), BENCH_SKIP_COMPILE=1 (cms/dist is current).
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';

import { appDir, positiveInt as readPositiveInt, requireFromRoot, root } from './lib/common.mjs';

const positiveInt = (name, fallback) => readPositiveInt('bench:exchange', name, fallback);
const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const NATS_URL = process.env.EXCHANGE_NATS_URL || 'nats://127.0.0.1:4222';
const PROVINCES = ['35', '33', '44', '32', '37', '41', '51', '42'].slice(0, positiveInt('BENCH_PROVINCES', 1));
const EVENTS = positiveInt('BENCH_EVENTS', 20000);
const RATE = positiveInt('BENCH_RATE', 500);
const WRITERS = positiveInt('BENCH_WRITERS', 8);
const RELAY_MS = positiveInt('EXCHANGE_RELAY_INTERVAL_MS', 100);
const DRAIN_SECONDS = positiveInt('BENCH_DRAIN_SECONDS', 600);
const run = crypto.randomBytes(4).toString('hex');
const EXCHANGE = {
  EXCHANGE_SUBJECT_PREFIX: `bench${run}`,
  EXCHANGE_STREAM: `BENCH_${run}`,
  // a stream reserves its max_bytes on the shared broker: a bench cut short must not hold 50 GB of it
  EXCHANGE_STREAM_MAX_GB: process.env.EXCHANGE_STREAM_MAX_GB || '4',
  NATIONAL_INDEX_KEY: crypto.randomBytes(32).toString('hex'),
  EXCHANGE_RELAY_INTERVAL_MS: String(RELAY_MS),
};
const { Pool } = requireFromRoot('pg');

if (process.env.BENCH_SKIP_COMPILE !== '1') execFileSync(process.execPath, [path.join(root, 'scripts', 'compile.mjs')], { stdio: 'inherit' });

const pool = new Pool({ connectionString: DATABASE_URL, max: WRITERS * PROVINCES.length + 2 });
const schemas = { nation: `bench_x_nation_${run}`, ...Object.fromEntries(PROVINCES.map((province) => [`province${province}`, `bench_x_province${province}_${run}`])) };
const instances = [];

/** A deployment of the compiled app in a process of its own (as tests/helpers/second-instance.ts). */
function startDeployment(name, env) {
  const script = `
    const { createStrapi } = require('@strapi/strapi');
    createStrapi({ appDir: ${JSON.stringify(appDir)}, distDir: ${JSON.stringify(path.join(appDir, 'dist'))}, autoReload: false, serveAdminPanel: false })
      .load().then(async (strapi) => { await strapi.listen(); process.stdout.write('PORT=' + strapi.server.httpServer.address().port + '\\n'); })
      .catch((error) => { console.error(error); process.exit(1); });`;
  const child = spawn(process.execPath, ['-e', script], {
    cwd: appDir,
    env: {
      ...process.env, ...EXCHANGE, ...env, NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', STRAPI_TELEMETRY_DISABLED: 'true', STRAPI_LOG_LEVEL: 'error',
      DATABASE_URL, DATABASE_SCHEMA: schemas[name], SEED_DEMO: 'false', ARCHIVE_SCHEDULE: 'false', ARCHIVE_CATCH_UP: 'false', EXCHANGE_NATS_URL: NATS_URL,
      DATA_DIR: path.join('/tmp', `bench-exchange-${name}-${run}`),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  instances.push(child);
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk) => { output += chunk; if (/PORT=\d+/.test(output)) resolve(child); });
    child.stderr.on('data', (chunk) => { output += chunk; });
    child.on('exit', (code) => reject(new Error(`${name} exited ${code}: ${output.slice(-2000)}`)));
  });
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function cleanUp() {
  for (const child of instances) if (child.exitCode === null) child.kill('SIGTERM');
  await sleep(3000);
  for (const child of instances) if (child.exitCode === null) child.kill('SIGKILL');
  for (const schema of Object.values(schemas)) for (const name of [schema, `${schema}_jobs`]) await pool.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`).catch(() => undefined);
  try {
    const { connect } = requireFromRoot('@nats-io/transport-node');
    const { jetstreamManager } = requireFromRoot('@nats-io/jetstream');
    const connection = await connect({ servers: NATS_URL });
    await (await jetstreamManager(connection)).streams.delete(EXCHANGE.EXCHANGE_STREAM).catch(() => undefined);
    await connection.close();
  } catch { /* the broker is gone: nothing to delete */ }
  await pool.end();
}

async function main() {
  for (const schema of Object.values(schemas)) await pool.query(`CREATE SCHEMA ${schema}`);
  const started = Date.now();
  await Promise.all([
    startDeployment('nation', { DEPLOYMENT_ROLE: 'national' }),
    ...PROVINCES.map((province) => startDeployment(`province${province}`, { DEPLOYMENT_ROLE: 'province', DEPLOYMENT_PROVINCE: province })),
  ]);
  const total = EVENTS * PROVINCES.length;
  console.error(`bench:exchange: ${PROVINCES.length + 1} deployments up in ${((Date.now() - started) / 1000).toFixed(0)} s; ${EVENTS} events per province (${PROVINCES.join(', ')}) at ${RATE}/s each by ${WRITERS} writers each`);
  const outboxes = PROVINCES.map((province) => `${schemas[`province${province}`]}.exchange_outbox_events`);
  const committed = new Map();
  const depths = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      try {
        const { rows } = await pool.query(`SELECT ${outboxes.map((outbox) => `(SELECT count(*) FROM ${outbox} WHERE sent_at IS NULL)`).join(' + ')} AS n`);
        depths.push(Number(rows[0].n));
      } catch (error) {
        // the run failed meanwhile (its schemas dropped): main's error is the one to report
        if (sampling) console.error(`bench:exchange: outbox depth not sampled: ${error.message}`);
        return;
      }
      await sleep(250);
    }
  })();
  const loadStart = Date.now();
  const writer = async (province, outbox, counter) => {
    const subject = `${EXCHANGE.EXCHANGE_SUBJECT_PREFIX}.up.${province}`;
    for (;;) {
      const i = counter.next++;
      if (i >= EVENTS) return;
      const due = loadStart + (i * 1000) / RATE;
      if (due > Date.now()) await sleep(due - Date.now());
      const eventId = crypto.randomUUID();
      const key = crypto.createHmac('sha256', EXCHANGE.NATIONAL_INDEX_KEY).update(`1:bench-${run}-${province}-${i}`).digest('hex');
      const body = { type: 'child.registered', occurredAt: new Date().toISOString(), data: { childDocumentId: `bench${run}${i}`, nationalKey: key, countyCode: `${province}0102`, institutionCode: `31${province}010201`, studentNumberMasked: null } };
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(`INSERT INTO ${outbox} (event_id, subject, type, body, attempts, created_at, updated_at) VALUES ($1, $2, 'child.registered', $3, 0, now(), now())`, [eventId, subject, JSON.stringify(body)]);
        await client.query('COMMIT');
      } finally {
        client.release();
      }
      committed.set(eventId, Date.now());
    }
  };
  await Promise.all(PROVINCES.flatMap((province, n) => {
    const counter = { next: 0 };
    return Array.from({ length: WRITERS }, () => writer(province, outboxes[n], counter));
  }));
  const loadSeconds = (Date.now() - loadStart) / 1000;
  const depthAtEnd = depths.at(-1) ?? 0;
  const inbox = `${schemas.nation}.exchange_inbox_events`;
  const sources = PROVINCES.map((province) => `'${province}'`).join(',');
  const deadline = Date.now() + DRAIN_SECONDS * 1000;
  let drained = true;
  for (;;) {
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM ${inbox} WHERE source IN (${sources})`);
    if (rows[0].n >= total) break;
    if (Date.now() > deadline) {
      // the figures of what arrived so far are still printed, marked incomplete
      console.error(`bench:exchange: only ${rows[0].n} of ${total} events applied within ${DRAIN_SECONDS} s after the load`);
      drained = false;
      break;
    }
    await sleep(250);
  }
  sampling = false;
  await sampler;
  const { rows } = await pool.query(`SELECT event_id, (extract(epoch from received_at) * 1000)::float8 AS at FROM ${inbox} WHERE source IN (${sources})`);
  const latencies = rows.filter((row) => committed.has(row.event_id)).map((row) => row.at - committed.get(row.event_id)).sort((a, b) => a - b);
  const applied = rows.map((row) => row.at).sort((a, b) => a - b);
  const spanSeconds = (applied.at(-1) - loadStart) / 1000;
  const applySeconds = Math.max(0.001, (applied.at(-1) - applied[0]) / 1000);
  const { rows: index } = await pool.query(`SELECT count(*)::int AS n FROM ${schemas.nation}.national_index_entries`);
  const { rows: batches } = await pool.query(`SELECT count(DISTINCT received_at)::int AS n FROM ${inbox} WHERE source IN (${sources})`);
  console.log(`| measure | value |
|---|---|
| provinces publishing at once | ${PROVINCES.length} (${PROVINCES.join(', ')}) |
| events written (provinces' outboxes) | ${total} in ${loadSeconds.toFixed(1)} s (${(total / loadSeconds).toFixed(0)}/s offered, ${WRITERS} writers per province) |
| events applied by the nation | ${rows.length}${drained ? '' : ` of ${total} (INCOMPLETE: stopped waiting ${DRAIN_SECONDS} s after the load)`} (index entries ${index[0].n}) in ~${batches[0].n} transactions (distinct inbox times) |
| nation's apply rate | ${(rows.length / spanSeconds).toFixed(0)}/s from first write to last applied; ${(rows.length / applySeconds).toFixed(0)}/s from first to last applied |
| end-to-end latency p50 / p99 | ${percentile(latencies, 50).toFixed(0)} ms / ${percentile(latencies, 99).toFixed(0)} ms (outbox commit → applied at the nation) |
| outbox depth max / at end of load | ${Math.max(0, ...depths)} / ${depthAtEnd} (all provinces together) |
| relay interval / nation's batch | ${RELAY_MS} ms / ${process.env.EXCHANGE_BATCH_SIZE || 200} events |
| load average (1 / 5 / 15 min) | ${os.loadavg().map((n) => n.toFixed(2)).join(' / ')} on ${os.cpus().length} cores |`);
}

try {
  await main();
} catch (error) {
  console.error('bench:exchange failed:', error);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
