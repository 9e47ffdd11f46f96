#!/usr/bin/env node
// Prints the start-up figures of the README: time from `npm start` to the first 200 of
// /api/health and of the panel, and the server's memory (RSS) once it answers.
// Usage: node scripts/measure-start.mjs            (whatever is or is not built: cold or warm)
//        PORT=1400 node scripts/measure-start.mjs
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const port = Number(process.env.PORT || 1400);
const limitMs = 15 * 60 * 1000;
const started = Date.now();
const child = spawn(process.execPath, [path.join(root, 'scripts', 'start.mjs')], {
  cwd: root,
  env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' },
  stdio: ['ignore', 'ignore', 'inherit'],
});

const rssMb = (pid) => {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(status.match(/VmRSS:\s+(\d+)/)[1]) / 1024;
};
const firstOk = async (url) => {
  while (Date.now() - started < limitMs) {
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
  await new Promise((resolve) => setTimeout(resolve, 2000));
  console.log(`start → first 200 of /api/health: ${(health / 1000).toFixed(1)} s`);
  console.log(`start → first 200 of the panel:   ${(panel / 1000).toFixed(1)} s`);
  console.log(`server memory (RSS) after start:  ${rssMb(child.pid).toFixed(0)} MB`);
} finally {
  child.kill('SIGTERM');
}
