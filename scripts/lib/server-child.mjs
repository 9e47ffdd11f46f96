// The app server of a benchmark, in a process of its own (scripts/lib/server.mjs forks it): the load
// generator and the raw SQL replay run elsewhere, so what this process holds (its RSS) and spends is
// the server's alone. Boots Strapi from the environment the parent set, listens, and answers a few
// requests over the IPC channel (one message in, one out, matched by `id`):
//   capture-start / capture-stop  the SQL statements knex sends meanwhile ({ text, values });
//   memory                        this process's RSS now and at its peak (VmHWM), in bytes;
//   time                          a service method called `iterations` times in turn (in-process, no HTTP);
//   call                          a service method called once (its result, JSON);
//   query                         strapi.db.query(uid)[method](params) (setup and cleanup of a benchmark);
//   profile-start / profile-stop  a CPU profile of this process meanwhile (Node's inspector), written to `file`;
//   cpu                           this process's CPU time so far (process.cpuUsage(), µs) and the statements knex has sent;
//   stop                          destroys Strapi and exits.
import fs from 'node:fs';
import inspector from 'node:inspector';
import path from 'node:path';

import { appDir, requireFromCms } from './common.mjs';

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

function memory() {
  const status = fs.readFileSync('/proc/self/status', 'utf8');
  const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS') || process.memoryUsage().rss, peak: kb('VmHWM') || process.memoryUsage().rss };
}

/** The service `target` names: { uid } (strapi.service), { plugin, service }. */
function service(strapi, target) {
  return target.plugin ? strapi.plugin(target.plugin).service(target.service) : strapi.service(target.uid);
}

async function main() {
  const { createStrapi } = requireFromCms('@strapi/strapi');
  const strapi = createStrapi({ appDir, distDir: path.join(appDir, 'dist'), autoReload: false, serveAdminPanel: false });
  strapi.log.level = process.env.STRAPI_LOG_LEVEL || 'warn';
  await strapi.load();
  await strapi.listen();
  const { port } = strapi.server.httpServer.address();
  let captured = null;
  let statements = 0;
  strapi.db.connection.on('query', (query) => {
    statements += 1;
    if (captured) captured.push({ text: query.sql, values: query.bindings ?? [] });
  });

  let session = null;
  const post = (method, params) => new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  const handlers = {
    'profile-start': async () => {
      session = new inspector.Session();
      session.connect();
      await post('Profiler.enable');
      await post('Profiler.setSamplingInterval', { interval: 200 });
      await post('Profiler.start');
      return null;
    },
    'profile-stop': async ({ file }) => {
      const { profile } = await post('Profiler.stop');
      session.disconnect();
      session = null;
      fs.writeFileSync(file, JSON.stringify(profile));
      return file;
    },
    'capture-start': () => { captured = []; return null; },
    'capture-stop': () => { const seen = captured ?? []; captured = null; return seen; },
    memory: () => memory(),
    cpu: () => ({ ...process.cpuUsage(), statements }),
    call: async ({ target, method, args = [] }) => service(strapi, target)[method](...args),
    time: async ({ target, method, argsList, iterations }) => {
      const s = service(strapi, target);
      for (let i = 0; i < Math.min(50, iterations); i += 1) await s[method](...argsList[i % argsList.length]);
      const times = [];
      for (let i = 0; i < iterations; i += 1) {
        const t0 = performance.now();
        await s[method](...argsList[i % argsList.length]);
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      return { p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99) };
    },
    query: async ({ uid, method, params }) => strapi.db.query(uid)[method](params),
    stop: async () => {
      await strapi.destroy();
      setImmediate(() => process.exit(0));
      return null;
    },
  };
  process.on('message', async (message) => {
    const { id, op } = message ?? {};
    try {
      const result = await handlers[op](message);
      process.send({ id, result: result === undefined ? null : JSON.parse(JSON.stringify(result)) });
    } catch (error) {
      process.send({ id, error: String(error?.stack ?? error) });
    }
  });
  // the benchmark gone (crashed, interrupted): the server goes too
  process.on('disconnect', () => process.exit(0));
  process.send({ ready: true, url: `http://127.0.0.1:${port}`, pid: process.pid });
}

// Strapi's banner and logs go to stderr: the parent's stdout is its table.
process.stdout.write = (chunk, encoding, callback) => process.stderr.write(chunk, encoding, callback);
main().catch((error) => {
  console.error(`server: ${error?.stack ?? error}`);
  process.exit(1);
});
