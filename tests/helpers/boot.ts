import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import type { Core } from '@strapi/strapi';
// plain JS: tests/global-setup.js uses it too
const { outsideCopies, templateFor, withDatabase } = require('./template');

export const REPOSITORY_ROOT = path.resolve(__dirname, '..', '..');
const CMS_DIR = path.join(REPOSITORY_ROOT, 'cms');
/** The demo accounts' password in tests. */
export const DEMO_PASSWORD = process.env.DEMO_PASSWORD || 'Demo#Passw0rd-2026';

export type BootedApp = { strapi: Core.Strapi; baseUrl: string; stop: () => Promise<void>; databaseUrl?: string; schema?: string };

/**
 * Boots the compiled Strapi app in this process, on a database of its own: a temporary SQLite
 * file, or, when DATABASE_URL is set, a PostgreSQL database or schema dropped afterwards. Demo data is
 * seeded with DEMO_PASSWORD: copied from the run's seeded template when there is one for this
 * environment (tests/helpers/template.js; then a database created from the template database on
 * PostgreSQL, `app.databaseUrl` naming it), seeded by this start otherwise. Strapi starts normally either
 * way. With `listen`, the server listens on a free port (browser tests).
 */
export async function bootStrapi(options: { listen?: boolean; seedDemo?: boolean; databaseUrl?: string } = {}): Promise<BootedApp> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'preschool-test-'));
  process.env.NODE_ENV = 'test';
  process.env.DATA_DIR = work;
  process.env.DEMO_PASSWORD = DEMO_PASSWORD;
  process.env.SEED_DEMO = options.seedDemo === false ? 'false' : 'true';
  process.env.HOST = '127.0.0.1';
  process.env.PORT = '0';
  process.env.STRAPI_TELEMETRY_DISABLED = 'true';
  // throw-away databases: commits need not wait for the disk (cms/config/database.ts)
  process.env.DATABASE_DURABILITY = 'relaxed';
  process.env.STRAPI_LOG_LEVEL = process.env.STRAPI_LOG_LEVEL || 'warn';
  // another app of this file may have pointed DATABASE_URL at its own copy of the template
  const databaseUrl = outsideCopies(options.databaseUrl ?? process.env.DATABASE_URL);
  // seeded suites start on a copy of the run's seeded template (tests/helpers/template.js)
  const template = options.seedDemo === false ? null : templateFor(process.env, databaseUrl);
  const previousDatabaseUrl = process.env.DATABASE_URL;
  let schema: string | undefined;
  let copyDatabase: string | undefined;
  let appDatabaseUrl = databaseUrl;
  const secretsSet: string[] = [];
  if (template) {
    fs.cpSync(template.dir, work, { recursive: true });
    // the template's secrets (its data folder's secrets.json) by environment: a suite that loaded the
    // compiled app before this boot has its data folder fixed already (cms/src/runtime/paths.ts)
    const secrets = JSON.parse(fs.readFileSync(path.join(work, 'secrets.json'), 'utf8')) as Record<string, string>;
    for (const [name, value] of Object.entries(secrets)) {
      if (process.env[name] === undefined) { process.env[name] = value; secretsSet.push(name); }
    }
  }
  if (databaseUrl && template) {
    copyDatabase = `${template.database}_${crypto.randomBytes(4).toString('hex')}`;
    await createDatabaseFrom(template.baseUrl, copyDatabase, template.database);
    appDatabaseUrl = withDatabase(databaseUrl, copyDatabase);
    schema = template.schema;
    process.env.DATABASE_URL = appDatabaseUrl;
    process.env.DATABASE_SCHEMA = schema;
  } else if (databaseUrl) {
    schema = `t_${crypto.randomBytes(6).toString('hex')}`;
    await runOnPostgres(databaseUrl, `CREATE SCHEMA ${schema}`);
    process.env.DATABASE_URL = databaseUrl;
    process.env.DATABASE_SCHEMA = schema;
  } else {
    delete process.env.DATABASE_URL;
    process.env.DATABASE_FILENAME = path.join(work, 'test.db');
  }
  const { createStrapi } = require('@strapi/strapi');
  const strapi: Core.Strapi = await createStrapi({ appDir: CMS_DIR, distDir: path.join(CMS_DIR, 'dist'), autoReload: false, serveAdminPanel: false }).load();
  let baseUrl = '';
  if (options.listen) {
    await strapi.listen();
    const address = strapi.server.httpServer.address() as { port: number };
    baseUrl = `http://127.0.0.1:${address.port}`;
  } else {
    await strapi.server.mount();
  }
  const stop = async () => {
    await strapi.destroy();
    if (copyDatabase && template) {
      await runOnPostgres(template.baseUrl, `DROP DATABASE IF EXISTS "${copyDatabase}" WITH (FORCE)`);
      if (previousDatabaseUrl === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = previousDatabaseUrl;
    } else if (databaseUrl && schema) {
      // the job queue keeps its tables beside the schema (cms/src/runtime/jobs.ts)
      await runOnPostgres(databaseUrl, `DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${schema}_jobs CASCADE`);
    }
    for (const name of secretsSet) delete process.env[name];
    fs.rmSync(work, { recursive: true, force: true });
  };
  return { strapi, baseUrl, stop, databaseUrl: appDatabaseUrl, schema };
}

/** CREATE DATABASE … TEMPLATE, again while the template's last session (the process that seeded it) is still closing. */
async function createDatabaseFrom(adminUrl: string, database: string, template: string): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      await runOnPostgres(adminUrl, `CREATE DATABASE "${database}" TEMPLATE "${template}"`);
      return;
    } catch (error) {
      if (attempt >= 50 || !/being accessed by other users/.test((error as Error).message)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

export async function runOnPostgres(databaseUrl: string, sql: string): Promise<void> {
  const { Client } = require('pg');
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
