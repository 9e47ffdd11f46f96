#!/usr/bin/env node
// Compiles the server side: each local plugin, then the Strapi app (cms/dist), with tsc.
// A project whose sources (and tsconfig, package.json, the lockfile) are older than its last
// successful compile (the stamp dist/.compiled) is skipped without starting tsc: a later start
// with nothing changed compiles nothing. FORCE_BUILD=1 compiles every project.
// Prints one line per project ("tsc plugins/dup-check … 12.3 s" or "up to date").
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsc = path.join(root, 'node_modules', '.bin', 'tsc');
const force = process.env.FORCE_BUILD === '1';
const quiet = process.argv.includes('--quiet');
/**
 * Folders that are outputs or data, never sources; and Strapi's update notifier's state, which
 * Strapi rewrites at every start (cms/.strapi-updater.json): counted, it made every later start
 * compile cms again (5–11 s).
 */
const SKIP = new Set(['node_modules', 'dist', 'build', '.strapi', '.tmp', '.cache', 'public', 'generated', 'data', 'coverage', '.strapi-updater.json']);

/**
 * The newest modification time under `entry` (files and folders: a deleted file changes its folder).
 * The project folder's own time is left out: making dist/ (or Strapi's .strapi/) in it changes it.
 * A folder with no file anywhere below it is no source: Strapi makes cms/database/migrations (empty)
 * at the first start of a fresh clone, which made the second start compile cms again.
 */
export function newestMtime(entry, top = true) {
  if (!fs.existsSync(entry)) return 0;
  const stat = fs.statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const child of fs.readdirSync(entry)) {
    if (SKIP.has(child) || child.endsWith('.tsbuildinfo')) continue;
    newest = Math.max(newest, newestMtime(path.join(entry, child), false));
  }
  return newest && !top ? Math.max(newest, stat.mtimeMs) : newest;
}

/** Whether `dir` (a plugin or cms) has sources newer than its last successful compile (dist/.compiled). */
export function needsCompile(dir, lockfile = path.join(root, 'package-lock.json')) {
  const stamp = path.join(dir, 'dist', '.compiled');
  const compiledAt = fs.existsSync(stamp) ? fs.statSync(stamp).mtimeMs : 0;
  return !(compiledAt > Math.max(newestMtime(dir), newestMtime(lockfile)));
}

function compileAll() {
  // access-scope first: the other plugins and cms read its declarations (dist/server/*.d.ts)
  const projects = [
    ...fs.readdirSync(path.join(root, 'plugins'))
      .sort((a, b) => Number(b === 'access-scope') - Number(a === 'access-scope') || a.localeCompare(b))
      .map((name) => path.join(root, 'plugins', name)),
    path.join(root, 'cms'),
  ].filter((dir) => fs.existsSync(path.join(dir, 'tsconfig.json')));

  for (const dir of projects) {
    const name = path.relative(root, dir);
    const stamp = path.join(dir, 'dist', '.compiled');
    if (!force && !needsCompile(dir)) {
      if (!quiet) console.log(`  tsc ${name}: up to date`);
      continue;
    }
    const started = Date.now();
    const checkedAt = new Date();
    execFileSync(tsc, ['-p', path.join(dir, 'tsconfig.json')], { cwd: root, stdio: 'inherit' });
    fs.mkdirSync(path.dirname(stamp), { recursive: true });
    fs.writeFileSync(stamp, `${checkedAt.toISOString()}\n`);
    // the stamp dates from before the compile: a source saved while tsc ran is compiled next time
    fs.utimesSync(stamp, checkedAt, checkedAt);
    if (!quiet) console.log(`  tsc ${name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}

// run as a script (`node scripts/compile.mjs`), not when imported for its checks
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) compileAll();
