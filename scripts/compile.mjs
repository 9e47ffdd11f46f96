#!/usr/bin/env node
// Compiles the server side: each local plugin, then the Strapi app (cms/dist). Incremental.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsc = path.join(root, 'node_modules', '.bin', 'tsc');
// access-scope first: the other plugins and cms read its declarations (dist/server/*.d.ts)
const projects = fs.readdirSync(path.join(root, 'plugins'))
  .sort((a, b) => Number(b === 'access-scope') - Number(a === 'access-scope') || a.localeCompare(b))
  .map((name) => path.join(root, 'plugins', name, 'tsconfig.json'))
  .filter((file) => fs.existsSync(file));
for (const project of [...projects, path.join(root, 'cms', 'tsconfig.json')]) {
  execFileSync(tsc, ['-p', project], { cwd: root, stdio: 'inherit' });
}
