import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { BootedApp } from './boot';
import { REPOSITORY_ROOT } from './boot';

/**
 * A second app instance, in its own Node process, on the same database as `app` (same SQLite file,
 * or same PostgreSQL schema) and the same data folder (so the same secrets): what two servers
 * behind a load balancer share is only the database.
 */
export async function secondInstance(app: BootedApp): Promise<{ url: string; stop: () => Promise<void> }> {
  return startInstance({
    SEED_DEMO: 'false', ARCHIVE_SCHEDULE: 'false', ARCHIVE_CATCH_UP: 'false',
    ...(app.schema ? { DATABASE_URL: app.databaseUrl!, DATABASE_SCHEMA: app.schema } : {}),
  });
}

/** Starts the compiled app in a Node process of its own with `overrides` over this process's environment. */
export async function startInstance(overrides: Record<string, string | undefined>): Promise<{ url: string; stop: () => Promise<void> }> {
  const env = {
    ...process.env,
    NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', STRAPI_TELEMETRY_DISABLED: 'true', STRAPI_LOG_LEVEL: 'error',
    ...overrides,
  };
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name];
  const script = `
    const { createStrapi } = require('@strapi/strapi');
    createStrapi({ appDir: ${JSON.stringify(path.join(REPOSITORY_ROOT, 'cms'))}, distDir: ${JSON.stringify(path.join(REPOSITORY_ROOT, 'cms', 'dist'))}, autoReload: false, serveAdminPanel: false })
      .load().then(async (strapi) => { await strapi.listen(); process.stdout.write('PORT=' + strapi.server.httpServer.address().port + '\\n'); })
      .catch((error) => { console.error(error); process.exit(1); });`;
  const child: ChildProcess = spawn(process.execPath, ['-e', script], { cwd: path.join(REPOSITORY_ROOT, 'cms'), env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await new Promise<number>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`instance did not start: ${output}`)), 400_000);
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      const match = output.match(/PORT=(\d+)/);
      if (match) { clearTimeout(timer); resolve(Number(match[1])); }
    });
    child.stderr!.on('data', (chunk) => { output += chunk; });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`instance exited ${code}: ${output}`)); });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    }),
  };
}
