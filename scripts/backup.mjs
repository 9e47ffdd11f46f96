#!/usr/bin/env node
// `npm run backup`: a backup of the database and, apart from it, the keys that decrypt what it holds
// (docs/scale-out.md, "Backups"). Two kinds (BACKUP_MODE):
//   base  (the default when the source archives its WAL: archive_mode=on, as the primary of
//         `npm run cluster` with PRIMARY_PORT does) pg_basebackup of the whole PostgreSQL cluster into
//         BACKUP_DIR/base-<time>/ (tar, gzip, the WAL of its own span included), beside the WAL archive
//         (WAL_ARCHIVE_DIR): base backup + archived WAL restore to any point after the backup
//         (`npm run restore:drill`, recovery_target_time or latest). RPO ≈ archive_timeout.
//   dump  (the default otherwise) pg_dump -Fc of the app's schema (one consistent snapshot) into
//         BACKUP_DIR/<schema>-<time>.dump. RPO = the time since the last dump (the backup interval).
// Each with a manifest BACKUP_DIR/<name>.json (row counts of the main tables, sha256 or bytes, WAL
// position, timings). Keys: KEYS_BACKUP_DIR/secrets-<time>.json (mode 0600), copied only when they
// changed: the secrets of DATA_DIR/secrets.json, or of the environment. Keep backups, WAL archive and
// keys on different media / in different hands: a stolen backup without the keys does not give the
// ID numbers. Run it from cron on a machine that reaches the primary.
// Settings: DATABASE_URL (postgres://postgres@127.0.0.1:5432/postgres), DATABASE_SCHEMA (cluster_demo),
// BACKUP_SOURCE_URL (default DATABASE_URL: where pg_dump / pg_basebackup read), BACKUP_MODE (base | dump),
// BACKUP_DIR (/var/tmp/preschool-backups), WAL_ARCHIVE_DIR (/var/tmp/preschool-wal-archive: recorded in
// the manifest for the restore), KEYS_BACKUP_DIR (/var/tmp/preschool-keys), DATA_DIR (/var/tmp/preschool-cluster/data).
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
const WAL_ARCHIVE_DIR = path.resolve(env.WAL_ARCHIVE_DIR || '/var/tmp/preschool-wal-archive');
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

/** The kind of backup: BACKUP_MODE, else a base backup where the source archives its WAL. */
function mode() {
  if (env.BACKUP_MODE) {
    if (!['base', 'dump'].includes(env.BACKUP_MODE)) throw new Error(`BACKUP_MODE must be base or dump (got "${env.BACKUP_MODE}")`);
    return env.BACKUP_MODE;
  }
  return psql('SHOW archive_mode') === 'on' ? 'base' : 'dump';
}

function dumpBackup(stamp) {
  const dump = path.join(BACKUP_DIR, `${SCHEMA}-${stamp}.dump`);
  // one snapshot of the schema (pg_dump's own transaction); the job queue's schema is not kept (its jobs are redone)
  execFileSync('pg_dump', ['-d', SOURCE, '-n', SCHEMA, '-Fc', '-Z', '6', '-f', dump], { stdio: 'inherit' });
  return { kind: 'dump', file: dump, dump: path.basename(dump), bytes: fs.statSync(dump).size, sha256: crypto.createHash('sha256').update(fs.readFileSync(dump)).digest('hex') };
}

/**
 * pg_basebackup of the whole cluster (checkpoint `fast`: it starts at once), tar + gzip, with the WAL
 * streamed during the copy (`-X stream`), so the backup alone is consistent; the archived WAL after it
 * carries it forward to the chosen point.
 */
function baseBackup(stamp) {
  const archiving = psql('SHOW archive_mode') === 'on';
  if (!archiving) console.error('backup: the source does not archive its WAL (archive_mode off): this base backup restores to its own end only');
  const dir = path.join(BACKUP_DIR, `base-${stamp}`);
  const url = new URL(SOURCE);
  execFileSync('pg_basebackup', [
    '-h', url.hostname, '-p', url.port || '5432', '-U', decodeURIComponent(url.username || 'postgres'),
    '-D', dir, '-Ft', '-z', '-X', 'stream', '-c', 'fast', '-l', `npm run backup ${stamp}`,
  ], { stdio: 'inherit' });
  const files = fs.readdirSync(dir);
  const bytes = files.reduce((sum, name) => sum + fs.statSync(path.join(dir, name)).size, 0);
  const label = execFileSync('tar', ['-xzOf', path.join(dir, 'base.tar.gz'), 'backup_label'], { encoding: 'utf8' });
  return {
    kind: 'base', file: dir, dir: path.basename(dir), bytes, files, database: url.pathname.replace(/^\//, '') || 'postgres',
    startWal: label.match(/START WAL LOCATION: (\S+) \(file (\S+)\)/)?.slice(1) ?? null,
    // the archive's place as the primary's archive_command (scripts/cluster.mjs) names it, else WAL_ARCHIVE_DIR
    walArchive: archiving ? (psql('SHOW archive_command').match(/test ! -f (\S+)\/%f/)?.[1] ?? WAL_ARCHIVE_DIR) : null,
    archiveTimeout: archiving ? psql('SHOW archive_timeout') : null,
  };
}

async function main() {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  fs.mkdirSync(BACKUP_DIR, { recursive: true, mode: 0o700 });
  const kind = mode();
  const started = Date.now();
  const lsn = psql('SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END');
  const counts = rowCounts(SOURCE, SCHEMA);
  const made = kind === 'base' ? baseBackup(stamp) : dumpBackup(stamp);
  const seconds = (Date.now() - started) / 1000;
  const keys = backupKeys(stamp);
  const { file, ...rest } = made;
  const manifest = { ...rest, schema: SCHEMA, takenAt: new Date(started).toISOString(), seconds, lsn, counts, keys: path.basename(keys) };
  fs.writeFileSync(path.join(BACKUP_DIR, `${kind === 'base' ? `base-${stamp}` : `${SCHEMA}-${stamp}`}.json`), JSON.stringify(manifest, null, 2));
  console.log(`backup (${kind}): ${file} (${(manifest.bytes / 1e6).toFixed(1)} MB, ${seconds.toFixed(1)} s, rows ${JSON.stringify(counts)})${manifest.walArchive ? `; WAL archive ${manifest.walArchive}` : ''}; keys: ${keys}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  main().catch((error) => {
    console.error(`backup: ${error.stderr?.toString?.().trim() || error.message}`);
    process.exit(1);
  });
}
