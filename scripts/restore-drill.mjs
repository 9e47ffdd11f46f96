#!/usr/bin/env node
// `npm run restore:drill`: proves a backup of scripts/backup.mjs can be restored. It takes the latest
// backup of BACKUP_DIR (its manifest, .json; or RESTORE_FROM, a manifest or a .dump) and restores it
// into a fresh PostgreSQL cluster (DRILL_DIR, port DRILL_PORT 5434):
//   base backup  the base backup unpacked, then the archived WAL (the manifest's WAL archive) replayed
//                to RESTORE_TARGET: `mark` (the default: the point between two marks the drill writes
//                on the primary after the base backup, below), `latest` (every archived segment), or a
//                time (recovery_target_time, e.g. 2026-12-06T18:40:00Z); then promoted.
//   dump         initdb and pg_restore of the dump.
// Then it starts the app on it with the keys kept apart (KEYS_BACKUP_DIR) and checks:
//   row counts     the main tables hold what was counted on the primary (at the mark; for a dump, by the backup)
//   audit trail    as many audit entries, and the newest one is there
//   ID numbers     the app starts (it refuses to when the key cannot decrypt the stored numbers) and a
//                  child's ID number reads back decrypted, with a valid GB 11643 check character
//   PITR (base)    a write made on the primary AFTER the base backup is there (mark A, committed before
//                  the target), and one made after the target is not (mark B; with `latest`, it is)
// and prints the verdicts, the RTO measured (from the start of the restore to the app answering) and
// the RPO: for a base backup, how long mark B's WAL waited to be archived (the primary's
// archive_timeout bounds it; DRILL_SWITCH_WAL=1 forces the segment out instead of waiting); for a
// dump, the time since the dump.
// The marks: a table restore_drill.marks on the primary (DATABASE_URL, its own schema, not the app's):
// the drill counts the app's tables, commits mark A, notes the time, waits 2 s, commits mark B.
// Settings: BACKUP_DIR, KEYS_BACKUP_DIR (as for backup.mjs), DATABASE_URL (the primary, for the marks),
// RESTORE_FROM, RESTORE_TARGET (mark | latest | a time), DRILL_SWITCH_WAL, DRILL_DIR
// (/var/tmp/preschool-restore-drill, removed afterwards unless KEEP=1), DRILL_PORT (5434), DRILL_APP_PORT (1399).
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rowCounts } from './backup.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;
const BACKUP_DIR = path.resolve(env.BACKUP_DIR || '/var/tmp/preschool-backups');
const KEYS_DIR = path.resolve(env.KEYS_BACKUP_DIR || '/var/tmp/preschool-keys');
const DRILL_DIR = path.resolve(env.DRILL_DIR || '/var/tmp/preschool-restore-drill');
const PORT = Number(env.DRILL_PORT || 5434);
const APP_PORT = Number(env.DRILL_APP_PORT || 1399);
const asRoot = process.getuid?.() === 0;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (message) => console.error(`[restore-drill] ${message}`);
const pg = (program, args, options = {}) => execFileSync(asRoot ? 'runuser' : program, asRoot ? ['-u', 'postgres', '--', program, ...args] : args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
const verdicts = [];
const verdict = (name, ok, detail) => {
  verdicts.push(ok);
  console.log(`restore-drill ${name}: ${ok ? 'PASS' : 'FAIL'} — ${detail}`);
};

const psqlAt = (url, sql) => execFileSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-Atc', sql], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/** The manifest of the backup to restore: RESTORE_FROM, else the newest of BACKUP_DIR (dump or base). */
function latestBackup() {
  if (env.RESTORE_FROM) {
    const file = path.resolve(env.RESTORE_FROM).replace(/\.dump$/, '.json');
    return { ...JSON.parse(fs.readFileSync(file, 'utf8')), manifestFile: file };
  }
  const manifests = fs.existsSync(BACKUP_DIR) ? fs.readdirSync(BACKUP_DIR).filter((name) => name.endsWith('.json'))
    .map((name) => ({ ...JSON.parse(fs.readFileSync(path.join(BACKUP_DIR, name), 'utf8')), manifestFile: path.join(BACKUP_DIR, name) }))
    .filter((m) => m.dump || m.dir)
    .sort((a, b) => String(a.takenAt).localeCompare(String(b.takenAt))) : [];
  if (!manifests.length) throw new Error(`no backup in ${BACKUP_DIR}: run npm run backup first`);
  return manifests.at(-1);
}

/**
 * On the primary, after the base backup: the app's row counts and newest audit entry, mark A, the
 * target time, mark B; then waits until B's WAL segment is in the archive (the measured RPO).
 */
async function writeMarks(manifest) {
  const primary = env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  psqlAt(primary, 'CREATE SCHEMA IF NOT EXISTS restore_drill; CREATE TABLE IF NOT EXISTS restore_drill.marks (id serial PRIMARY KEY, label text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())');
  const counts = rowCounts(primary, manifest.schema);
  const newestAudit = psqlAt(primary, `SELECT coalesce(max(id), 0) FROM ${manifest.schema}.audit_entries`);
  const run = new Date().toISOString();
  const a = `A ${run}`;
  const b = `B ${run}`;
  psqlAt(primary, `INSERT INTO restore_drill.marks (label) VALUES ('${a}')`);
  await sleep(1000);
  const target = psqlAt(primary, "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US+00')");
  await sleep(1000);
  const [lsn, segment] = psqlAt(primary, `WITH mark AS (INSERT INTO restore_drill.marks (label) VALUES ('${b}') RETURNING id) SELECT pg_current_wal_insert_lsn(), pg_walfile_name(pg_current_wal_insert_lsn()) FROM mark`).split('|');
  const committed = Date.now();
  log(`marks written on the primary after the base backup: A, target ${target}, B (WAL ${lsn}, segment ${segment}); waiting for the segment to be archived${env.DRILL_SWITCH_WAL === '1' ? ' (pg_switch_wal)' : ` (archive_timeout ${manifest.archiveTimeout})`}`);
  if (env.DRILL_SWITCH_WAL === '1') psqlAt(primary, 'SELECT pg_switch_wal()');
  let archivedAfter = null;
  for (const deadline = Date.now() + 300_000; archivedAfter === null && Date.now() < deadline;) {
    const last = psqlAt(primary, 'SELECT coalesce(last_archived_wal, \'\') FROM pg_stat_archiver');
    if (last.slice(8) >= segment.slice(8) && last.length === segment.length) archivedAfter = (Date.now() - committed) / 1000;
    else await sleep(250);
  }
  if (archivedAfter === null) throw new Error(`segment ${segment} not archived after 300 s: is archive_command working? (pg_stat_archiver on the primary)`);
  return { counts, newestAudit, a, b, target, archivedAfter, segment };
}

/** The base backup unpacked into a fresh data directory, set to recover from the WAL archive to the target. */
function unpackBase(manifest, target) {
  const dir = path.join(BACKUP_DIR, manifest.dir);
  const data = path.join(DRILL_DIR, 'pg');
  execFileSync('tar', ['-xzf', path.join(dir, 'base.tar.gz'), '-C', data]);
  fs.mkdirSync(path.join(data, 'pg_wal'), { recursive: true });
  if (fs.existsSync(path.join(dir, 'pg_wal.tar.gz'))) execFileSync('tar', ['-xzf', path.join(dir, 'pg_wal.tar.gz'), '-C', path.join(data, 'pg_wal')]);
  const settings = [
    '', '# scripts/restore-drill.mjs: point-in-time recovery from the WAL archive',
    // segments are gzipped by the archive_command of scripts/cluster.mjs; a plain copy is read too
    ...(manifest.walArchive ? [`restore_command = 'if [ -f ${manifest.walArchive}/%f.gz ]; then gunzip -c ${manifest.walArchive}/%f.gz > %p; else cp ${manifest.walArchive}/%f %p; fi'`] : []),
    // a time zone abbreviation ("Z") is refused there: the offset instead
    ...(target !== 'latest' ? [`recovery_target_time = '${target.replace(/^(\d{4}-\d\d-\d\d)T/, '$1 ').replace(/Z$/, '+00')}'`, 'recovery_target_inclusive = on'] : []),
    "recovery_target_action = 'promote'", '',
  ];
  // postgresql.auto.conf is read last: these win over the primary's own settings copied with the backup
  fs.appendFileSync(path.join(data, 'postgresql.auto.conf'), settings.join('\n'));
  fs.writeFileSync(path.join(data, 'recovery.signal'), '');
  fs.rmSync(path.join(data, 'standby.signal'), { force: true });
  if (asRoot) execFileSync('chown', ['-R', 'postgres:postgres', DRILL_DIR]);
  fs.chmodSync(data, 0o700);
}

async function main() {
  const manifest = latestBackup();
  const base = manifest.kind === 'base';
  const keysFile = path.join(KEYS_DIR, manifest.keys);
  const secrets = JSON.parse(fs.readFileSync(keysFile, 'utf8'));
  const targetSetting = env.RESTORE_TARGET || (base ? 'mark' : 'end');
  if (base && !manifest.walArchive && targetSetting !== 'latest') throw new Error('this base backup was taken from a primary that does not archive its WAL: RESTORE_TARGET=latest only restores its own end');
  const marks = base && manifest.walArchive ? await writeMarks(manifest) : null;
  const target = !base ? 'end' : targetSetting === 'mark' ? marks.target : targetSetting;
  const database = base ? manifest.database : 'preschool';
  const URL_ = `postgres://postgres@127.0.0.1:${PORT}/${database}`;
  const started = Date.now();
  log(`restoring ${manifest.dump ?? manifest.dir} (taken ${manifest.takenAt}${base ? `, to ${target}` : ''}) into a fresh cluster on ${PORT}`);
  fs.rmSync(DRILL_DIR, { recursive: true, force: true });
  fs.mkdirSync(path.join(DRILL_DIR, 'pg'), { recursive: true, mode: 0o700 });
  if (asRoot) execFileSync('chown', ['-R', 'postgres:postgres', DRILL_DIR]);
  if (base) unpackBase(manifest, target);
  else pg('initdb', ['-D', path.join(DRILL_DIR, 'pg'), '-A', 'trust', '-U', 'postgres', '--no-sync']);
  // archive_mode off: the restored cluster must not write into the primary's WAL archive
  pg('pg_ctl', ['-D', path.join(DRILL_DIR, 'pg'), '-o', `-p ${PORT} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${path.join(DRILL_DIR, 'pg')} -c fsync=off -c archive_mode=off`, '-l', path.join(DRILL_DIR, 'pg.log'), '-w', '-t', '600', 'start']);
  let app;
  try {
    if (base) {
      // hot standby answers while it replays: wait for the end of the recovery (the promotion)
      for (let i = 0; psqlAt(URL_, 'SELECT pg_is_in_recovery()') === 't'; i += 1) {
        if (i > 2400) throw new Error(`still in recovery after 600 s: see ${path.join(DRILL_DIR, 'pg.log')}`);
        await sleep(250);
      }
      const replayed = fs.readFileSync(path.join(DRILL_DIR, 'pg.log'), 'utf8').split('\n').filter((l) => /restored log file|recovery stopping|redo done|selected new timeline/.test(l));
      log(`recovered: ${replayed.filter((l) => /restored log file/.test(l)).length} archived segment(s) replayed; ${replayed.filter((l) => /recovery stopping|redo done/.test(l)).map((l) => l.replace(/^.*?LOG:\s*/, '')).join('; ')}`);
    } else {
      execFileSync('createdb', ['-h', '127.0.0.1', '-p', String(PORT), '-U', 'postgres', 'preschool']);
      execFileSync('pg_restore', ['-d', URL_, '--no-owner', '-j', '2', path.join(path.dirname(manifest.manifestFile), manifest.dump)], { stdio: 'inherit' });
    }
    const restoredAt = Date.now();
    log(`restored in ${((restoredAt - started) / 1000).toFixed(1)} s; starting the app on it`);
    const dataDir = path.join(DRILL_DIR, 'data');
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(path.join(dataDir, 'secrets.json'), JSON.stringify(secrets), { mode: 0o600 });
    const script = `
      const { createStrapi } = require('@strapi/strapi');
      createStrapi({ appDir: process.cwd(), distDir: require('node:path').join(process.cwd(), 'dist'), serveAdminPanel: false }).load()
        .then(async (strapi) => {
          await strapi.listen();
          const child = await strapi.db.query('api::child.child').findOne({ where: { idType: '1' }, select: ['idNumber'] });
          const identity = strapi.plugin('student-id').service('identity');
          const id = child && child.idNumber;
          const valid = typeof id === 'string' && /^\\d{17}[\\dX]$/.test(id) && identity.gb11643CheckCharacter(id.slice(0, 17)) === id[17];
          process.stdout.write('CHECK=' + JSON.stringify({ children: Boolean(child), valid, masked: id ? id.slice(0, 6) + '…' + id.slice(-2) : null }) + '\\n');
        })
        .catch((error) => { console.error(error.message); process.exit(1); });`;
    app = spawn(process.execPath, ['-e', script], {
      cwd: path.join(root, 'cms'),
      env: { ...env, DATABASE_URL: URL_, DATABASE_SCHEMA: manifest.schema, DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: String(APP_PORT), SEED_DEMO: 'false', ARCHIVE_SCHEDULE: 'false', ARCHIVE_CATCH_UP: 'false', JOB_SCHEDULES: 'false', DATABASE_REPLICA_URL: '', STRAPI_LOG_LEVEL: 'error', STRAPI_TELEMETRY_DISABLED: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    app.stdout.on('data', (chunk) => { output += chunk; });
    app.stderr.on('data', (chunk) => { output += chunk; });
    let check = null;
    for (let i = 0; i < 600 && !check; i += 1) {
      if (app.exitCode !== null) break;
      const match = output.match(/CHECK=(\{.*\})/);
      if (match) check = JSON.parse(match[1]);
      else await sleep(500);
    }
    const health = check ? await (await fetch(`http://127.0.0.1:${APP_PORT}/api/health`)).json().catch(() => null) : null;
    const rto = (Date.now() - started) / 1000;
    verdict('app-start', Boolean(check) && health?.status === 'ok', check ? `the app started on the restored data (health ${health?.status})` : `the app did not start: ${output.trim().split('\n').slice(-3).join(' | ')}`);

    const counts = rowCounts(URL_, manifest.schema);
    const expected = marks ? marks.counts : manifest.counts;
    const differing = Object.entries(expected).filter(([table, count]) => counts[table] !== count);
    verdict('row-counts', differing.length === 0, `${differing.length ? `differ: ${differing.map(([t, c]) => `${t} ${counts[t]} ≠ ${c}`).join(', ')}` : `${Object.entries(counts).map(([t, c]) => `${t} ${c}`).join(', ')}`} (as counted ${marks ? 'on the primary at mark A' : 'by the backup'})`);
    const newest = psqlAt(URL_, `SELECT max(id) FROM ${manifest.schema}.audit_entries`);
    verdict('audit-trail', counts.audit_entries === expected.audit_entries && Number(newest) > 0 && (!marks || newest === marks.newestAudit), `${counts.audit_entries} entries, newest id ${newest}${marks ? ` (primary at mark A: ${marks.counts.audit_entries} entries, newest ${marks.newestAudit}; at the base backup: ${manifest.counts.audit_entries} entries)` : ''}`);
    verdict('id-numbers', Boolean(check?.valid), check?.children ? `a child's ID number decrypted with the kept key: ${check.masked} (check character valid: ${check.valid})` : 'no child with an ID number in the backup');
    if (marks) {
      const present = psqlAt(URL_, `SELECT string_agg(left(label, 1), ',' ORDER BY id) FROM restore_drill.marks WHERE label IN ('${marks.a}', '${marks.b}')`);
      const wanted = target === 'latest' ? 'A,B' : target === marks.target ? 'A' : null;
      verdict('point-in-time', wanted ? present === wanted : present.startsWith('A'), `marks written after the base backup present: ${present || 'none'} (target ${target}${wanted ? `: expected ${wanted}` : ''})`);
    }
    const rpo = marks ? `RPO: a write's WAL reached the archive ${marks.archivedAfter.toFixed(1)} s after its commit (${env.DRILL_SWITCH_WAL === '1' ? 'segment switched by the drill' : `archive_timeout ${manifest.archiveTimeout}: the bound`}); what was not yet archived is what a lost primary loses`
      : `RPO: the time since the dump was taken, at most the backup interval (${manifest.takenAt})`;
    console.log(`restore-drill RTO: ${rto.toFixed(1)} s from the start of the restore to the app answering (${base ? 'base backup' : 'dump'} of ${(manifest.bytes / 1e6).toFixed(1)} MB); ${rpo}`);
  } finally {
    if (app && app.exitCode === null) {
      app.kill('SIGTERM');
      await new Promise((resolve) => { app.once('exit', resolve); setTimeout(resolve, 15000); });
    }
    try { pg('pg_ctl', ['-D', path.join(DRILL_DIR, 'pg'), '-m', 'fast', '-w', 'stop']); } catch { /* already down */ }
    if (env.KEEP !== '1') fs.rmSync(DRILL_DIR, { recursive: true, force: true });
  }
  process.exit(verdicts.every(Boolean) ? 0 : 1);
}

main().catch((error) => {
  console.error(`restore-drill: ${error.stderr?.toString?.().trim() || error.message}`);
  process.exit(1);
});
