import type { Core } from '@strapi/strapi';
import crypto from 'node:crypto';
import { loadSecrets } from '../runtime/secrets';
import { securityConfig } from './config';
import { qualifiedTable } from '../runtime/tables';

/**
 * Encryption at rest of ID numbers (children, guardians, staff): AES-256-GCM with the key
 * PII_ENCRYPTION_KEY (environment, or generated once into data/secrets.json for the embedded quick
 * start). Done in ONE place, the query engine's lifecycles: values are encrypted on every write
 * (after validation, whatever the caller: document service, services, imports) and decrypted on
 * every read, so the rules, the duplicate check (which uses the keyed hash idKey, the blind
 * index) and the masking keep working on plain values; the database holds only `enc:v1:…`.
 * At start: with encrypted data and a key that cannot read it, the server refuses to start.
 */
const PREFIX = 'enc:v1:';

let key: Buffer | undefined;
function encryptionKey(): Buffer {
  if (!key) key = crypto.createHash('sha256').update(`pii:${loadSecrets().PII_ENCRYPTION_KEY}`).digest();
  return key;
}

export function isEncrypted(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(PREFIX);
}

export function encryptValue(plain: string, withKey = encryptionKey()): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', withKey, iv);
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `${PREFIX}${iv.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}.${data.toString('base64url')}`;
}

export function decryptValue(stored: string, withKey = encryptionKey()): string {
  const [iv, tag, data] = stored.slice(PREFIX.length).split('.');
  const decipher = crypto.createDecipheriv('aes-256-gcm', withKey, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
}

/** The encrypted fields per model uid (config/security.json encryption.fields). */
export function encryptedFields(): Record<string, string[]> {
  return (securityConfig() as any).encryption?.fields ?? {};
}

/** Decrypts, in place, every encrypted string of a result (rows, populated relations, components). */
export function decryptTree(value: any, depth = 0): any {
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      if (isEncrypted(value[i])) value[i] = decryptValue(value[i]);
      else decryptTree(value[i], depth + 1);
    }
    return value;
  }
  for (const [field, item] of Object.entries(value)) {
    if (isEncrypted(item)) value[field] = decryptValue(item);
    else if (item && typeof item === 'object' && !(item instanceof Date) && !Buffer.isBuffer(item)) decryptTree(item, depth + 1);
  }
  return value;
}

function encryptData(data: any, fields: string[]): any {
  if (!data || typeof data !== 'object') return data;
  const copy = { ...data };
  for (const field of fields) {
    const value = copy[field];
    if (typeof value === 'string' && value && !isEncrypted(value)) copy[field] = encryptValue(value);
  }
  return copy;
}

function tableAndColumns(strapi: Core.Strapi, uid: string, fields: string[]) {
  const meta: any = strapi.db.metadata.get(uid as any);
  if (!meta) return null;
  const columns = fields.map((field) => meta.attributes[field]?.columnName ?? field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
  const table = qualifiedTable(strapi, meta.tableName);
  return { table, columns };
}

/**
 * At start: refuses to start when stored ciphertext cannot be read with the key; encrypts the
 * values still stored in plain text (data from before this control), in batches; then subscribes
 * the lifecycles that encrypt writes and decrypt reads.
 */
export async function setupPiiEncryption(strapi: Core.Strapi): Promise<{ migrated: number }> {
  const knex = strapi.db.connection;
  const fields = encryptedFields();
  let migrated = 0;
  for (const [uid, names] of Object.entries(fields)) {
    const located = tableAndColumns(strapi, uid, names);
    if (!located) continue;
    for (const column of located.columns) {
      const sample = await knex(located.table).where(column, 'like', `${PREFIX}%`).first(column);
      if (sample) {
        try {
          decryptValue(sample[column]);
        } catch {
          throw new Error(`PII_ENCRYPTION_KEY cannot decrypt the stored ${located.table}.${column}: the key is missing or wrong. Refusing to start (set the key that encrypted the data).`);
        }
      }
      for (;;) {
        const rows = await knex(located.table).whereNotNull(column).andWhere(column, '<>', '').andWhere(column, 'not like', `${PREFIX}%`).select('id', column).limit(1000);
        if (!rows.length) break;
        await knex.transaction(async (trx) => {
          for (const row of rows) await trx(located.table).where({ id: row.id }).update({ [column]: encryptValue(String(row[column])) });
        });
        migrated += rows.length;
      }
    }
  }
  strapi.db.lifecycles.subscribe(async (event: any) => {
    const action: string = event.action;
    if (action.startsWith('before')) {
      const names = fields[event.model?.uid];
      if (names && (action === 'beforeCreate' || action === 'beforeUpdate' || action === 'beforeCreateMany' || action === 'beforeUpdateMany')) {
        const data = event.params?.data;
        event.params.data = Array.isArray(data) ? data.map((item: any) => encryptData(item, names)) : encryptData(data, names);
      }
      return;
    }
    if (action.startsWith('after') && event.result && typeof event.result === 'object') decryptTree(event.result);
  });
  if (migrated) strapi.log.info(`PII encryption: ${migrated} ID numbers stored in plain text were encrypted`);
  return { migrated };
}
