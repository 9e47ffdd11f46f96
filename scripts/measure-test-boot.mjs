#!/usr/bin/env node
/**
 * How long one start of the compiled app takes in the three ways a test suite may start it
 * (docs/testing.md, "Seed once, copy per suite"): on an empty SQLite database with the demo data seeded,
 * on an empty one not seeded, and on a copy of a seeded template (built here first, as
 * tests/global-setup.js builds it). Prints wall and CPU seconds of each start. Not part of CI.
 *
 *   node scripts/compile.mjs && node scripts/measure-test-boot.mjs
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { buildTemplates, removeTemplates } = require(path.join(root, 'tests', 'helpers', 'template.js'));

function start(label, { seed, from }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'measure-boot-'));
  if (from) fs.cpSync(from, dir, { recursive: true });
  const env = {
    ...process.env, NODE_ENV: 'test', DATA_DIR: dir, DEMO_PASSWORD: process.env.DEMO_PASSWORD || 'Demo#Passw0rd-2026', SEED_DEMO: seed ? 'true' : 'false',
    HOST: '127.0.0.1', PORT: '0', STRAPI_TELEMETRY_DISABLED: 'true', DATABASE_DURABILITY: 'relaxed', STRAPI_LOG_LEVEL: 'warn',
    DATABASE_FILENAME: path.join(dir, 'test.db'),
  };
  delete env.DATABASE_URL;
  const script = `const t = Date.now(); const { createStrapi } = require('@strapi/strapi');
    createStrapi({ appDir: ${JSON.stringify(path.join(root, 'cms'))}, distDir: ${JSON.stringify(path.join(root, 'cms', 'dist'))}, autoReload: false, serveAdminPanel: false })
      .load().then(async (s) => { const wall = (Date.now() - t) / 1000; const cpu = process.cpuUsage().user / 1e6; await s.destroy(); console.log('RESULT ' + wall.toFixed(1) + ' ' + cpu.toFixed(1)); process.exit(0); })
      .catch((e) => { console.error(e); process.exit(1); });`;
  const result = spawnSync(process.execPath, ['-e', script], { cwd: path.join(root, 'cms'), env, encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true, force: true });
  const match = (result.stdout || '').match(/RESULT (\S+) (\S+)/);
  if (!match) throw new Error(`${label}: ${result.stderr.slice(-2000)}`);
  console.log(`${label.padEnd(40)} ${match[1].padStart(6)} s wall ${match[2].padStart(6)} s CPU`);
}

delete process.env.DATABASE_URL;
const run = await buildTemplates({ demo: {} });
try {
  console.log(`template (demo) built in ${run.templates[0].seconds} s`);
  start('empty database, demo seeded', { seed: true });
  start('empty database, not seeded', { seed: false });
  start('copy of the seeded template', { seed: true, from: run.templates[0].dir });
} finally {
  await removeTemplates(run);
}
