// The app server of a benchmark as a separate process (scripts/lib/server-child.mjs): started with the
// environment given, asked over IPC for the statements it ran, its memory, or a service call timed
// in-process. BENCH_SERVER_NODE_OPTIONS adds Node options to the server alone (e.g. `--cpu-prof
// --cpu-prof-dir=/tmp/prof` to profile the server under the benchmark's load).
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { serverEnvironment, serverNodeOptions } from './node-options.mjs';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'server-child.mjs');

/** Starts the server; resolves to { url, pid, capture(fn), memory(), call(), time(), query(), stop() }. */
export function startServer(env) {
  const extra = (process.env.BENCH_SERVER_NODE_OPTIONS || '').split(/\s+/).filter(Boolean);
  // the options the server runs with in production (config/cluster.json `server`), unless the benchmark sets its own
  const execArgv = [...serverNodeOptions(extra), ...extra];
  const child = fork(CHILD, [], { env: { ...process.env, ...serverEnvironment({ ...process.env, ...env }), ...env }, execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map();
  let nextId = 1;
  const request = (op, payload = {}) => new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    child.send({ id, op, ...payload });
  });
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => {
      for (const { reject: fail } of pending.values()) fail(new Error(`server exited with ${code}`));
      pending.clear();
      reject(new Error(`server exited with ${code} before it was ready`));
    });
    child.on('message', (message) => {
      if (message?.ready) {
        resolve({
          url: message.url,
          pid: message.pid,
          /** The statements (text with $n, values) the server ran while `fn` ran. */
          async capture(fn) {
            let seen = [];
            await request('capture-start');
            try {
              await fn();
            } finally {
              seen = await request('capture-stop');
            }
            return seen.map(({ text, values }) => ({ text: positional(text), values }));
          },
          memory: () => request('memory'),
          cpu: () => request('cpu'),
          profileStart: () => request('profile-start'),
          profileStop: (file) => request('profile-stop', { file }),
          call: (target, method, args) => request('call', { target, method, args }),
          time: (target, method, argsList, iterations) => request('time', { target, method, argsList, iterations }),
          query: (uid, method, params) => request('query', { uid, method, params }),
          async stop() {
            if (child.exitCode !== null) return;
            const exited = new Promise((done) => child.once('exit', done));
            await request('stop').catch(() => undefined);
            await Promise.race([exited, new Promise((done) => setTimeout(done, 30_000))]);
            if (child.exitCode === null) child.kill('SIGKILL');
          },
          kill: () => { if (child.exitCode === null) child.kill('SIGKILL'); },
        });
        return;
      }
      const waiting = pending.get(message?.id);
      if (!waiting) return;
      pending.delete(message.id);
      if (message.error) waiting.reject(new Error(`server: ${message.error}`));
      else waiting.resolve(message.result);
    });
  });
}

/** knex's `?` bindings → PostgreSQL's `$n` (the query event gives the former for knex.raw). */
export const positional = (text) => { let n = 0; return /\$\d/.test(text) ? text : text.replace(/\?/g, () => `$${++n}`); };
