/**
 * The seeded template every suite's database is copied from (docs/testing.md, "Seed once, copy per suite").
 *
 * tests/global-setup.js builds it once per jest run: the compiled app started in a Node process of its
 * own with the demo data (exactly what `bootStrapi()` would do on a fresh database), then stopped. On SQLite
 * the template is a folder (the database file and the data folder's secrets) copied per suite; on PostgreSQL
 * it is a database of its own that each suite's database is created from (`CREATE DATABASE … TEMPLATE …`),
 * with the app's schema inside. `tests/helpers/boot.ts` then starts Strapi normally on the copy: migrations,
 * the SQL of database/postgres and the demo seeding run again and find nothing to do.
 *
 * A suite whose environment differs from the template's in anything that changes what a start writes
 * (TEMPLATE_VARIABLES) boots on a fresh database as before; so do suites asking for an unseeded one.
 * TEST_TEMPLATE=off turns the mechanism off.
 */
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const REPOSITORY_ROOT = path.resolve(__dirname, '..', '..');
const DEMO_PASSWORD = process.env.DEMO_PASSWORD || 'Demo#Passw0rd-2026';

/** What a start reads that changes the data it writes: a suite setting any of them otherwise seeds its own. */
const TEMPLATE_VARIABLES = [
  'SEED_DEMO_CHILDREN', 'DEMO_PASSWORD', 'DOMAIN_CONFIG_DIR', 'DEPLOYMENT_ROLE', 'DEPLOYMENT_PROVINCE', 'PRESCHOOL_TODAY',
  'ADMIN_BOOTSTRAP_EMAIL', 'ADMIN_BOOTSTRAP_PASSWORD', 'PII_ENCRYPTION_KEY', 'ARCHIVE_CATCH_UP', 'ARCHIVE_SCHEDULE',
  'JOB_SCHEDULES', 'STRAPI_ADMIN_ENABLED',
  // a replica URL names the suite's own database (tests/api/cluster-replica.test.ts: the primary opened read-only)
  'DATABASE_REPLICA_URL',
];
/** Prefixes of further such variables (the two-level deployment's settings). */
const TEMPLATE_PREFIXES = ['EXCHANGE_', 'NATIONAL_'];

/** The variant a suite needs: the values of the variables above in `env` (SEED_DEMO_CHILDREN picks a variant). */
function templateKey(env) {
  const key = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (TEMPLATE_VARIABLES.includes(name) || TEMPLATE_PREFIXES.some((prefix) => name.startsWith(prefix))) key[name] = value;
  }
  if (!('DEMO_PASSWORD' in key)) key.DEMO_PASSWORD = DEMO_PASSWORD;
  return JSON.stringify(Object.keys(key).sort().map((name) => [name, key[name]]));
}

/** The database part of a PostgreSQL URL replaced by `database`. */
function withDatabase(databaseUrl, database) {
  const url = new URL(databaseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

function databaseOf(databaseUrl) {
  return decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''));
}

async function runOnPostgres(databaseUrl, sql) {
  const { Client } = require('pg');
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Starts the compiled app with `env` in a Node process of its own, lets its start finish, stops it. */
function startAndStop(env, label) {
  const script = `
    const started = Date.now();
    const { createStrapi } = require('@strapi/strapi');
    createStrapi({ appDir: ${JSON.stringify(path.join(REPOSITORY_ROOT, 'cms'))}, distDir: ${JSON.stringify(path.join(REPOSITORY_ROOT, 'cms', 'dist'))}, autoReload: false, serveAdminPanel: false })
      .load().then(async (strapi) => {
        const loaded = Date.now();
        await strapi.destroy();
        process.stdout.write('TEMPLATE_READY ' + JSON.stringify({ start: loaded - started }) + '\\n');
        process.exit(0);
      })
      .catch((error) => { console.error(error); process.exit(1); });`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { cwd: path.join(REPOSITORY_ROOT, 'cms'), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => { output += chunk; });
    child.stderr.on('data', (chunk) => { output += chunk; });
    child.on('error', reject);
    child.on('exit', (code) => {
      const match = output.match(/TEMPLATE_READY (\{.*\})/);
      if (code === 0 && match) resolve(JSON.parse(match[1]));
      else reject(new Error(`the ${label} template did not start (exit ${code}):\n${output.slice(-4000)}`));
    });
  });
}

/**
 * Builds the templates of one run: `variants` maps a name to extra environment (e.g. the demo children).
 * Returns what the suites need to find them (written to process.env.TEST_TEMPLATES by tests/global-setup.js).
 */
async function buildTemplates(variants) {
  const run = crypto.randomBytes(4).toString('hex');
  const baseUrl = process.env.DATABASE_URL || '';
  const templates = [];
  await Promise.all(Object.entries(variants).map(async ([name, extra]) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `preschool-template-${name}-`));
    const env = {
      ...process.env,
      NODE_ENV: 'test', DATA_DIR: dir, DEMO_PASSWORD, SEED_DEMO: 'true', HOST: '127.0.0.1', PORT: '0',
      STRAPI_TELEMETRY_DISABLED: 'true', DATABASE_DURABILITY: 'relaxed', STRAPI_LOG_LEVEL: process.env.STRAPI_LOG_LEVEL || 'warn',
      ...extra,
    };
    const template = { name, dir, key: templateKey(env) };
    if (baseUrl) {
      template.database = `preschool_t${run}_${name.replace(/[^a-z0-9]/gi, '').toLowerCase()}`;
      template.schema = `t_${run}`;
      template.baseDatabase = databaseOf(baseUrl);
      await runOnPostgres(baseUrl, `CREATE DATABASE "${template.database}"`);
      const url = withDatabase(baseUrl, template.database);
      await runOnPostgres(url, `CREATE SCHEMA ${template.schema}`);
      Object.assign(env, { DATABASE_URL: url, DATABASE_SCHEMA: template.schema });
    } else {
      delete env.DATABASE_URL;
      env.DATABASE_FILENAME = path.join(dir, 'test.db');
    }
    const started = Date.now();
    const timing = await startAndStop(env, name);
    if (template.database) {
      // the job queue's tables are each suite's own (cms/src/runtime/jobs.ts creates them at its start)
      await runOnPostgres(withDatabase(baseUrl, template.database), `DROP SCHEMA IF EXISTS ${template.schema}_jobs CASCADE`);
    }
    template.seconds = Math.round((Date.now() - started) / 100) / 10;
    template.startSeconds = Math.round(timing.start / 100) / 10;
    templates.push(template);
  }));
  return { run, baseUrl, templates };
}

/** The templates of this run (TEST_TEMPLATES), or none. */
function templatesOfRun() {
  if (process.env.TEST_TEMPLATE === 'off' || !process.env.TEST_TEMPLATES) return null;
  try {
    return JSON.parse(process.env.TEST_TEMPLATES);
  } catch {
    return null;
  }
}

/**
 * The template a suite about to boot with `env` may start from, or null (no template of that variant, another
 * database, or a different environment).
 */
function templateFor(env, databaseUrl) {
  const run = templatesOfRun();
  if (!run) return null;
  if (Boolean(run.baseUrl) !== Boolean(databaseUrl)) return null;
  if (databaseUrl && databaseOf(databaseUrl) !== databaseOf(run.baseUrl)) return null;
  const key = templateKey(env);
  const template = run.templates.find((candidate) => candidate.key === key);
  return template ? { ...template, baseUrl: run.baseUrl } : null;
}

/** `databaseUrl`, or the run's base database when it names a suite's copy (DATABASE_URL while a suite runs). */
function outsideCopies(databaseUrl) {
  const run = templatesOfRun();
  if (!run || !run.baseUrl || !databaseUrl) return databaseUrl;
  return databaseOf(databaseUrl).startsWith(`preschool_t${run.run}_`) ? withDatabase(databaseUrl, databaseOf(run.baseUrl)) : databaseUrl;
}

/** Drops what buildTemplates made, and every suite database of the run a suite left behind. */
async function removeTemplates(run) {
  if (!run) return;
  for (const template of run.templates) fs.rmSync(template.dir, { recursive: true, force: true });
  if (!run.baseUrl) return;
  const { rows } = await runOnPostgres(run.baseUrl, `SELECT datname FROM pg_database WHERE datname LIKE 'preschool\\_t${run.run}\\_%'`);
  for (const { datname } of rows) await runOnPostgres(run.baseUrl, `DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).catch(() => undefined);
}

module.exports = { buildTemplates, outsideCopies, templateFor, templatesOfRun, removeTemplates, withDatabase, runOnPostgres, templateKey };
