#!/usr/bin/env node
// `npm run backup`: a logical backup of the app's schema (pg_dump, custom format) and, apart from it,
// the keys that decrypt what it holds (docs/scale-out.md, "Backups"). Run it from cron on a machine
// that reaches the primary (or the replica: a dump from the standby does not load the primary).
//   data  BACKUP_DIR/<schema>-<time>.dump and .json (row counts of the main tables, sha256, timings)
//   keys  KEYS_BACKUP_DIR/secrets-<time>.json (mode 0600), copied only when they changed: the
//         secrets of DATA_DIR/secrets.json, or of the environment. Keep the two on different media /
//         in different hands: a stolen dump without the keys does not give the ID numbers.
// Settings: DATABASE_URL (postgres://postgres@127.0.0.1:5432/postgres), DATABASE_SCHEMA (cluster_demo),
// BACKUP_SOURCE_URL (default DATABASE_URL: where pg_dump reads), BACKUP_DIR (/var/tmp/preschool-backups),
// KEYS_BACKUP_DIR (/var/tmp/preschool-keys), DATA_DIR (/var/tmp/preschool-cluster/data).
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const env = process.env;
const DATABASE_URL = env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const SOURCE = env.BACKUP_SOURCE_URL || DATABASE_URL;
const SCHEMA = env.DATABASE_SCHEMA || 'cluster_demo';
const BACKUP_DIR = path.resolve(env.BACKUP_DIR || '/var/tmp/preschool-backups');
const KEYS_DIR = path.resolve(env.KEYS_BACKUP_DIR || '/var/tmp/preschool-keys');
const DATA_DIR = path.resolve(env.DATA_DIR || '/var/tmp/preschool-cluster/data');
export const COUNTED_TABLES = ['kindergartens', 'school_classes', 'children', 'staffs', 'audit_entries', 'up_users', 'requests'];
const SECRET_NAMES = ['APP_KEYS', 'API_TOKEN_SALT', 'ADMIN_JWT_SECRET', 'TRANSFER_TOKEN_SALT', 'JWT_SECRET', 'ENCRYPTION_KEY', 'PII_HASH_KEY', 'PII_ENCRYPTION_KEY'];

if (!/^[a-z_][a-z0-9_]{0,62}$/.test(SCHEMA)) {
  console.error(`backup: DATABASE_SCHEMA must be a lower-case identifier (got "${SCHEMA}")`);
  process.exit(2);
}
const psql = (sql) => execFileSync('psql', [SOURCE, '-Atc', sql], { encoding: 'utf8' }).trim();

export function rowCounts(url, schema) {
  const counts = {};
  for (const table of COUNTED_TABLES) {
    const present = execFileSync('psql', [url, '-Atc', `SELECT to_regclass('${schema}.${table}') IS NOT NULL`], { encoding: 'utf8' }).trim() === 't';
    if (present) counts[table] = Number(execFileSync('psql', [url, '-Atc', `SELECT count(*) FROM ${schema}.${table}`], { encoding: 'utf8' }).trim());
  }
  return counts;
}

function backupKeys(stamp) {
  const file = path.join(DATA_DIR, 'secrets.json');
  const secrets = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
  for (const name of SECRET_NAMES) if (env[name]) secrets[name] = env[name];
  if (!secrets.PII_ENCRYPTION_KEY) throw new Error(`no PII_ENCRYPTION_KEY in ${file} nor in the environment: the dump would be useless`);
  fs.mkdirSync(KEYS_DIR, { recursive: true, mode: 0o700 });
  const text = JSON.stringify(secrets, null, 2);
  const digest = crypto.createHash('sha256').update(text).digest('hex');
  const latest = fs.readdirSync(KEYS_DIR).filter((name) => name.startsWith('secrets-')).sort().at(-1);
  if (latest && crypto.createHash('sha256').update(fs.readFileSync(path.join(KEYS_DIR, latest))).digest('hex') === digest) return path.join(KEYS_DIR, latest);
  const target = path.join(KEYS_DIR, `secrets-${stamp}.json`);
  fs.writeFileSync(target, text, { mode: 0o600 });
  return target;
}

async function main() {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  fs.mkdirSync(BACKUP_DIR, { recursive: true, mode: 0o700 });
  const dump = path.join(BACKUP_DIR, `${SCHEMA}-${stamp}.dump`);
  const started = Date.now();
  const lsn = psql('SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END');
  const counts = rowCounts(SOURCE, SCHEMA);
  // one snapshot of the schema (pg_dump's own transaction); the job queue's schema is not kept (its jobs are redone)
  execFileSync('pg_dump', ['-d', SOURCE, '-n', SCHEMA, '-Fc', '-Z', '6', '-f', dump], { stdio: 'inherit' });
  const seconds = (Date.now() - started) / 1000;
  const sha256 = crypto.createHash('sha256').update(fs.readFileSync(dump)).digest('hex');
  const keys = backupKeys(stamp);
  const manifest = { schema: SCHEMA, dump: path.basename(dump), bytes: fs.statSync(dump).size, sha256, takenAt: new Date(started).toISOString(), seconds, lsn, counts, keys: path.basename(keys) };
  fs.writeFileSync(dump.replace(/\.dump$/, '.json'), JSON.stringify(manifest, null, 2));
  console.log(`backup: ${dump} (${(manifest.bytes / 1e6).toFixed(1)} MB, ${seconds.toFixed(1)} s, rows ${JSON.stringify(counts)}); keys: ${keys}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  main().catch((error) => {
    console.error(`backup: ${error.stderr?.toString?.().trim() || error.message}`);
    process.exit(1);
  });
}
