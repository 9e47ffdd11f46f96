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

/**
 * Synthetic keys of the generated province (synthetic data only): the generator encrypts the ID
 * numbers it writes with the app's own AES-GCM codec and this key, and the benchmarks boot with the
 * same keys, so the app reads the data as if it had written it (no plain numbers at rest, no
 * start-up migration). Overridden by PII_HASH_KEY / PII_ENCRYPTION_KEY in the environment.
 */
export const SYNTHETIC_KEYS = {
  PII_HASH_KEY: process.env.PII_HASH_KEY || 'province-bench-synthetic-pii-hash-key',
  PII_ENCRYPTION_KEY: process.env.PII_ENCRYPTION_KEY || 'province-bench-synthetic-pii-encryption-key',
};

/** The app's compiled PII codec (cms/dist; after scripts/compile.mjs), keyed by PII_ENCRYPTION_KEY of the environment. */
export function piiCodec() {
  const { encryptValue, decryptValue, isEncrypted } = requireFromCms(path.join(appDir, 'dist', 'src', 'security', 'pii.js'));
  return { encryptValue, decryptValue, isEncrypted };
}
