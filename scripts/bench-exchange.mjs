#!/usr/bin/env node
// `npm run bench:exchange`: one province's enrolment peak, compressed, through the two-level exchange
// (docs/two-level-deployment.md): outbox → relay → NATS JetStream → the national instance's consumer
// (inbox + national index). Starts two deployments of the compiled app as processes of their own, each
// on a throw-away PostgreSQL schema: a province (福建, 35) and the nation; a stream and subjects of the
// run's own on the machine's NATS server (EXCHANGE_NATS_URL, default nats://127.0.0.1:4222).
// The load: BENCH_EVENTS (20000) registrations' events written into the province's outbox, each in a
// transaction of its own (the last statement of a registration's transaction), by BENCH_WRITERS (8)
// writers paced to BENCH_RATE (500) events/s in all. Measured: events/s applied by the nation, the
// end-to-end latency (committed in the province's outbox → applied in the nation's transaction) p50
// and p99, and the province's outbox depth (sampled every 250 ms: max and at the end of the load).
// Nothing is asserted; prints a markdown table. Everything made is dropped at the end.
//
// Settings (environment): DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres),
// EXCHANGE_NATS_URL, BENCH_EVENTS, BENCH_RATE, BENCH_WRITERS, EXCHANGE_RELAY_INTERVAL_MS (100),
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
const EVENTS = positiveInt('BENCH_EVENTS', 20000);
const RATE = positiveInt('BENCH_RATE', 500);
const WRITERS = positiveInt('BENCH_WRITERS', 8);
const RELAY_MS = positiveInt('EXCHANGE_RELAY_INTERVAL_MS', 100);
const DRAIN_SECONDS = positiveInt('BENCH_DRAIN_SECONDS', 600);
const run = crypto.randomBytes(4).toString('hex');
const EXCHANGE = {
  EXCHANGE_SUBJECT_PREFIX: `bench${run}`,
  EXCHANGE_STREAM: `BENCH_${run}`,
  NATIONAL_INDEX_KEY: crypto.randomBytes(32).toString('hex'),
  EXCHANGE_RELAY_INTERVAL_MS: String(RELAY_MS),
};
const { Pool } = requireFromRoot('pg');

if (process.env.BENCH_SKIP_COMPILE !== '1') execFileSync(process.execPath, [path.join(root, 'scripts', 'compile.mjs')], { stdio: 'inherit' });

const pool = new Pool({ connectionString: DATABASE_URL, max: WRITERS + 2 });
const schemas = { province: `bench_x_province_${run}`, nation: `bench_x_nation_${run}` };
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
    startDeployment('province', { DEPLOYMENT_ROLE: 'province', DEPLOYMENT_PROVINCE: '35' }),
  ]);
  console.error(`bench:exchange: both deployments up in ${((Date.now() - started) / 1000).toFixed(0)} s; ${EVENTS} events at ${RATE}/s by ${WRITERS} writers`);
  const outbox = `${schemas.province}.exchange_outbox_events`;
  const subject = `${EXCHANGE.EXCHANGE_SUBJECT_PREFIX}.up.35`;
  const committed = new Map();
  let next = 0;
  const depths = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      try {
        const { rows } = await pool.query(`SELECT count(*)::int AS n FROM ${outbox} WHERE sent_at IS NULL`);
        depths.push(rows[0].n);
      } catch (error) {
        // the run failed meanwhile (its schemas dropped): main's error is the one to report
        if (sampling) console.error(`bench:exchange: outbox depth not sampled: ${error.message}`);
        return;
      }
      await sleep(250);
    }
  })();
  const loadStart = Date.now();
  const writer = async () => {
    for (;;) {
      const i = next++;
      if (i >= EVENTS) return;
      const due = loadStart + (i * 1000) / RATE;
      if (due > Date.now()) await sleep(due - Date.now());
      const eventId = crypto.randomUUID();
      const key = crypto.createHmac('sha256', EXCHANGE.NATIONAL_INDEX_KEY).update(`1:bench-${run}-${i}`).digest('hex');
      const body = { type: 'child.registered', occurredAt: new Date().toISOString(), data: { childDocumentId: `bench${run}${i}`, nationalKey: key, countyCode: '350502', institutionCode: '3135050201', studentNumberMasked: null } };
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
  await Promise.all(Array.from({ length: WRITERS }, writer));
  const loadSeconds = (Date.now() - loadStart) / 1000;
  const depthAtEnd = depths.at(-1) ?? 0;
  const inbox = `${schemas.nation}.exchange_inbox_events`;
  const deadline = Date.now() + DRAIN_SECONDS * 1000;
  let drained = true;
  for (;;) {
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM ${inbox} WHERE source = '35'`);
    if (rows[0].n >= EVENTS) break;
    if (Date.now() > deadline) {
      // the figures of what arrived so far are still printed, marked incomplete
      console.error(`bench:exchange: only ${rows[0].n} of ${EVENTS} events applied within ${DRAIN_SECONDS} s after the load`);
      drained = false;
      break;
    }
    await sleep(250);
  }
  sampling = false;
  await sampler;
  const { rows } = await pool.query(`SELECT event_id, (extract(epoch from received_at) * 1000)::float8 AS at FROM ${inbox} WHERE source = '35'`);
  const latencies = rows.filter((row) => committed.has(row.event_id)).map((row) => row.at - committed.get(row.event_id)).sort((a, b) => a - b);
  const applied = rows.map((row) => row.at).sort((a, b) => a - b);
  const spanSeconds = (applied.at(-1) - loadStart) / 1000;
  const { rows: index } = await pool.query(`SELECT count(*)::int AS n FROM ${schemas.nation}.national_index_entries`);
  console.log(`| measure | value |
|---|---|
| events written (province outbox) | ${EVENTS} in ${loadSeconds.toFixed(1)} s (${(EVENTS / loadSeconds).toFixed(0)}/s offered, ${WRITERS} writers) |
| events applied by the nation | ${rows.length}${drained ? '' : ` of ${EVENTS} (INCOMPLETE: stopped waiting ${DRAIN_SECONDS} s after the load)`} (index entries ${index[0].n}); ${(rows.length / spanSeconds).toFixed(0)}/s from first write to last applied |
| outbox depth at the end | ${depths.at(-1) ?? 0} |
| end-to-end latency p50 / p99 | ${percentile(latencies, 50).toFixed(0)} ms / ${percentile(latencies, 99).toFixed(0)} ms (outbox commit → applied at the nation) |
| outbox depth max / at end of load | ${Math.max(0, ...depths)} / ${depthAtEnd} |
| relay interval | ${RELAY_MS} ms |
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
