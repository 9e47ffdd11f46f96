// What the benchmark and generator scripts share: where the app is, how to require from it, and
// how a numeric setting is read from the environment.
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const appDir = path.join(root, 'cms');
export const requireFromCms = createRequire(path.join(appDir, 'package.json'));
export const requireFromRoot = createRequire(path.join(root, 'package.json'));

/** A positive integer setting from the environment, or the fallback; a bad value stops the script (exit 2). */
export function positiveInt(script, name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    console.error(`${script}: ${name} must be a positive integer (got "${raw}")`);
    process.exit(2);
  }
  return value;
}
