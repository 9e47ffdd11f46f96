/**
 * Only the columns a list answers with. Without `fields`, Strapi reads a list's rows with
 * `select t0.*`: every column, the encrypted ID numbers and 学籍号 included, each one decrypted
 * (cms/src/security/pii.ts) and then dropped by the sanitiser because the field is private. For the
 * content types of config/lists.json `narrowColumns`, the list route itself (`/api/<plural name>`)
 * without its own `fields` reads the fields the answer can contain (the type's scalar attributes that are not
 * private) and the fields of its order (the keyset's start, cms/src/domain/keyset-pages.ts, is read
 * from them); relations and components are populated as asked, as before. The answer is the same.
 *
 * A document-service middleware on `findMany`, inside the order's rules (cms/src/domain/child-rules.ts
 * adds the pinyin order, cms/src/domain/keyset-pages.ts the `id` tie-breaker).
 */
import type { Core } from '@strapi/strapi';
import { readDomainConfig } from '../runtime/paths';
import { routeIdentity } from '../security/route-identity';

type ColumnsConfig = { narrowColumns?: string[] };
const NOT_COLUMNS = new Set(['relation', 'component', 'dynamiczone', 'media']);

let config: ColumnsConfig | undefined;
const answerFields = new Map<string, string[]>();

/** The fields an answer of this type can show: scalar attributes that are not private. */
export function listFields(strapi: Core.Strapi, uid: string): string[] {
  let fields = answerFields.get(uid);
  if (!fields) {
    const attributes: Record<string, any> = (strapi.contentType(uid as any) as any)?.attributes ?? {};
    fields = Object.entries(attributes).filter(([, attribute]) => !NOT_COLUMNS.has(attribute?.type) && !attribute?.private).map(([name]) => name);
    answerFields.set(uid, fields);
  }
  return fields;
}

/** The field names of a document-service sort (string, array of strings or of `{ field: direction }`). */
function sortFields(sort: unknown): string[] | null {
  if (sort === undefined || sort === null) return [];
  const entries = Array.isArray(sort) ? sort : [sort];
  const names: string[] = [];
  for (const entry of entries) {
    if (typeof entry === 'string') names.push(...entry.split(',').map((part) => part.split(':')[0].trim()));
    else if (entry && typeof entry === 'object') names.push(...Object.keys(entry));
    else return null;
  }
  return names;
}

/**
 * The read's parameters with the list's columns as `fields` (see above), or the same parameters when
 * they do not apply. The middleware below and the lean read (cms/src/domain/lean-read.ts) both use it.
 */
export function withListColumns(strapi: Core.Strapi, uid: string, params: Record<string, any>): Record<string, any> {
  config ??= readDomainConfig<ColumnsConfig>('lists.json');
  if (!config.narrowColumns?.includes(uid)) return params;
  if (params.fields !== undefined) return params;
  // the list route itself (`/api/children`, the panel's /ra/ list rewritten to it) only: other routes
  // reading the type (an export with full numbers, the class confirmation sheet) want their columns
  const request: any = strapi.requestContext.get();
  const contentType: any = strapi.contentType(uid as any);
  if (!request?.path || routeIdentity(request) !== `/api/${contentType?.info?.pluralName}`) return params;
  const attributes: Record<string, unknown> = contentType?.attributes ?? {};
  const ordered = sortFields(params.sort);
  // an order by a relation's field (`schoolClass.name`) or anything unusual: every column, as Strapi does
  if (!ordered || ordered.some((name) => name !== 'id' && !(name in attributes))) return params;
  const fields = [...new Set([...listFields(strapi, uid), ...ordered.filter((name) => name !== 'id')])];
  return { ...params, fields };
}

export function listColumnsMiddleware(strapi: Core.Strapi) {
  return async (context: any, next: () => Promise<unknown>) => {
    if (context.action !== 'findMany') return next();
    const params = context.params ?? {};
    const narrowed = withListColumns(strapi, context.uid, params);
    if (narrowed !== params) context.params = narrowed;
    return next();
  };
}
