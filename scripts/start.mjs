#!/usr/bin/env node
// `npm start`: builds what is out of date, then serves the panel at /, the API under /api and
// Strapi's admin under /admin on http://localhost:$PORT (1337). With no settings: embedded SQLite
// in data/, demo data and demo accounts (printed below). DATABASE_URL=postgres://… for PostgreSQL.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const started = Date.now();
execFileSync('node', [path.join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });

process.env.STRAPI_TELEMETRY_DISABLED ??= 'true';
// the demo's children (config/demo.json `children`) come with the quick start, not with the tests
process.env.SEED_DEMO_CHILDREN ??= 'true';
const appDir = path.join(root, 'cms');
process.chdir(appDir);
const require = createRequire(path.join(appDir, 'package.json'));
const { createStrapi } = require('@strapi/strapi');
const strapi = await createStrapi({ appDir, distDir: path.join(appDir, 'dist') }).start();
const port = strapi.config.get('server.port');
console.log(`\n全国学前教育管理信息系统 is running (ready ${((Date.now() - started) / 1000).toFixed(1)} s after npm start):
  panel        http://localhost:${port}/
  API          http://localhost:${port}/api   (health: /api/health)
  Strapi admin http://localhost:${port}/admin (system administrator; the first one: npm run admin:create -- --email … --password …)
`);
