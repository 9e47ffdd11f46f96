#!/usr/bin/env node
// Prints the start-up figures of the README: time from `npm start` to the first 200 of
// /api/health and of the panel, the longest silence of its output (a progress line is due at
// least every 10 s), the server's memory (RSS) once it answers, and the machine's load average
// (these machines are shared: a figure taken under load says so), and the CPU time the start used
// (builds included), which the load does not change.
// Usage: node scripts/measure-start.mjs          this checkout, as it is (built or not), one start
//        node scripts/measure-start.mjs --fresh  a fresh clone of HEAD in a temporary folder, with this
//          checkout's node_modules linked in (what `npm install` leaves, its postinstall build timed
//          apart): first start, then a second start with nothing changed.
//        add --no-install-build to measure a first start that builds everything itself.
//        PORT=1400 by default.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const port = Number(process.env.PORT || 1400);
const limitMs = 15 * 60 * 1000;
const fresh = process.argv.includes('--fresh');
const installBuild = !process.argv.includes('--no-install-build');
const load = () => os.loadavg().map((value) => value.toFixed(1)).join(' ');

/** CPU seconds used by a process and the children it waited for (utime, stime, cutime, cstime of /proc/<pid>/stat). */
const cpuSeconds = (pid) => {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return fields.slice(11, 15).reduce((sum, ticks) => sum + Number(ticks), 0) / 100;
};

const rssMb = (pid) => {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(status.match(/VmRSS:\s+(\d+)/)[1]) / 1024;
};

/** One `npm start` (node scripts/start.mjs) in `root`: its figures; the server is stopped afterwards. */
async function measureStart(root, label) {
  const started = Date.now();
  let last = started;
  let longestSilence = 0;
  const child = spawn(process.execPath, [path.join(root, 'scripts', 'start.mjs')], {
    cwd: root,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = [];
  const onLine = (chunk) => {
    const now = Date.now();
    longestSilence = Math.max(longestSilence, now - last);
    last = now;
    output.push(String(chunk));
  };
  child.stdout.on('data', onLine);
  child.stderr.on('data', onLine);
  const firstOk = async (url) => {
    while (Date.now() - started < limitMs) {
      if (child.exitCode !== null) throw new Error(`npm start ended (exit ${child.exitCode}):\n${output.join('').slice(-3000)}`);
      try {
        const response = await fetch(url);
        if (response.status === 200) return Date.now() - started;
      } catch {}
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`no 200 from ${url} within ${limitMs / 60000} minutes`);
  };
  try {
    const health = await firstOk(`http://127.0.0.1:${port}/api/health`);
    const panel = await firstOk(`http://127.0.0.1:${port}/`);
    const cpu = cpuSeconds(child.pid);
    longestSilence = Math.max(longestSilence, health - (last - started));
    await new Promise((resolve) => setTimeout(resolve, 2000));
    console.log(`${label}:`);
    console.log(`  npm start → first 200 of /api/health: ${(health / 1000).toFixed(1)} s`);
    console.log(`  npm start → first 200 of the panel:   ${(panel / 1000).toFixed(1)} s`);
    console.log(`  longest silence before ready:         ${(longestSilence / 1000).toFixed(1)} s`);
    console.log(`  CPU time used until ready:            ${cpu.toFixed(1)} s (builds included; about the wall time of an idle machine, the work being mostly on one core)`);
    console.log(`  server memory (RSS) after start:      ${rssMb(child.pid).toFixed(0)} MB`);
    console.log(`  load average (1, 5, 15 min), ${os.cpus().length} cores: ${load()}`);
    const accounts = output.join('').match(/demo-(sysadmin|secadmin|auditadmin)/g) ?? [];
    console.log(`  三员 demo accounts printed:           ${new Set(accounts).size} of 3`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.on('exit', resolve)));
  }
}

if (!fresh) {
  await measureStart(here, 'this checkout');
} else {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'preschool-fresh-'));
  try {
    execFileSync('git', ['clone', '--quiet', '--local', here, root], { stdio: 'inherit' });
    execFileSync('cp', ['-al', path.join(here, 'node_modules'), path.join(root, 'node_modules')]);
    console.log(`fresh clone of ${execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).toString().trim()} in ${root}; load average ${load()}`);
    if (installBuild) {
      const started = Date.now();
      execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs'), '--install'], { cwd: root, stdio: 'ignore' });
      console.log(`install-time build (npm install's postinstall): ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    await measureStart(root, `first start${installBuild ? ' (after npm install)' : ' (nothing built)'}`);
    await measureStart(root, 'second start (nothing changed)');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
