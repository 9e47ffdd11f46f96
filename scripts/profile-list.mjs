#!/usr/bin/env node
// Profiles the server (its own process, scripts/lib/server.mjs) while a list route is asked in a
// closed loop: `GEN_SCHEMA=province_5m PROFILE_DIR=/tmp/prof node scripts/profile-list.mjs`. Writes a
// .cpuprofile of the server to PROFILE_DIR and prints the heaviest functions (self time).
// Settings: DATABASE_URL, GEN_SCHEMA, PROFILE_USER (demo-province), PROFILE_PATH (the children's list,
// female, by name), PROFILE_CONNECTIONS (10), PROFILE_SECONDS (20), PROFILE_BODY (a JSON body: POST).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { SYNTHETIC_KEYS } from './lib/common.mjs';
import { concurrentGets } from './lib/load.mjs';
import { startServer } from './lib/server.mjs';

const SCHEMA = process.env.GEN_SCHEMA || 'province_bench';
const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const DIR = process.env.PROFILE_DIR || fs.mkdtempSync(path.join(os.tmpdir(), 'profile-'));
fs.mkdirSync(DIR, { recursive: true });
const USER = process.env.PROFILE_USER || 'demo-province';
const PATHS = (process.env.PROFILE_PATH || '/api/children?filters[sex][$eq]=female&pagination[page]=1&pagination[pageSize]=25&sort=name:asc').split(' ');
const CONNECTIONS = Number(process.env.PROFILE_CONNECTIONS || 10);
const SECONDS = Number(process.env.PROFILE_SECONDS || 20);
const PASSWORD = `Bench#${crypto.randomBytes(6).toString('hex')}`;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'profile-data-'));

const server = await startServer({
  NODE_ENV: 'test', DATA_DIR: work, DATABASE_URL, DATABASE_SCHEMA: SCHEMA, PII_HASH_KEY: SYNTHETIC_KEYS.PII_HASH_KEY,
  PII_ENCRYPTION_KEY: SYNTHETIC_KEYS.PII_ENCRYPTION_KEY, DEMO_PASSWORD: PASSWORD, SEED_DEMO: 'true', ARCHIVE_SCHEDULE: 'false',
  ARCHIVE_CATCH_UP: 'false', HOST: '127.0.0.1', PORT: '0', STRAPI_TELEMETRY_DISABLED: 'true', STRAPI_LOG_LEVEL: 'warn',
});
try {
  const response = await fetch(`${server.url}/api/auth/local`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identifier: USER, password: PASSWORD }) });
  const { jwt } = await response.json();
  const warm = await concurrentGets(server.url, jwt, PATHS, CONNECTIONS, 3);
  await server.profileStart();
  const result = await concurrentGets(server.url, jwt, PATHS, CONNECTIONS, SECONDS);
  await server.profileStop(path.join(DIR, `server-${Date.now()}.cpuprofile`));
  console.error(`warm ${warm.rps.toFixed(1)} req/s; measured ${result.rps.toFixed(1)} req/s p50 ${result.p50.toFixed(1)} ms p95 ${result.p95.toFixed(1)} ms ${JSON.stringify(result.statuses)} load ${os.loadavg()[0].toFixed(2)}`);
  console.error(`memory ${JSON.stringify(await server.memory())}`);
} finally {
  await server.stop();
  fs.rmSync(work, { recursive: true, force: true });
}
const file = fs.readdirSync(DIR).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(DIR, f)).sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
const self = new Map();
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const dt = new Map();
for (let i = 0; i < profile.samples.length; i += 1) dt.set(profile.samples[i], (dt.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));
let total = 0;
for (const [id, micros] of dt) {
  const { callFrame: f } = byId.get(id);
  const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/.*node_modules\//, '').replace(/.*wt-perf\//, '')}:${f.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + micros);
  total += micros;
}
console.log(`profile ${file}`);
for (const [key, micros] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.PROFILE_TOP || 40))) console.log(`${(100 * micros / total).toFixed(1).padStart(5)} %  ${key}`);
const byPackage = new Map();
for (const [key, micros] of self) {
  const where = key.split(' ')[1] ?? '';
  const pkg = /^(@[^/]+\/[^/]+|[^/]+)\//.exec(where)?.[1] ?? where.split(':')[0];
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + micros);
}
console.log('\nself time by package / file:');
for (const [pkg, micros] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${(100 * micros / total).toFixed(1).padStart(5)} %  ${pkg}`);
// inclusive time: each sample counted once for every distinct function on its stack
const parent = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const inclusive = new Map();
for (const [id, micros] of dt) {
  const keys = new Set();
  for (let at = id; at !== undefined; at = parent.get(at)) {
    const { callFrame: f } = byId.get(at);
    keys.add(`${f.functionName || '(anonymous)'} ${f.url.replace(/.*node_modules\//, '').replace(/.*wt-perf\//, '')}:${f.lineNumber + 1}`);
  }
  for (const key of keys) inclusive.set(key, (inclusive.get(key) ?? 0) + micros);
}
console.log('\ninclusive time:');
for (const [key, micros] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.PROFILE_TOP_INCLUSIVE || 120))) console.log(`${(100 * micros / total).toFixed(1).padStart(5)} %  ${key}`);
