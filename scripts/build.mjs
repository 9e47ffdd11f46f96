#!/usr/bin/env node
// Builds what the server needs, skipping what is already up to date:
// 1. the server code (plugins and cms, tsc; scripts/compile.mjs skips projects whose sources did not change);
// 2. the react-admin panel (admin/dist, Vite), when admin/ or the lockfile changed;
// 3. Strapi's own admin UI (cms/dist/build, `strapi build`), only when STRAPI_ADMIN_ENABLED=true
//    (the system administrator's back office at /admin; otherwise /admin opens the panel's help).
// A step that runs prints a progress line at least every 10 s. FORCE_BUILD=1 rebuilds everything.
// `--install` (npm's postinstall): builds 1 and 2 once after `npm install`, and never fails the install.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const force = process.env.FORCE_BUILD === '1';
const install = process.argv.includes('--install');
// 8 s, not 10: a loaded machine delays a timer, and the line is due at least every 10 s
const HEARTBEAT_MS = 8_000;

function newestMtime(...entries) {
  let newest = 0;
  const walk = (entry) => {
    if (!fs.existsSync(entry)) return;
    const stat = fs.statSync(entry);
    if (stat.isDirectory()) {
      if (/node_modules|dist$/.test(entry)) return;
      newest = Math.max(newest, stat.mtimeMs);
      for (const child of fs.readdirSync(entry)) walk(path.join(entry, child));
    } else newest = Math.max(newest, stat.mtimeMs);
  };
  entries.forEach(walk);
  return newest;
}
const mtime = (file) => (fs.existsSync(file) ? fs.statSync(file).mtimeMs : 0);

/** Runs a command, printing its output and a line every 8 s while it runs ("… 16 s"). */
function step(label, command, args, options = {}) {
  const started = Date.now();
  console.log(`• ${label} …`);
  const beat = setInterval(() => console.log(`  … ${label}: ${Math.round((Date.now() - started) / 1000)} s`), HEARTBEAT_MS);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(beat);
      if (code === 0) {
        console.log(`  ${label}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        resolve();
      } else reject(new Error(`${label} failed (exit ${code})`));
    });
  });
}

async function build() {
  await step('server code (tsc, only what changed)', process.execPath, [path.join(root, 'scripts', 'compile.mjs')], { cwd: root });

  const panelIndex = path.join(root, 'admin', 'dist', 'index.html');
  if (force || mtime(panelIndex) < newestMtime(path.join(root, 'admin'), path.join(root, 'package-lock.json'))) {
    await step('panel (vite build)', bin('vite'), ['build', '--logLevel', 'warn'], { cwd: path.join(root, 'admin') });
  } else console.log('• panel: up to date');

  if (install) return;
  const strapiAdminIndex = path.join(root, 'cms', 'dist', 'build', 'index.html');
  if (process.env.STRAPI_ADMIN_ENABLED !== 'true') {
    console.log('• Strapi admin UI (/admin): not built — set STRAPI_ADMIN_ENABLED=true to build and serve it (see the panel\'s 帮助)');
  } else if (force || mtime(strapiAdminIndex) < mtime(path.join(root, 'package-lock.json'))) {
    await step('Strapi admin UI (strapi build, about a minute the first time)', bin('strapi'), ['build', '--minify'], {
      cwd: path.join(root, 'cms'), stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, STRAPI_TELEMETRY_DISABLED: 'true' },
    });
  } else console.log('• Strapi admin UI: up to date');
}

try {
  await build();
} catch (error) {
  if (!install) {
    console.error(error.message);
    process.exit(1);
  }
  // at install time a failed build is not fatal: `npm start` builds again and shows the error
  console.warn(`(postinstall) build skipped: ${error.message}; \`npm start\` will build`);
}
