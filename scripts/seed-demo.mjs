#!/usr/bin/env node
// `npm run seed:demo`: loads the demo data and demo accounts (config/demo.json) into the configured
// database (DATABASE_URL, or the embedded SQLite file), then exits. Refused with NODE_ENV=production.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

if (process.env.NODE_ENV === 'production') {
  console.error('seed:demo refuses to run with NODE_ENV=production: demo accounts never go into a production database.');
  process.exit(1);
}
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
execFileSync('node', [path.join(root, 'scripts', 'compile.mjs')], { cwd: root, stdio: 'inherit' });
process.env.SEED_DEMO = 'true';
process.env.STRAPI_TELEMETRY_DISABLED ??= 'true';
// the demo's children (config/demo.json `children`) come with the quick start, not with the tests
process.env.SEED_DEMO_CHILDREN ??= 'true';
const appDir = path.join(root, 'cms');
const require = createRequire(path.join(appDir, 'package.json'));
const { createStrapi } = require('@strapi/strapi');
const strapi = await createStrapi({ appDir, distDir: path.join(appDir, 'dist'), autoReload: false, serveAdminPanel: false }).load();
await strapi.destroy();
console.log('Demo data loaded.');
process.exit(0);
