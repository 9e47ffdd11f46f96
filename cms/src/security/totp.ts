import type { Core } from '@strapi/strapi';
import crypto from 'node:crypto';
import { securityConfig } from './config';
import { decryptValue, encryptValue, isEncrypted } from './pii';
import { qualifiedTable } from '../runtime/tables';

/** TOTP (RFC 6238 over RFC 4226 HOTP, HMAC-SHA1), with node:crypto only. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(buffer: Buffer): string {
  let bits = 0;
  let value = 0;
  let output = '';
  for (const byte of buffer) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      output += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) output += ALPHABET[(value << (5 - bits)) & 31];
  return output;
}

export function base32Decode(text: string): Buffer {
  const clean = text.toUpperCase().replace(/[\s=]/g, '');
  let bits = 0;
  let value = 0;
  const bytes: number[] = [];
  for (const char of clean) {
    const index = ALPHABET.indexOf(char);
    if (index < 0) throw new Error('invalid base32');
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}

export function generateSecret(): string {
  return base32Encode(crypto.randomBytes(20));
}

export function hotp(secret: string, counter: number, digits = securityConfig().totp.digits): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const hmac = crypto.createHmac('sha1', base32Decode(secret)).update(message).digest();
  const offset = hmac[hmac.length - 1] & 0xf;
  const code = (hmac.readUInt32BE(offset) & 0x7fffffff) % 10 ** digits;
  return String(code).padStart(digits, '0');
}

export function totp(secret: string, at = Date.now()): string {
  return hotp(secret, Math.floor(at / 1000 / securityConfig().totp.periodSeconds));
}

/** Whether `code` is the TOTP of `secret` now, or within the configured window of steps. */
export function verifyTotp(secret: string, code: unknown, at = Date.now()): boolean {
  if (typeof code !== 'string' && typeof code !== 'number') return false;
  const given = String(code).replace(/\s/g, '');
  const { window, periodSeconds, digits } = securityConfig().totp;
  if (!new RegExp(`^\\d{${digits}}$`).test(given)) return false;
  const step = Math.floor(at / 1000 / periodSeconds);
  for (let delta = -window; delta <= window; delta += 1) {
    const expected = hotp(secret, step + delta);
    if (crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(given))) return true;
  }
  return false;
}

export function otpauthUri(secret: string, account: string): string {
  const { issuer, digits, periodSeconds } = securityConfig().totp;
  const label = encodeURIComponent(`${issuer}:${account}`);
  return `otpauth://totp/${label}?secret=${secret}&issuer=${encodeURIComponent(issuer)}&algorithm=SHA1&digits=${digits}&period=${periodSeconds}`;
}

/**
 * TOTP secrets at rest: encrypted like ID numbers (AES-256-GCM with PII_ENCRYPTION_KEY, the
 * encryptValue/decryptValue of pii.ts), so a copy of the users table does not hand out second
 * factors. sealTotpSecret on every write; openTotpSecret on every use (it also takes a value the
 * PII lifecycle already decrypted, or a plain one not yet migrated).
 */
export function sealTotpSecret(secret: string): string {
  return encryptValue(secret);
}

export function openTotpSecret(stored: string | null | undefined): string | null {
  if (!stored) return null;
  return isEncrypted(stored) ? decryptValue(stored) : stored;
}

/** At start: encrypts the TOTP secrets still stored in plain text (enrolled before this control). */
export async function encryptStoredTotpSecrets(strapi: Core.Strapi): Promise<number> {
  const meta: any = strapi.db.metadata.get('plugin::users-permissions.user' as any);
  const column = meta?.attributes?.totpSecret?.columnName ?? 'totp_secret';
  const table = qualifiedTable(strapi, meta.tableName);
  const knex = strapi.db.connection;
  const rows: { id: number; secret: string }[] = await knex(table).whereNotNull(column).andWhere(column, '<>', '').select('id', `${column} as secret`);
  const plain = rows.filter((row) => !isEncrypted(row.secret));
  if (!plain.length) return 0;
  await knex.transaction(async (trx) => {
    for (const row of plain) await trx(table).where({ id: row.id }).update({ [column]: sealTotpSecret(row.secret) });
  });
  strapi.log.info(`TOTP: ${plain.length} secret(s) stored in plain text were encrypted`);
  return plain.length;
}
