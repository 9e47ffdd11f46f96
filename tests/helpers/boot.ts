import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import type { Core } from '@strapi/strapi';

export const REPOSITORY_ROOT = path.resolve(__dirname, '..', '..');
const CMS_DIR = path.join(REPOSITORY_ROOT, 'cms');
/** The demo accounts' password in tests. */
export const DEMO_PASSWORD = process.env.DEMO_PASSWORD || 'Demo#Passw0rd-2026';

export type BootedApp = { strapi: Core.Strapi; baseUrl: string; stop: () => Promise<void>; databaseUrl?: string; schema?: string };

/**
 * Boots the compiled Strapi app in this process, on a database of its own: a temporary SQLite
 * file, or, when DATABASE_URL is set, a fresh PostgreSQL schema dropped afterwards. Demo data is
 * seeded with DEMO_PASSWORD. With `listen`, the server listens on a free port (browser tests).
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
  const databaseUrl = options.databaseUrl ?? process.env.DATABASE_URL;
  let schema: string | undefined;
  if (databaseUrl) {
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
    // the job queue keeps its tables beside the schema (cms/src/runtime/jobs.ts)
    if (databaseUrl && schema) await runOnPostgres(databaseUrl, `DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${schema}_jobs CASCADE`);
    fs.rmSync(work, { recursive: true, force: true });
  };
  return { strapi, baseUrl, stop, databaseUrl, schema };
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
