import type { Core } from '@strapi/strapi';
import { encryptedFields, encryptValue, isEncrypted } from '../../../../security/pii';
import { qualifiedTable } from '../../../../runtime/tables';

/**
 * A request's payload (`proposed`, `previous`) holds the values a change would write: for a
 * child's key-information change, the old and the new ID numbers. Stored encrypted like the
 * subject's own fields: every value under a field name that config/security.json
 * encryption.fields encrypts (idNumber), at any depth, becomes `enc:v1:…` on every write. Reads
 * are decrypted by the query engine's subscriber (cms/src/security/pii.ts decryptTree); the
 * request service then shows them masked (cms/src/api/request/services/request.ts `shown`).
 */
const PAYLOADS = ['proposed', 'previous'];

function encryptedNames(): Set<string> {
  return new Set(Object.values(encryptedFields()).flat());
}

/** A copy of a payload with the ID-number values encrypted (the caller's object is left as it is). */
export function encryptPayload(value: unknown, names: Set<string>, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (Array.isArray(value)) return value.map((item) => encryptPayload(item, names, depth + 1));
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, item]) => {
    if (names.has(key) && typeof item === 'string' && item && !isEncrypted(item)) return [key, encryptValue(item)];
    return [key, encryptPayload(item, names, depth + 1)];
  }));
}

function encryptData(data: any): any {
  if (!data || typeof data !== 'object') return data;
  if (!PAYLOADS.some((field) => data[field] && typeof data[field] === 'object')) return data;
  const names = encryptedNames();
  const copy = { ...data };
  for (const field of PAYLOADS) if (copy[field] && typeof copy[field] === 'object') copy[field] = encryptPayload(copy[field], names);
  return copy;
}

function beforeWrite(event: any) {
  const data = event.params?.data;
  if (data) event.params.data = Array.isArray(data) ? data.map(encryptData) : encryptData(data);
}

export default {
  beforeCreate: beforeWrite,
  beforeCreateMany: beforeWrite,
  beforeUpdate: beforeWrite,
  beforeUpdateMany: beforeWrite,
};

/**
 * At start: encrypts the ID numbers still stored in plain text in requests written before this
 * control, in batches, through the lifecycle above. Returns the requests rewritten.
 */
export async function encryptStoredPayloads(strapi: Core.Strapi): Promise<number> {
  const names = [...encryptedNames()];
  if (!names.length) return 0;
  const meta: any = strapi.db.metadata.get('api::request.request' as any);
  const knex = strapi.db.connection;
  const table = qualifiedTable(strapi, meta.tableName);
  let rewritten = 0;
  let after = 0;
  for (;;) {
    const rows = await knex(table).where('id', '>', after).andWhere((builder: any) => {
      for (const column of ['proposed', 'previous']) for (const name of names) builder.orWhereRaw('CAST(?? AS TEXT) LIKE ?', [column, `%"${name}"%`]);
    }).orderBy('id').limit(500).select('id', 'proposed', 'previous');
    if (!rows.length) break;
    after = rows[rows.length - 1].id;
    for (const row of rows) {
      const parse = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value);
      const payload = { proposed: parse(row.proposed), previous: parse(row.previous) };
      if (JSON.stringify(encryptPayload(payload, new Set(names))) === JSON.stringify(payload)) continue;
      // stored plain: written again through the query engine, whose lifecycle above encrypts it
      await strapi.db.query('api::request.request' as any).update({ where: { id: row.id }, data: payload });
      rewritten += 1;
    }
  }
  return rewritten;
}
