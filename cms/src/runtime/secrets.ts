import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { ensureDataDir } from './paths';

/**
 * Secrets come from the environment; any that is missing is generated once and kept in
 * data/secrets.json (git-ignored), so a fresh clone starts without a .env file.
 */
export type Secrets = {
  APP_KEYS: string;
  API_TOKEN_SALT: string;
  ADMIN_JWT_SECRET: string;
  TRANSFER_TOKEN_SALT: string;
  JWT_SECRET: string;
  ENCRYPTION_KEY: string;
  /** Key of the keyed hash (blind index) of ID numbers: changing it breaks the duplicate check. */
  PII_HASH_KEY: string;
  /** Key of the encryption at rest of ID numbers (cms/src/security/pii.ts): losing it loses them. */
  PII_ENCRYPTION_KEY: string;
};

const NAMES: (keyof Secrets)[] = [
  'APP_KEYS', 'API_TOKEN_SALT', 'ADMIN_JWT_SECRET', 'TRANSFER_TOKEN_SALT', 'JWT_SECRET', 'ENCRYPTION_KEY', 'PII_HASH_KEY', 'PII_ENCRYPTION_KEY',
];

let cached: Secrets | undefined;

function generate(name: keyof Secrets): string {
  const random = () => crypto.randomBytes(24).toString('base64');
  return name === 'APP_KEYS' ? [random(), random(), random(), random()].join(',') : random();
}

export function loadSecrets(): Secrets {
  if (cached) return cached;
  const fromEnvironment = NAMES.every((name) => process.env[name]);
  let stored: Partial<Secrets> = {};
  let file = '';
  if (!fromEnvironment) {
    file = path.join(ensureDataDir(), 'secrets.json');
    if (fs.existsSync(file)) stored = JSON.parse(fs.readFileSync(file, 'utf8'));
  }
  const secrets = {} as Secrets;
  let generated = false;
  for (const name of NAMES) {
    const value = process.env[name] || stored[name];
    if (value) secrets[name] = value;
    else {
      secrets[name] = generate(name);
      generated = true;
    }
  }
  if (generated) fs.writeFileSync(file, JSON.stringify({ ...stored, ...secrets }, null, 2), { mode: 0o600 });
  cached = secrets;
  return secrets;
}
