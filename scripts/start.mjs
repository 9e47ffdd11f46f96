#!/usr/bin/env node
// `npm start`: builds what is out of date (scripts/build.mjs: nothing when nothing changed), then
// serves the panel at /, the API under /api (described at /api/openapi.json) on
// http://$HOST:$PORT (0.0.0.0:1337 unless set). With no settings: embedded SQLite in data/, demo
// data and every demo account (printed, the 三员 included). DATABASE_URL=postgres://… for PostgreSQL.
// Strapi's own admin UI (/admin) is built and served only with STRAPI_ADMIN_ENABLED=true.
// A line is printed at least every 10 s until the server is ready.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

import { serverEnvironment, serverNodeOptions } from './lib/node-options.mjs';

// The server runs with the Node options of config/cluster.json `server` (the heap cap, the young generation, malloc's settings): they can only
// be given when a process starts, so this script starts itself again with them and passes on the
// signals that stop it (Ctrl-C, a service manager's SIGTERM) and its exit code.
// The server goes with this script when it is killed outright (the IPC channel closes).
const options = serverNodeOptions();
const environment = serverEnvironment();
if (options.length || Object.keys(environment).length) {
  const child = spawn(process.execPath, [...options, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'], env: { ...process.env, ...environment } });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  await new Promise(() => undefined);
}
if (process.channel) {
  process.on('disconnect', () => process.exit(1));
  process.channel.unref();
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const started = Date.now();
const seconds = () => ((Date.now() - started) / 1000).toFixed(1);
execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });

process.env.STRAPI_TELEMETRY_DISABLED ??= 'true';
// the demo's children (config/demo.json `children`) come with the quick start, not with the tests
process.env.SEED_DEMO_CHILDREN ??= 'true';
const appDir = path.join(root, 'cms');
const distDir = path.join(appDir, 'dist');
process.chdir(appDir);
console.log(`• server: starting (database, regions, roles, demo data) …`);
// The progress line comes from a thread of its own, written straight to stdout: Strapi's loading
// keeps this thread's event loop busy for long stretches (a timer here could stay silent a minute).
// Every 8 s: on a loaded machine the thread itself waits for a core (10 s timers came 10.2 s apart).
const beat = new Worker(`
  const { workerData } = require('node:worker_threads');
  const fs = require('node:fs');
  setInterval(() => fs.writeSync(1, '  … server starting: ' + ((Date.now() - workerData) / 1000).toFixed(0) + ' s since npm start\\n'), 8000);
`, { eval: true, workerData: started });
beat.unref();
const require = createRequire(path.join(appDir, 'package.json'));
const { createStrapi } = require('@strapi/strapi');
const serveAdminPanel = fs.existsSync(path.join(distDir, 'build', 'index.html'));
let strapi;
try {
  strapi = await createStrapi({ appDir, distDir, serveAdminPanel }).start();
} finally {
  await beat.terminate();
}
const host = strapi.config.get('server.host');
const port = strapi.config.get('server.port');
const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
console.log(`\n全国学前教育管理信息系统 is running (ready ${seconds()} s after npm start), on HOST=${host} PORT=${port}:
  panel        http://${shown}:${port}/            (帮助: http://${shown}:${port}/#/help)
  API          http://${shown}:${port}/api         (health: /api/health; every route: /api/openapi.json)
  Strapi admin ${serveAdminPanel ? `http://${shown}:${port}/admin       (system administrator; the first one: npm run admin:create -- --email … --password …)` : 'not built: STRAPI_ADMIN_ENABLED=true npm start builds and serves it at /admin'}
`);
