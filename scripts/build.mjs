#!/usr/bin/env node
// Builds what the server needs, skipping what is already up to date:
// 1. the server code (plugins and cms, tsc, incremental);
// 2. the react-admin panel (admin/dist, Vite), when admin/ changed;
// 3. Strapi's own admin UI (cms/dist/build, `strapi build`), when missing or dependencies changed.
// FORCE_BUILD=1 rebuilds everything.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const force = process.env.FORCE_BUILD === '1';

function newestMtime(...entries) {
  let newest = 0;
  const walk = (entry) => {
    if (!fs.existsSync(entry)) return;
    const stat = fs.statSync(entry);
    if (stat.isDirectory()) {
      if (/node_modules|dist$/.test(entry)) return;
      for (const child of fs.readdirSync(entry)) walk(path.join(entry, child));
    } else newest = Math.max(newest, stat.mtimeMs);
  };
  entries.forEach(walk);
  return newest;
}
const mtime = (file) => (fs.existsSync(file) ? fs.statSync(file).mtimeMs : 0);
const step = (label, fn) => {
  const started = Date.now();
  process.stdout.write(`• ${label} … `);
  fn();
  console.log(`${((Date.now() - started) / 1000).toFixed(1)} s`);
};

step('server code (tsc)', () => execFileSync('node', [path.join(root, 'scripts', 'compile.mjs')], { cwd: root, stdio: 'inherit' }));

const panelIndex = path.join(root, 'admin', 'dist', 'index.html');
if (force || mtime(panelIndex) < newestMtime(path.join(root, 'admin'), path.join(root, 'package-lock.json'))) {
  step('panel (vite build)', () => execFileSync(bin('vite'), ['build', '--logLevel', 'warn'], { cwd: path.join(root, 'admin'), stdio: 'inherit' }));
} else console.log('• panel: up to date');

const strapiAdminIndex = path.join(root, 'cms', 'dist', 'build', 'index.html');
if (process.env.SKIP_STRAPI_ADMIN === '1') console.log('• Strapi admin: skipped (SKIP_STRAPI_ADMIN=1)');
else if (force || mtime(strapiAdminIndex) < mtime(path.join(root, 'package-lock.json'))) {
  step('Strapi admin UI (strapi build, about a minute the first time)', () =>
    execFileSync(bin('strapi'), ['build', '--minify'], { cwd: path.join(root, 'cms'), stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, STRAPI_TELEMETRY_DISABLED: 'true' } }));
} else console.log('• Strapi admin: up to date');
