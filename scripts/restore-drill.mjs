#!/usr/bin/env node
// `npm run restore:drill`: proves a backup of scripts/backup.mjs can be restored. Into a fresh PostgreSQL
// cluster (initdb in DRILL_DIR, port DRILL_PORT 5434) it restores the latest dump of BACKUP_DIR (or
// RESTORE_FROM), starts the app on it with the keys kept apart (KEYS_BACKUP_DIR), and checks:
//   row counts     the main tables hold what the backup's manifest counted
//   audit trail    as many audit entries, and the newest one of the backup is there
//   ID numbers     the app starts (it refuses to when the key cannot decrypt the stored numbers) and a
//                  child's ID number reads back decrypted, with a valid GB 11643 check character
// and prints the verdicts and the RTO measured (from the start of the restore to the app answering).
// Settings: BACKUP_DIR, KEYS_BACKUP_DIR (as for backup.mjs), RESTORE_FROM (a .dump), DRILL_DIR
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
const URL_ = `postgres://postgres@127.0.0.1:${PORT}/preschool`;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (message) => console.error(`[restore-drill] ${message}`);
const pg = (program, args, options = {}) => execFileSync(asRoot ? 'runuser' : program, asRoot ? ['-u', 'postgres', '--', program, ...args] : args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
const verdicts = [];
const verdict = (name, ok, detail) => {
  verdicts.push(ok);
  console.log(`restore-drill ${name}: ${ok ? 'PASS' : 'FAIL'} — ${detail}`);
};

function latestDump() {
  if (env.RESTORE_FROM) return path.resolve(env.RESTORE_FROM);
  const dumps = fs.existsSync(BACKUP_DIR) ? fs.readdirSync(BACKUP_DIR).filter((name) => name.endsWith('.dump')).sort() : [];
  if (!dumps.length) throw new Error(`no dump in ${BACKUP_DIR}: run npm run backup first`);
  return path.join(BACKUP_DIR, dumps.at(-1));
}

async function main() {
  const dump = latestDump();
  const manifest = JSON.parse(fs.readFileSync(dump.replace(/\.dump$/, '.json'), 'utf8'));
  const keysFile = path.join(KEYS_DIR, manifest.keys);
  const secrets = JSON.parse(fs.readFileSync(keysFile, 'utf8'));
  const started = Date.now();
  log(`restoring ${dump} (taken ${manifest.takenAt}) into a fresh cluster on ${PORT}`);
  fs.rmSync(DRILL_DIR, { recursive: true, force: true });
  fs.mkdirSync(path.join(DRILL_DIR, 'pg'), { recursive: true, mode: 0o700 });
  if (asRoot) execFileSync('chown', ['-R', 'postgres:postgres', DRILL_DIR]);
  pg('initdb', ['-D', path.join(DRILL_DIR, 'pg'), '-A', 'trust', '-U', 'postgres', '--no-sync']);
  pg('pg_ctl', ['-D', path.join(DRILL_DIR, 'pg'), '-o', `-p ${PORT} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${path.join(DRILL_DIR, 'pg')} -c fsync=off`, '-l', path.join(DRILL_DIR, 'pg.log'), '-w', 'start']);
  let app;
  try {
    execFileSync('createdb', ['-h', '127.0.0.1', '-p', String(PORT), '-U', 'postgres', 'preschool']);
    execFileSync('pg_restore', ['-d', URL_, '--no-owner', '-j', '2', dump], { stdio: 'inherit' });
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
    const differing = Object.entries(manifest.counts).filter(([table, count]) => counts[table] !== count);
    verdict('row-counts', differing.length === 0, differing.length ? `differ: ${differing.map(([t, c]) => `${t} ${counts[t]} ≠ ${c}`).join(', ')}` : `${Object.entries(counts).map(([t, c]) => `${t} ${c}`).join(', ')}`);
    const newest = execFileSync('psql', [URL_, '-Atc', `SELECT max(id) FROM ${manifest.schema}.audit_entries`], { encoding: 'utf8' }).trim();
    verdict('audit-trail', counts.audit_entries === manifest.counts.audit_entries && Number(newest) > 0, `${counts.audit_entries} entries, newest id ${newest}`);
    verdict('id-numbers', Boolean(check?.valid), check?.children ? `a child's ID number decrypted with the kept key: ${check.masked} (check character valid: ${check.valid})` : 'no child with an ID number in the backup');
    console.log(`restore-drill RTO: ${rto.toFixed(1)} s from the start of the restore to the app answering (dump of ${(manifest.bytes / 1e6).toFixed(1)} MB); RPO: the time since the dump was taken, at most the backup interval (${manifest.takenAt})`);
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
