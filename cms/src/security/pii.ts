import type { Core } from '@strapi/strapi';
import crypto from 'node:crypto';
import { loadSecrets } from '../runtime/secrets';
import { securityConfig } from './config';
import { qualifiedTable } from '../runtime/tables';
import { STUDENT_NUMBER, studentNumberColumns, subscribeStudentNumbers } from './student-numbers';

/**
 * Encryption at rest of ID numbers (children, guardians, staff) and 学籍号 (a G-type one carries the
 * resident ID; its blind index and masked form: ./student-numbers.ts): AES-256-GCM with the key
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

/**
 * A file sealed with the same key, streamed (the large exports kept for download,
 * cms/src/api/export-job): 12 bytes of IV, the AES-256-GCM ciphertext, its 16-byte tag at the end.
 */
export const FILE_IV_BYTES = 12;
export const FILE_TAG_BYTES = 16;
export function fileCipher(): { iv: Buffer; cipher: crypto.CipherGCM } {
  const iv = crypto.randomBytes(FILE_IV_BYTES);
  return { iv, cipher: crypto.createCipheriv('aes-256-gcm', encryptionKey(), iv) };
}
export function fileDecipher(iv: Buffer, tag: Buffer): crypto.DecipherGCM {
  const decipher = crypto.createDecipheriv('aes-256-gcm', encryptionKey(), iv);
  decipher.setAuthTag(tag);
  return decipher;
}

export function isEncrypted(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(PREFIX);
}

/** Random bytes drawn a few kilobytes at a time (one call per value cost more than its cipher: an import encrypts hundreds of thousands). */
let randomPool = Buffer.alloc(0);
let randomAt = 0;
function randomIv(): Buffer {
  if (randomAt + 12 > randomPool.length) {
    randomPool = crypto.randomBytes(12 * 1024);
    randomAt = 0;
  }
  randomAt += 12;
  return randomPool.subarray(randomAt - 12, randomAt);
}

export function encryptValue(plain: string, withKey = encryptionKey()): string {
  const iv = randomIv();
  const cipher = crypto.createCipheriv('aes-256-gcm', withKey, iv);
  const data = cipher.update(plain, 'utf8');
  // GCM is a stream mode: final() adds no bytes (it computes the tag), so nothing to concatenate
  const rest = cipher.final();
  const text = rest.length ? Buffer.concat([data, rest]) : data;
  return `${PREFIX}${iv.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}.${text.toString('base64url')}`;
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

/**
 * Set on a write's lifecycle params (`params[ROWS_OWNED] = true`) by a writer whose rows were made
 * for this write and are read by nobody else afterwards (the bulk import's rows): their values are
 * encrypted in place. Any other caller's data is copied first, so that the caller never sees the
 * ciphertext in its own object. A symbol: no request body can set it.
 */
export const ROWS_OWNED = Symbol('rows made for this write');

/** The data with its plain values of `fields` encrypted: a copy (the same object when `inPlace`). */
function encryptData(data: any, fields: string[], inPlace = false): any {
  if (!data || typeof data !== 'object') return data;
  const target = inPlace ? data : { ...data };
  for (const field of fields) {
    const value = target[field];
    if (typeof value === 'string' && value && !isEncrypted(value)) target[field] = encryptValue(value);
  }
  return target;
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
export async function setupPiiEncryption(strapi: Core.Strapi): Promise<{ migrated: number; indexed: number; remasked: number }> {
  const knex = strapi.db.connection;
  const fields = encryptedFields();
  let migrated = 0;
  // before the encryption below: the blind index is computed from the plain number
  const indexed = await indexStudentNumbers(strapi);
  const remasked = await remaskStoredForms(strapi);
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
  // the 学籍号's uniqueness is its blind index's: on SQLite made sure of here as well as by the schema
  // (PostgreSQL: database/postgres/060-student-number-blind-index.sql)
  if (strapi.db.dialect.client !== 'postgres') {
    try {
      const indexes: any[] = await knex.raw('PRAGMA index_list(children)');
      const existing = indexes.find((index) => index.name === 'children__student_number_key__unique');
      if (existing && !existing.unique) await knex.raw('DROP INDEX children__student_number_key__unique');
      await knex.raw('CREATE UNIQUE INDEX IF NOT EXISTS children__student_number_key__unique ON children (student_number_key)');
    } catch (error: any) {
      strapi.log.warn(`学籍号 unique index not made sure of: ${String(error?.message ?? error).slice(0, 200)}`);
    }
  }
  // the 学籍号's blind index and masked form are derived from the plain value, so before encryption
  subscribeStudentNumbers(strapi, (value) => decryptValue(value));
  strapi.db.lifecycles.subscribe(async (event: any) => {
    const action: string = event.action;
    if (action.startsWith('before')) {
      const names = fields[event.model?.uid];
      if (names && (action === 'beforeCreate' || action === 'beforeUpdate' || action === 'beforeCreateMany' || action === 'beforeUpdateMany')) {
        const data = event.params?.data;
        const inPlace = event.params[ROWS_OWNED] === true;
        event.params.data = Array.isArray(data) ? data.map((item: any) => encryptData(item, names, inPlace)) : encryptData(data, names, inPlace);
      }
      return;
    }
    if (action.startsWith('after') && event.result && typeof event.result === 'object') decryptTree(event.result);
  });
  if (migrated) strapi.log.info(`PII encryption: ${migrated} ID numbers stored in plain text were encrypted`);
  if (indexed) strapi.log.info(`PII encryption: ${indexed} 学籍号 given their blind index and masked form`);
  if (remasked) strapi.log.info(`PII masking: ${remasked} stored masked numbers recomputed with the current rule`);
  return { migrated, indexed, remasked };
}

const CHILD = 'api::child.child';
const column = (strapi: Core.Strapi, uid: string, field: string): string | null => (strapi.db.metadata.get(uid as any) as any)?.attributes?.[field]?.columnName ?? null;

/**
 * 学籍号 stored before the blind index (plain, or encrypted without key): their blind index and
 * masked form, in batches. The encryption of the plain ones follows (encryption.fields).
 */
export async function indexStudentNumbers(strapi: Core.Strapi): Promise<number> {
  const meta: any = strapi.db.metadata.get(CHILD as any);
  const numberColumn = column(strapi, CHILD, STUDENT_NUMBER);
  const keyColumn = column(strapi, CHILD, 'studentNumberKey');
  const maskedColumn = column(strapi, CHILD, 'studentNumberMasked');
  if (!meta || !numberColumn || !keyColumn || !maskedColumn) return 0;
  const knex = strapi.db.connection;
  const table = qualifiedTable(strapi, meta.tableName);
  let done = 0;
  for (;;) {
    const rows = await knex(table).whereNotNull(numberColumn).andWhere(numberColumn, '<>', '').whereNull(keyColumn).select('id', numberColumn).limit(1000);
    if (!rows.length) break;
    await knex.transaction(async (trx) => {
      for (const row of rows) {
        const stored = String(row[numberColumn]);
        const derived = studentNumberColumns(strapi, isEncrypted(stored) ? decryptValue(stored) : stored);
        await trx(table).where({ id: row.id }).update({ [keyColumn]: derived.studentNumberKey, [maskedColumn]: derived.studentNumberMasked });
      }
    });
    done += rows.length;
  }
  return done;
}

/** The version of the masking rule (plugins/student-id identity maskIdNumber) the stored masked forms follow. */
const MASK_RULE_VERSION = 2;

/**
 * Masked forms stored under an older rule (which hid only the birth date, so that the birth date
 * beside it gave the number back) are recomputed, once per rule version (a marker in Strapi's
 * store: the check at each start is one read). Masking is idempotent and the current rule shows a
 * part of what the old one showed, so the masked value itself is re-masked: no plain number needed.
 * Columns: ID numbers of children, guardians, staff and transfers; 学籍号 of transfers and of the
 * child events, and the masked values inside the events' before/after.
 */
export async function remaskStoredForms(strapi: Core.Strapi, options: { force?: boolean } = {}): Promise<number> {
  const store = strapi.store({ type: 'core', name: 'pii', key: 'mask-rule-version' });
  if (!options.force && Number(await store.get()) >= MASK_RULE_VERSION) return 0;
  const identity = strapi.plugin('student-id').service('identity');
  const numbers = strapi.plugin('student-id').service('studentNumber');
  const idMask = (value: unknown) => identity.maskIdNumber(value);
  const studentMask = (value: unknown) => numbers.mask(value);
  const inJson = (value: any, depth = 0): any => {
    if (!value || typeof value !== 'object' || depth > 4) return value;
    if (Array.isArray(value)) return value.map((item) => inJson(item, depth + 1));
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key,
      typeof item === 'string' && item && key === 'idNumberMasked' ? idMask(item)
        : typeof item === 'string' && item && key === STUDENT_NUMBER ? studentMask(item)
          : inJson(item, depth + 1)]));
  };
  const json = (value: unknown) => {
    if (value === null || value === undefined) return value;
    const parsed = typeof value === 'string' ? (() => { try { return JSON.parse(value); } catch { return undefined; } })() : value;
    return parsed === undefined ? value : JSON.stringify(inJson(parsed));
  };
  const targets: Array<{ uid: string; columns: Record<string, (value: any) => any>; component?: boolean }> = [
    { uid: CHILD, columns: { idNumberMasked: idMask } },
    { uid: 'family.guardian', columns: { idNumberMasked: idMask } },
    { uid: 'api::staff.staff', columns: { idNumberMasked: idMask } },
    { uid: 'api::transfer.transfer', columns: { idNumberMasked: idMask, studentNumberMasked: studentMask } },
    { uid: 'api::child-event.child-event', columns: { studentNumber: studentMask, before: json, after: json } },
  ];
  const knex = strapi.db.connection;
  let changed = 0;
  for (const target of targets) {
    const meta: any = strapi.db.metadata.get(target.uid as any);
    if (!meta) continue;
    const table = qualifiedTable(strapi, meta.tableName);
    const columns = Object.entries(target.columns).map(([field, remask]) => ({ name: meta.attributes[field]?.columnName as string, remask })).filter((c) => c.name);
    if (!columns.length) continue;
    let lastId = 0;
    for (;;) {
      const rows = await knex(table).where('id', '>', lastId).orderBy('id').select('id', ...columns.map((c) => c.name)).limit(1000);
      if (!rows.length) break;
      lastId = rows[rows.length - 1].id;
      const updates = rows.map((row: any) => {
        const update: Record<string, unknown> = {};
        for (const { name, remask } of columns) {
          const value = row[name];
          if (value === null || value === undefined || value === '') continue;
          const next = remask(value);
          const same = typeof value === 'string' ? next === value : JSON.stringify(value) === next;
          if (!same) update[name] = next;
        }
        return { id: row.id, update };
      }).filter((u) => Object.keys(u.update).length);
      if (updates.length) {
        await knex.transaction(async (trx) => {
          for (const { id, update } of updates) await trx(table).where({ id }).update(update);
        });
        changed += updates.length;
      }
    }
  }
  await store.set({ value: MASK_RULE_VERSION });
  return changed;
}
