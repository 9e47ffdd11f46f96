// Load for the benchmarks (scripts/bench-children.mjs, scripts/bench-dashboard.mjs): HTTP requests at a
// fixed concurrency from a child process (so that the load does not share the server's event loop),
// and the replay of the same SQL at the same concurrency by a pg Pool, for API / raw ratios.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { requireFromCms } from './common.mjs';

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

/**
 * Closed loop at `connections` concurrency: each connection sends GET paths[i] (in turn) as soon as
 * its previous answer is in, for `seconds`. Answers per second, latency percentiles, the statuses that
 * were not 200, and the CPU the generator itself used (it shares the machine's cores with the server).
 * The generator: BENCH_LOADGEN=node (default; a Node child process) or wrk (Debian's `wrk`, in C: a
 * fraction of the CPU per request, so that more of the two cores is the server's).
 */
export function concurrentGets(baseUrl, jwt, paths, connections, seconds) {
  return process.env.BENCH_LOADGEN === 'wrk' ? wrkGets(baseUrl, jwt, paths, connections, seconds) : nodeGets(baseUrl, jwt, paths, connections, seconds);
}

function nodeGets(baseUrl, jwt, paths, connections, seconds) {
  const script = `
    const http = require('node:http');
    const o = JSON.parse(process.argv[1]);
    const agent = new http.Agent({ keepAlive: true, maxSockets: o.connections });
    const times = []; const statuses = {}; let errors = 0; let next = 0;
    const start = performance.now(); const until = start + o.seconds * 1000;
    function one() {
      return new Promise((resolve) => {
        const t0 = performance.now();
        const request = http.get(new URL(o.paths[next++ % o.paths.length], o.url), { agent, headers: { authorization: 'Bearer ' + o.jwt } }, (response) => {
          response.resume();
          response.on('end', () => { times.push(performance.now() - t0); if (response.statusCode !== 200) statuses[response.statusCode] = (statuses[response.statusCode] || 0) + 1; resolve(); });
        });
        request.on('error', () => { errors += 1; resolve(); });
      });
    }
    Promise.all(Array.from({ length: o.connections }, async () => { while (performance.now() < until) await one(); })).then(() => {
      agent.destroy();
      const cpu = process.cpuUsage();
      process.stdout.write(JSON.stringify({ seconds: (performance.now() - start) / 1000, times, statuses, errors, cpuSeconds: (cpu.user + cpu.system) / 1e6 }));
    });`;
  const options = { url: baseUrl, jwt, paths, connections, seconds };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`load generator exited with ${code}`));
      const result = JSON.parse(out);
      const sorted = result.times.sort((a, b) => a - b);
      resolve({ generator: 'node', generatorCpu: result.cpuSeconds, rps: sorted.length / result.seconds, count: sorted.length, statuses: result.statuses, errors: result.errors, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99) });
    });
  });
}

/** A Lua string literal (wrk's scripts). */
const lua = (text) => `"${String(text).replace(/[\\"]/g, (c) => `\\${c}`)}"`;

/**
 * concurrentGets by wrk (one thread, `connections` sockets): the paths taken in turn by a Lua script,
 * its percentiles and counts printed as JSON by the script's `done`; the CPU wrk used from bash's
 * `times` (user and system time of the shell's children).
 */
function wrkGets(baseUrl, jwt, paths, connections, seconds) {
  const script = `
    local paths = { ${paths.map(lua).join(', ')} }
    local headers = { ["Authorization"] = ${lua(`Bearer ${jwt}`)} }
    local next = 0
    request = function()
      next = next + 1
      return wrk.format("GET", paths[(next - 1) % #paths + 1], headers)
    end
    done = function(summary, latency, requests)
      local e = summary.errors
      io.write(string.format('\\nWRK_JSON {"count":%d,"micros":%d,"p50":%.3f,"p95":%.3f,"p99":%.3f,"status":%d,"errors":%d}\\n',
        summary.requests, summary.duration, latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
        e.status, e.connect + e.read + e.write + e.timeout))
    end`;
  const file = path.join(os.tmpdir(), `wrk-${process.pid}-${Date.now()}.lua`);
  fs.writeFileSync(file, script);
  const command = `wrk -t 1 -c ${Number(connections)} -d ${Number(seconds)}s --timeout 30s -s '${file}' '${baseUrl}' && times`;
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', command], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      fs.rmSync(file, { force: true });
      const found = out.match(/WRK_JSON (\{.*\})/);
      if (code !== 0 || !found) return reject(new Error(`wrk exited with ${code} (is it installed? apt-get install wrk): ${out.slice(-500)}`));
      const result = JSON.parse(found[1]);
      // bash's `times`: the shell's own user/system times, then its children's (wrk's)
      const clock = [...out.slice(found.index).matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
      const statuses = result.status ? { 'not 2xx/3xx': result.status } : {};
      resolve({ generator: 'wrk', generatorCpu: clock.length >= 4 ? clock[2] + clock[3] : null, rps: result.count / (result.micros / 1e6), count: result.count, statuses, errors: result.errors, p50: result.p50, p95: result.p95, p99: result.p99 });
    });
  });
}

/**
 * The SQL of `requests` (each a list of { text, values }) replayed by a pg Pool of `connections`
 * clients for `seconds`: each client takes the next request and runs its statements one after the
 * other, as the app's request did. Requests' worth of SQL per second and latency percentiles.
 */
export async function replayConcurrently(databaseUrl, schema, requests, connections, seconds) {
  const { Pool } = requireFromCms('pg');
  const pool = new Pool({ connectionString: databaseUrl, max: connections, options: `-c search_path=${schema}` });
  try {
    await Promise.all(Array.from({ length: connections }, () => pool.query('SELECT 1')));
    const times = [];
    let next = 0;
    const start = performance.now();
    const until = start + seconds * 1000;
    await Promise.all(Array.from({ length: connections }, async () => {
      const client = await pool.connect();
      try {
        while (performance.now() < until) {
          const statements = requests[next++ % requests.length];
          const t0 = performance.now();
          for (const { text, values } of statements) await client.query({ text, values });
          times.push(performance.now() - t0);
        }
      } finally {
        client.release();
      }
    }));
    const elapsed = (performance.now() - start) / 1000;
    times.sort((a, b) => a - b);
    return { rps: times.length / elapsed, p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99) };
  } finally {
    await pool.end();
  }
}


/**
 * Open loop at a fixed rate from a child process: request i (requests[i % n], each { method, path,
 * body }) is due at start + i / rate and sent on one of up to `connections` keep-alive sockets; its
 * time is counted from when it was due, not from when it could be sent, so queueing shows (no
 * coordinated omission). Answers per second, latency percentiles, the statuses that were not 2xx.
 */
export function openLoop(baseUrl, jwt, requests, rate, seconds, connections) {
  const script = `
    const http = require('node:http');
    const o = JSON.parse(require('node:fs').readFileSync(process.argv[1], 'utf8'));
    const agent = new http.Agent({ keepAlive: true, maxSockets: o.connections });
    const total = Math.round(o.rate * o.seconds);
    const times = []; const statuses = {}; let errors = 0, done = 0, late = 0;
    const start = performance.now() + 50;
    const dueAt = (i) => start + (i * 1000) / o.rate;
    function send(i) {
      const due = dueAt(i);
      const r = o.requests[i % o.requests.length];
      const headers = { authorization: 'Bearer ' + o.jwt };
      if (r.body !== undefined) { headers['content-type'] = 'application/json'; headers['content-length'] = Buffer.byteLength(r.body); }
      const request = http.request(new URL(r.path, o.url), { method: r.method || 'GET', agent, headers }, (response) => {
        response.resume();
        response.on('end', () => {
          times.push(performance.now() - due);
          if (response.statusCode < 200 || response.statusCode > 299) statuses[response.statusCode] = (statuses[response.statusCode] || 0) + 1;
          finish();
        });
      });
      request.on('error', () => { errors += 1; finish(); });
      request.end(r.body);
    }
    function finish() {
      done += 1;
      if (done === total) {
        agent.destroy();
        process.stdout.write(JSON.stringify({ seconds: (performance.now() - start) / 1000, times, statuses, errors, late }));
      }
    }
    let next = 0;
    (function tick() {
      const now = performance.now();
      while (next < total && dueAt(next) <= now) {
        if (now - dueAt(next) > 5) late += 1;
        send(next++);
      }
      if (next < total) setTimeout(tick, Math.max(0, dueAt(next) - performance.now()));
    })();`;
  const file = path.join(os.tmpdir(), `open-loop-${process.pid}-${Date.now()}.json`);
  const body = (r) => (r.body === undefined ? undefined : typeof r.body === 'string' ? r.body : JSON.stringify(r.body));
  fs.writeFileSync(file, JSON.stringify({ url: baseUrl, jwt, rate, seconds, connections, requests: requests.map((r) => ({ method: r.method, path: r.path, body: body(r) })) }));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script, file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      fs.rmSync(file, { force: true });
      if (code !== 0) return reject(new Error(`load generator exited with ${code}`));
      const result = JSON.parse(out);
      const sorted = result.times.sort((a, b) => a - b);
      resolve({ rps: sorted.length / result.seconds, count: sorted.length, statuses: result.statuses, errors: result.errors, late: result.late,
        p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] });
    });
  });
}

/**
 * The SQL of `requests` replayed at a fixed rate (open loop, as `openLoop`) by a pg Pool of
 * `connections` clients: request i's statements run one after the other on a client, timed from when
 * the request was due.
 */
export async function replayAtRate(databaseUrl, schema, requests, rate, seconds, connections) {
  const { Pool } = requireFromCms('pg');
  const pool = new Pool({ connectionString: databaseUrl, max: connections, options: `-c search_path=${schema}` });
  try {
    await Promise.all(Array.from({ length: connections }, () => pool.query('SELECT 1')));
    const total = Math.round(rate * seconds);
    const times = [];
    const start = performance.now() + 50;
    const runs = [];
    for (let i = 0; i < total; i += 1) {
      const due = start + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      runs.push((async () => {
        const client = await pool.connect();
        try {
          for (const { text, values } of requests[i % requests.length]) await client.query({ text, values });
        } finally {
          client.release();
        }
        times.push(performance.now() - due);
      })());
    }
    await Promise.all(runs);
    const elapsed = (performance.now() - start) / 1000;
    times.sort((a, b) => a - b);
    return { rps: times.length / elapsed, p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99) };
  } finally {
    await pool.end();
  }
}
