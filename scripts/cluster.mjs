#!/usr/bin/env node
// `npm run cluster`: on one machine, the pieces of a province's deployment (docs/scale-out.md):
//   primary PostgreSQL  the existing server (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres),
//                       or, with PRIMARY_PORT, a cluster of its own made by initdb in CLUSTER_DIR/primary
//                       on that port (what the fault drills need: they stop and restart the primary)
//   streaming replica   a second PostgreSQL cluster on REPLICA_PORT (5433), made by pg_basebackup, hot standby
//   app nodes           NODES (2) Strapi processes on NODE_BASE_PORT (1341) and up, DATABASE_REPLICA_URL set
//   nginx               on CLUSTER_PORT (8080), deploy/nginx.conf, least connections, X-Forwarded-For set
// Commands: `npm run cluster` starts everything and stops it all on Ctrl-C; `npm run cluster -- start`
// starts and returns (pids kept in CLUSTER_DIR/state.json), `-- stop` stops what `start` started,
// `-- status` prints the state; `-- start --fresh` makes the replica again from a new base backup.
// WAL archiving (the primary of its own only: the shared server is not restarted): archive_mode=on,
// archive_command copying each finished segment into WAL_ARCHIVE_DIR (/var/tmp/preschool-wal-archive,
// kept apart from the keys' KEYS_BACKUP_DIR), archive_timeout ARCHIVE_TIMEOUT seconds (60: a quiet
// primary still ships its last writes within that) — what `npm run backup` (base backup) and
// `npm run restore:drill` (point-in-time recovery) use.
// Other settings: DATABASE_SCHEMA (cluster_demo; demo accounts are seeded there), CLUSTER_DIR
// (/var/tmp/preschool-cluster: the replica's data, nginx's files, logs), NO_REPLICA=1, NO_NGINX=1,
// SKIP_COMPILE=1 (dist/ is up to date).
// Needs nginx (Debian: `apt-get install -y nginx-light`) and the PostgreSQL server binaries (initdb,
// pg_ctl, pg_basebackup: Debian's postgresql package).
// Run as root (as here), the replica runs as the `postgres` user and nginx's worker as www-data.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { serverEnvironment, serverNodeOptions } from './lib/node-options.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;
const NODES = Number(env.NODES || 2);
const CLUSTER_PORT = Number(env.CLUSTER_PORT || 8080);
const NODE_BASE_PORT = Number(env.NODE_BASE_PORT || 1341);
const REPLICA_PORT = Number(env.REPLICA_PORT || 5433);
const PRIMARY_PORT = env.PRIMARY_PORT ? Number(env.PRIMARY_PORT) : null;
const DATABASE_URL = PRIMARY_PORT ? `postgres://postgres@127.0.0.1:${PRIMARY_PORT}/postgres` : env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const SCHEMA = env.DATABASE_SCHEMA || 'cluster_demo';
const DIR = path.resolve(env.CLUSTER_DIR || '/var/tmp/preschool-cluster');
const REPLICA_DIR = path.join(DIR, 'replica');
const PRIMARY_DIR = path.join(DIR, 'primary');
const STATE = path.join(DIR, 'state.json');
const WAL_ARCHIVE_DIR = path.resolve(env.WAL_ARCHIVE_DIR || '/var/tmp/preschool-wal-archive');
const ARCHIVE_TIMEOUT = Number(env.ARCHIVE_TIMEOUT || 60);
const asRoot = process.getuid?.() === 0;
const primary = new URL(DATABASE_URL);
const replicaUrl = (() => {
  const url = new URL(DATABASE_URL);
  url.port = String(REPLICA_PORT);
  return url.toString();
})();

const log = (message) => console.log(`cluster: ${message}`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const readState = () => (fs.existsSync(STATE) ? JSON.parse(fs.readFileSync(STATE, 'utf8')) : { nodes: [] });
const writeState = (state) => fs.writeFileSync(STATE, JSON.stringify(state, null, 2));
const alive = (pid) => {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // a node killed after the script that started it ended stays a zombie where nothing reaps it (a
  // container's init): it answers signals but is gone
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
};
/** Runs a PostgreSQL program, as the postgres user when we are root (the server refuses to run as root). */
function pgRun(program, args, options = {}) {
  const [command, list] = asRoot ? ['runuser', ['-u', 'postgres', '--', program, ...args]] : [program, args];
  return execFileSync(command, list, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
}
function psql(url, sql) {
  return execFileSync('psql', [url, '-Atc', sql], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** With PRIMARY_PORT: a primary of our own (initdb once, then started and stopped with the cluster). */
function startOwnPrimary() {
  if (!fs.existsSync(path.join(PRIMARY_DIR, 'PG_VERSION'))) {
    fs.mkdirSync(PRIMARY_DIR, { recursive: true, mode: 0o700 });
    if (asRoot) execFileSync('chown', ['postgres:postgres', PRIMARY_DIR]);
    pgRun('initdb', ['-D', PRIMARY_DIR, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    fs.appendFileSync(path.join(PRIMARY_DIR, 'postgresql.conf'), [
      '', '# scripts/cluster.mjs', `port = ${PRIMARY_PORT}`, "listen_addresses = '127.0.0.1'", `unix_socket_directories = '${PRIMARY_DIR}'`,
      'wal_level = replica', 'max_wal_senders = 5', 'max_connections = 200', 'shared_buffers = 128MB', "log_destination = 'stderr'", '',
    ].join('\n'));
    fs.appendFileSync(path.join(PRIMARY_DIR, 'pg_hba.conf'), '\nhost replication postgres 127.0.0.1/32 trust\n');
    log(`primary of its own made in ${PRIMARY_DIR} (port ${PRIMARY_PORT})`);
  }
  const changed = archiveWal();
  const status = (() => { try { return pgRun('pg_ctl', ['-D', PRIMARY_DIR, 'status']); } catch { return ''; } })();
  if (status.includes('server is running')) {
    if (changed) {
      pgRun('pg_ctl', ['-D', PRIMARY_DIR, 'reload']);
      if (psql(DATABASE_URL, 'SHOW archive_mode') !== 'on') log('the primary was running: its WAL archiving starts at its next start (npm run cluster -- stop, then start)');
    }
    return;
  }
  pgRun('pg_ctl', ['-D', PRIMARY_DIR, '-l', path.join(PRIMARY_DIR, 'primary.log'), '-w', 'start']);
  log(`primary on 127.0.0.1:${PRIMARY_PORT}`);
}
/**
 * The primary of its own archives its WAL: each finished segment (and at least every archive_timeout
 * seconds while anything was written) gzipped into WAL_ARCHIVE_DIR as <segment>.gz, never over an
 * existing file (a failed copy is retried by PostgreSQL; the `.part` rename keeps a half-written
 * segment out of the archive). Kept in postgresql.conf; a running primary reloads the command and
 * timeout, archive_mode itself waits for its next start.
 */
function archiveWal() {
  fs.mkdirSync(WAL_ARCHIVE_DIR, { recursive: true, mode: 0o700 });
  if (asRoot) execFileSync('chown', ['postgres:postgres', WAL_ARCHIVE_DIR]);
  const conf = path.join(PRIMARY_DIR, 'postgresql.conf');
  const text = fs.readFileSync(conf, 'utf8');
  const lines = [
    '', '# WAL archive (scripts/cluster.mjs): base backup + these segments = point-in-time recovery (npm run restore:drill)',
    'archive_mode = on',
    // gzip: a segment switched by archive_timeout is 16 MB, mostly zeros (≈70 kB compressed)
    `archive_command = 'test ! -f ${WAL_ARCHIVE_DIR}/%f.gz && gzip -1 -c %p > ${WAL_ARCHIVE_DIR}/%f.gz.part && mv ${WAL_ARCHIVE_DIR}/%f.gz.part ${WAL_ARCHIVE_DIR}/%f.gz'`,
    `archive_timeout = ${ARCHIVE_TIMEOUT}`, '',
  ];
  const marker = '# WAL archive (scripts/cluster.mjs)';
  if (text.includes(marker)) {
    // the settings of this start (archive directory, timeout) replace those of an earlier one
    fs.writeFileSync(conf, `${text.slice(0, text.indexOf(marker)).replace(/\n+$/, '\n')}${lines.slice(1).join('\n')}`);
  } else fs.appendFileSync(conf, lines.join('\n'));
  const changed = fs.readFileSync(conf, 'utf8') !== text;
  if (changed) log(`primary archives its WAL into ${WAL_ARCHIVE_DIR} (archive_timeout ${ARCHIVE_TIMEOUT} s)`);
  return changed;
}

function stopOwnPrimary() {
  if (!fs.existsSync(path.join(PRIMARY_DIR, 'PG_VERSION'))) return;
  try {
    pgRun('pg_ctl', ['-D', PRIMARY_DIR, '-m', 'fast', '-w', 'stop']);
    log('primary stopped');
  } catch { /* not running */ }
}

/** The primary must accept replication connections from this machine: a pg_hba.conf line, added once (root only). */
function allowReplication() {
  const hba = psql(DATABASE_URL, 'SHOW hba_file');
  const line = `host replication ${decodeURIComponent(primary.username || 'postgres')} 127.0.0.1/32 trust`;
  const text = fs.readFileSync(hba, 'utf8');
  if (text.split('\n').some((l) => /^\s*host\s+replication\s/.test(l))) return;
  fs.appendFileSync(hba, `\n# streaming replica of npm run cluster (scripts/cluster.mjs)\n${line}\n`);
  psql(DATABASE_URL, 'SELECT pg_reload_conf()');
  log(`added to ${hba}: ${line}`);
}

function makeReplica(fresh) {
  if (fs.existsSync(path.join(REPLICA_DIR, 'PG_VERSION')) && !fresh) return;
  allowReplication();
  fs.rmSync(REPLICA_DIR, { recursive: true, force: true });
  fs.mkdirSync(REPLICA_DIR, { recursive: true, mode: 0o700 });
  if (asRoot) execFileSync('chown', ['postgres:postgres', REPLICA_DIR]);
  log(`base backup of ${primary.host} into ${REPLICA_DIR} (pg_basebackup, WAL streamed)…`);
  const started = Date.now();
  pgRun('pg_basebackup', ['-h', primary.hostname, '-p', primary.port || '5432', '-U', decodeURIComponent(primary.username || 'postgres'), '-D', REPLICA_DIR, '-X', 'stream', '-R', '-c', 'fast']);
  log(`base backup done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  // Debian keeps the configuration beside /etc: the copy has none of its own
  // a hot standby refuses to start with fewer connections than its primary
  const connections = Math.max(100, Number(psql(DATABASE_URL, 'SHOW max_connections')) || 100);
  const files = {
    'postgresql.conf': [
      `port = ${REPLICA_PORT}`, "listen_addresses = '127.0.0.1'", `unix_socket_directories = '${REPLICA_DIR}'`,
      'hot_standby = on', 'hot_standby_feedback = on', `max_connections = ${connections}`, 'shared_buffers = 128MB',
      // long statistics queries on the standby are not cancelled by the replay for up to 60 s
      'max_standby_streaming_delay = 60s', "log_destination = 'stderr'",
    ].join('\n'),
    'pg_hba.conf': 'local all all trust\nhost all all 127.0.0.1/32 trust\n',
    'pg_ident.conf': '',
  };
  for (const [name, content] of Object.entries(files)) {
    fs.writeFileSync(path.join(REPLICA_DIR, name), `${content}\n`);
    if (asRoot) execFileSync('chown', ['postgres:postgres', path.join(REPLICA_DIR, name)]);
  }
}

function startReplica(fresh) {
  makeReplica(fresh);
  const status = (() => { try { return pgRun('pg_ctl', ['-D', REPLICA_DIR, 'status']); } catch { return ''; } })();
  if (status.includes('server is running')) return log(`replica already running on ${REPLICA_PORT}`);
  pgRun('pg_ctl', ['-D', REPLICA_DIR, '-l', path.join(REPLICA_DIR, 'replica.log'), '-w', 'start']);
  log(`replica (hot standby) on 127.0.0.1:${REPLICA_PORT}: ${psql(replicaUrl, 'SELECT pg_is_in_recovery()') === 't' ? 'in recovery, streaming' : 'NOT a standby'}`);
}

function stopReplica() {
  if (!fs.existsSync(path.join(REPLICA_DIR, 'PG_VERSION'))) return;
  try {
    pgRun('pg_ctl', ['-D', REPLICA_DIR, '-m', 'fast', '-w', 'stop']);
    log('replica stopped');
  } catch (error) {
    if (!String(error.stderr).includes('Is server running')) log(`replica: ${String(error.stderr || error.message).trim()}`);
  }
}

const nginxConf = path.join(DIR, 'nginx.conf');
function startNginx() {
  const upstreams = Array.from({ length: NODES }, (_, i) => `        server 127.0.0.1:${NODE_BASE_PORT + i} max_fails=1 fail_timeout=10s;`).join('\n');
  const template = fs.readFileSync(path.join(root, 'deploy', 'nginx.conf'), 'utf8');
  fs.writeFileSync(nginxConf, template.replaceAll('@PREFIX@', DIR).replaceAll('@LISTEN@', String(CLUSTER_PORT))
    .replaceAll('@UPSTREAMS@', upstreams).replaceAll('@USER@', asRoot ? 'user www-data;' : ''));
  execFileSync('nginx', ['-t', '-q', '-c', nginxConf, '-p', DIR], { stdio: 'inherit' });
  if (fs.existsSync(path.join(DIR, 'nginx.pid')) && alive(Number(fs.readFileSync(path.join(DIR, 'nginx.pid'), 'utf8')))) {
    execFileSync('nginx', ['-s', 'reload', '-c', nginxConf, '-p', DIR]);
  } else {
    execFileSync('nginx', ['-c', nginxConf, '-p', DIR]);
  }
  log(`nginx on http://127.0.0.1:${CLUSTER_PORT} → ${NODES} node(s)`);
}
function stopNginx() {
  const pidFile = path.join(DIR, 'nginx.pid');
  if (!fs.existsSync(pidFile) || !alive(Number(fs.readFileSync(pidFile, 'utf8')))) return;
  execFileSync('nginx', ['-s', 'quit', '-c', nginxConf, '-p', DIR]);
  log('nginx stopped');
}

const NODE_SCRIPT = `
  const { createStrapi } = require('@strapi/strapi');
  createStrapi({ appDir: process.cwd(), distDir: require('node:path').join(process.cwd(), 'dist') }).start()
    .catch((error) => { console.error(error); process.exit(1); });`;

async function waitHealthy(port, child, seconds = 300) {
  for (let i = 0; i < seconds * 2; i += 1) {
    if (child && child.exitCode !== null) throw new Error(`node on ${port} exited (${child.exitCode}): see ${DIR}/node-${port}.log`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/api/health`);
      if (response.ok) return;
    } catch { /* not yet */ }
    await sleep(500);
  }
  throw new Error(`node on ${port} not healthy after ${seconds} s`);
}

/** Starts app node `i` (detached: it outlives this script under `start`). */
function startNode(i, replica) {
  const port = NODE_BASE_PORT + i;
  const out = fs.openSync(path.join(DIR, `node-${port}.log`), 'a');
  const child = spawn(process.execPath, [...serverNodeOptions([]), '-e', NODE_SCRIPT], {
    cwd: path.join(root, 'cms'),
    detached: true,
    stdio: ['ignore', out, out],
    env: {
      ...env, ...serverEnvironment(env), HOST: '127.0.0.1', PORT: String(port), DATABASE_URL, DATABASE_SCHEMA: SCHEMA,
      ...(replica ? { DATABASE_REPLICA_URL: replicaUrl } : {}), TRUSTED_PROXIES: '127.0.0.1', PUBLIC_URL: env.PUBLIC_URL || `http://127.0.0.1:${CLUSTER_PORT}`,
      DATA_DIR: env.DATA_DIR || path.join(DIR, 'data'), SEED_DEMO: env.SEED_DEMO || 'true', SEED_DEMO_CHILDREN: env.SEED_DEMO_CHILDREN || 'true', STRAPI_TELEMETRY_DISABLED: 'true',
    },
  });
  child.unref();
  return { port, pid: child.pid, child };
}

async function start(fresh) {
  fs.mkdirSync(DIR, { recursive: true });
  fs.mkdirSync(env.DATA_DIR || path.join(DIR, 'data'), { recursive: true });
  if (PRIMARY_PORT) startOwnPrimary();
  execFileSync('pg_isready', ['-h', primary.hostname, '-p', primary.port || '5432'], { stdio: 'inherit' });
  psql(DATABASE_URL, `CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
  const replica = env.NO_REPLICA !== '1';
  if (replica) startReplica(fresh);
  if (env.SKIP_COMPILE !== '1') execFileSync(process.execPath, [path.join(root, 'scripts', 'compile.mjs')], { cwd: root, stdio: 'inherit' });
  const state = readState();
  state.nodes = state.nodes.filter((node) => alive(node.pid));
  const started = [];
  for (let i = 0; i < NODES; i += 1) {
    const port = NODE_BASE_PORT + i;
    if (state.nodes.some((node) => node.port === port)) continue;
    const node = startNode(i, replica);
    started.push(node);
    state.nodes.push({ port: node.port, pid: node.pid });
    writeState(state);
    // the first node alone first: it migrates the schema and seeds the demo before the others start
    if (i === 0) {
      await waitHealthy(node.port, node.child);
      log(`node ${node.port} (pid ${node.pid}) ready`);
    }
  }
  for (const node of started.filter((n) => n.port !== NODE_BASE_PORT)) {
    await waitHealthy(node.port, node.child);
    log(`node ${node.port} (pid ${node.pid}) ready`);
  }
  if (env.NO_NGINX !== '1') startNginx();
  writeState({ ...state, replica, nginx: env.NO_NGINX !== '1', schema: SCHEMA, clusterPort: CLUSTER_PORT });
  log(`up: http://127.0.0.1:${CLUSTER_PORT} (schema ${SCHEMA}; logs in ${DIR})`);
}

async function stopNodes() {
  const state = readState();
  for (const node of state.nodes) if (alive(node.pid)) process.kill(node.pid, 'SIGTERM');
  for (let i = 0; i < 40 && state.nodes.some((node) => alive(node.pid)); i += 1) await sleep(500);
  for (const node of state.nodes) {
    if (alive(node.pid)) {
      process.kill(node.pid, 'SIGKILL');
      log(`node ${node.port} killed (did not stop within 20 s)`);
    } else log(`node ${node.port} stopped`);
  }
  writeState({ ...state, nodes: [] });
}

async function stop() {
  if (!fs.existsSync(DIR)) return log(`nothing to stop (no ${DIR})`);
  stopNginx();
  await stopNodes();
  stopReplica();
  stopOwnPrimary();
}

function status() {
  const state = readState();
  for (const node of state.nodes) log(`node ${node.port} pid ${node.pid}: ${alive(node.pid) ? 'running' : 'gone'}`);
  try {
    log(`replica: recovery=${psql(replicaUrl, 'SELECT pg_is_in_recovery()')}, replay lag ${psql(replicaUrl, "SELECT coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp())::text, 'n/a')")} s`);
  } catch {
    log('replica: not running');
  }
}

const [command = 'run', ...flags] = process.argv.slice(2);
const fresh = flags.includes('--fresh');
try {
  if (command === 'start') await start(fresh);
  else if (command === 'stop') await stop();
  else if (command === 'status') status();
  else if (command === 'run') {
    let stopping = false;
    const shutdown = async () => {
      if (stopping) return;
      stopping = true;
      await stop();
      process.exit(0);
    };
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
    await start(fresh);
    log('Ctrl-C stops the cluster');
    await new Promise(() => undefined);
  } else {
    console.error('usage: npm run cluster [-- start [--fresh] | stop | status]');
    process.exit(2);
  }
} catch (error) {
  console.error(`cluster: ${error.stderr?.toString?.().trim() || error.message}`);
  process.exit(1);
}
