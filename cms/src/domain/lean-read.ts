/**
 * The lean read of a list page: the children's and staff lists (config/lists.json `narrowColumns`)
 * read without the document service, through the same functions that own each rule of a list read:
 * - the reach: the access scope's `readFilters` (plugins/access-scope, what its document middleware
 *   gives every read: the caller's reach added, relations in filters scoped);
 * - the order: `listSort` (cms/src/domain/child-rules.ts, names in pinyin order);
 * - the page: `keysetRead` (cms/src/domain/keyset-pages.ts, the recorded starts shared with the
 *   document service's reads), the columns: `withListColumns` (cms/src/domain/list-columns.ts), the
 *   total: `listTotal` (cms/src/domain/list-counts.ts, the kept totals shared);
 * - the page parameters and the answer's `pagination`: as Strapi's core service makes them
 *   (core-api/service/pagination.js), with @strapi/utils' `pagination` helpers and the API's limits; the
 *   query: as the document service makes it (transform/query.js, transform/fields.js), with Strapi's
 *   `query-params` transform; the rows of a kept statement: as @strapi/database's `fromRow` makes them
 *   (each field type's `fromDB`, `converterOf`; a type it does not convert: the statement is not kept).
 *   Strapi is used through its packages' entry points only (.dependency-cruiser.cjs); that these copies
 *   of its small steps answer as Strapi does is what the equivalence test checks
 *   (tests/api/list-performance.test.ts), for every release of Strapi the lockfile brings.
 * The other document middlewares do nothing to such a read (they act on writes, on other types, on
 * Strapi's admin, or on custom-field filters, which take the usual path). The permission check
 * (users-permissions) and Strapi's validation and sanitising of the query ran before
 * (cms/src/domain/lean-list.ts); the rows are sanitised as before.
 *
 * What is saved: the document service's 20 middlewares, parameter checks and transforms (twice: the
 * page and the count), the database layer's lifecycles, and — the SQL kept per query shape — the
 * query builder and knex's compiling: a shape (the filters with each value that is a bind parameter
 * replaced by its type, the order, the columns, whether there is an offset) is compiled once with
 * placeholder values (unique strings and numbers), and where each placeholder landed among the
 * statement's bindings is recorded; the next request of that shape sends the same statement with
 * its own values in those places. A value the SQL does not merely bind as it is (`$containsi` wraps
 * it in `%`, a date is reformatted, a number given as text is converted, `null` and booleans change
 * the statement) is part of the shape, not a placeholder; a shape whose compiled bindings are not
 * exactly its placeholders and fixed values is not kept (each such request is compiled by Strapi's
 * query builder through `strapi.db.query`, lifecycles included).
 *
 * Taken for the content types of config/lists.json `leanRead`: `GET /api/children` and
 * `GET /api/staff-members` (and the panel's `/ra/` lists rewritten to them) by a users-permissions user, without `populate`, `fields`, `_q`, `status`, `locale` or
 * custom-field filters, whose filters name only the fields a list shows (non-private scalar fields,
 * `id`, `documentId`) with the operators of `OPERATORS` and plain values, and whose sort names only such fields; not
 * with a read replica configured, not inside a transaction. Anything else: `null`, and the caller
 * reads through the document service as before. An error on the lean read: `null` as well (the usual
 * read answers it, the same way as before).
 */
import type { Core } from '@strapi/strapi';
import { contentTypes, errors, pagination as paging, SHARED_QUERY_PARAM_KEYS } from '@strapi/utils';
import { accessScope } from './request-context';
import { listSort } from './child-rules';
import { keysetRead } from './keyset-pages';
import { listFields, withListColumns } from './list-columns';
import { listTotal } from './list-counts';
import { encryptedFields } from '../security/pii';
import { replicaConfigured } from '../runtime/read-replica';
import { routeIdentity } from '../security/route-identity';
import { readDomainConfig } from '../runtime/paths';

type Params = Record<string, any>;

const STRING_COLUMN = new Set(['password', 'email', 'string', 'uid', 'richtext', 'text', 'enumeration']);
/** A column's value as @strapi/database's field of that type reads it (fields/*.js `fromDB`); null kept; undefined: a type this does not convert. */
function converterOf(type: string): ((value: any) => unknown) | undefined {
  if (type === 'increments' || type === 'date') return (value) => value;
  if (STRING_COLUMN.has(type)) return (value) => (typeof value === 'string' ? value : Object.is(value, -0) ? '-0' : String(value));
  if (type === 'integer' || type === 'float' || type === 'decimal') return (value) => (typeof value === 'number' ? value : Number(value));
  if (type === 'boolean') return (value) => (typeof value === 'boolean' ? value : String(value) === '1' ? true : String(value) === '0' ? false : null);
  if (type === 'datetime') {
    return (value) => {
      const cast = value instanceof Date ? value : new Date(value);
      return Number.isNaN(cast.getTime()) ? null : cast.toISOString();
    };
  }
  if (type === 'json' || type === 'blocks') {
    return (value) => {
      if (typeof value !== 'string') return value;
      try {
        const parsed = JSON.parse(value);
        return typeof parsed === 'string' ? JSON.parse(parsed) : parsed; // stored twice stringified by early Strapi 5
      } catch {
        return value;
      }
    };
  }
  return undefined;
}

/**
 * PostgreSQL's `timestamp` and `timestamptz` columns of a kept statement, as text: pg would parse each
 * value into a Date (postgres-date: regular expressions and a local-time Date), which the datetime
 * field then turns into ISO text; here the text is turned into that same ISO text directly
 * (`timestampToIso`). Every other type keeps the driver's parser (Strapi's, set on pg's global types).
 */
const TIMESTAMP_OIDS = new Set([1114, 1184]);
const asText = (value: string) => value;
type TypeParsers = { getTypeParser(oid: number, format?: string): (value: string) => unknown };
let textTypes: { driver: TypeParsers; types: TypeParsers } | undefined;
function timestampsAsText(driver: TypeParsers): TypeParsers {
  if (textTypes?.driver !== driver) {
    textTypes = { driver, types: { getTypeParser: (oid, format = 'text') => (format === 'text' && TIMESTAMP_OIDS.has(oid) ? asText : driver.getTypeParser(oid, format)) } };
  }
  return textTypes.types;
}

/** Whether the process's local time is UTC (every instant at offset 0), kept for the value of TZ it was computed with. */
const UTC_ZONES = new Set(['UTC', 'Etc/UTC', 'Etc/GMT', 'GMT', 'Etc/UCT', 'UCT', 'Etc/Universal', 'Universal', 'Etc/Zulu', 'Zulu']);
let zoneOf: { tz: string | undefined; utc: boolean } | undefined;
export function localTimeIsUtc(): boolean {
  const tz = process.env.TZ;
  if (!zoneOf || zoneOf.tz !== tz) {
    const named = UTC_ZONES.has(new Intl.DateTimeFormat().resolvedOptions().timeZone);
    zoneOf = { tz, utc: named && new Date(2000, 0, 1).getTimezoneOffset() === 0 && new Date(2000, 6, 1).getTimezoneOffset() === 0 };
  }
  return zoneOf.utc;
}

const digitsAt = (text: string, at: number, count: number): number => {
  let value = 0;
  for (let i = at; i < at + count; i += 1) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
};
/** Days in a month of the proleptic Gregorian calendar (PostgreSQL's and Date's). */
const daysIn = (year: number, month: number) => (month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31);

/**
 * The ISO text the datetime field answers for PostgreSQL's text of a timestamp: what pg's parser
 * (`parse`, postgres-date) and the field's conversion (`Date` → `toISOString`) make of it. Text of the
 * form PostgreSQL sends a `timestamp` in (`YYYY-MM-DD HH:MM:SS[.ffffff]`, a year from 100 to 9999, no
 * offset, not BC) is read here as postgres-date reads it — local time, the milliseconds `1000 ×` the
 * fraction, truncated by `Date` — and, when local time is UTC, written without a `Date`; any other text
 * (an offset, BC, infinity, a year below 100 or beyond 9999) goes through `parse` itself.
 */
export function timestampToIso(text: string, parse: (value: string) => unknown, utc: boolean): string | null {
  const length = text.length;
  if ((length === 19 || (length >= 21 && length <= 26 && text.charCodeAt(19) === 46)) && text.charCodeAt(4) === 45 && text.charCodeAt(7) === 45
    && text.charCodeAt(10) === 32 && text.charCodeAt(13) === 58 && text.charCodeAt(16) === 58) {
    const year = digitsAt(text, 0, 4);
    const month = digitsAt(text, 5, 2);
    const day = digitsAt(text, 8, 2);
    const hour = digitsAt(text, 11, 2);
    const minute = digitsAt(text, 14, 2);
    const second = digitsAt(text, 17, 2);
    const fraction = length > 20 ? digitsAt(text, 20, length - 20) : 0;
    if (year >= 100 && month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month) && hour >= 0 && hour <= 23
      && minute >= 0 && minute <= 59 && second >= 0 && second <= 59 && fraction >= 0) {
      // postgres-date: `1000 * parseFloat('.ffffff')`, which Date truncates to whole milliseconds
      const ms = length > 20 ? Math.trunc(1000 * parseFloat(text.slice(19))) : 0;
      if (utc) return `${text.slice(0, 10)}T${text.slice(11, 19)}.${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`;
      return new Date(year, month - 1, day, hour, minute, second, ms).toISOString();
    }
  }
  const value: any = parse(text);
  if (value === null) return null;
  const cast = value instanceof Date ? value : new Date(value);
  return Number.isNaN(cast.getTime()) ? null : cast.toISOString();
}

/** The document service's query for findMany parameters (transform/query.js: the allowed keys, Strapi's query-params transform). */
const QUERY_PARAM_KEYS = [...SHARED_QUERY_PARAM_KEYS, 'withCount'];
function toQuery(strapi: Core.Strapi, uid: string, params: Params): Params {
  const allowed: Params = {};
  for (const key of QUERY_PARAM_KEYS) if (key in params) allowed[key] = params[key];
  const { publicationFilter: _publication, hasPublishedVersion: _published, ...query } = (strapi.get('query-params') as any).transform(uid, allowed);
  return { ...query, where: { ...query.where } };
}

/** The core service's page (core-api/service/pagination): Strapi's pagination helpers with the API's limits. */
const has = (object: unknown, key: string) => object !== null && typeof object === 'object' && Object.prototype.hasOwnProperty.call(object, key);
function countAsked(strapi: Core.Strapi, params: Params): boolean {
  if (!has(params.pagination, 'withCount')) return Boolean(strapi.config.get('api.rest.withCount', true));
  const withCount = params.pagination.withCount;
  if (typeof withCount === 'boolean') return withCount;
  if (withCount === undefined) return false;
  if (['true', 't', '1', 1].includes(withCount)) return true;
  if (['false', 'f', '0', 0].includes(withCount)) return false;
  throw new errors.ValidationError('Invalid withCount parameter. Expected "t","1","true","false","0","f"');
}
function pageInfo(strapi: Core.Strapi, params: Params): { start: number; limit: number } {
  const defaultLimit = Number(strapi.config.get('api.rest.defaultLimit', 25));
  const maxLimit = Number(strapi.config.get('api.rest.maxLimit')) || null;
  const { start, limit } = paging.withDefaultPagination(params.pagination || {}, { defaults: { offset: { limit: defaultLimit }, page: { pageSize: defaultLimit } }, maxLimit: maxLimit || -1 }) as any;
  return { start, limit };
}
function paginationAnswer(info: { start: number; limit: number }, total: number | undefined, isPaged: boolean): Record<string, unknown> {
  const answer: Record<string, unknown> = (isPaged ? paging.transformPagedPaginationInfo(info as any, total as any) : paging.transformOffsetPaginationInfo(info as any, total as any)) as any;
  if (total === undefined || total === null) {
    delete answer.total;
    delete answer.pageCount;
  }
  return answer;
}

/** Operators the lean read understands (with plain values); `$in`/`$notIn` take an array of them. */
const OPERATORS = new Set(['$eq', '$ne', '$lt', '$lte', '$gt', '$gte', '$in', '$notIn', '$null', '$notNull', '$contains', '$notContains', '$containsi', '$notContainsi', '$startsWith', '$endsWith']);
/** Operators whose value Strapi binds as it is (for the attribute types below): a placeholder. */
const BOUND_AS_IS = new Set(['$eq', '$ne', '$lt', '$lte', '$gt', '$gte', '$in', '$notIn']);
/** Attribute types whose database field passes a string (a number) to the statement unchanged (@strapi/database fields). */
const STRING_AS_IS = new Set(['string', 'text', 'enumeration', 'email', 'uid', 'richtext']);
const NUMBER_AS_IS = new Set(['integer', 'float', 'decimal', 'increments']);
const QUERY_KEYS = new Set(['filters', 'sort', 'pagination']);
const MAX_TEMPLATES = 1000;

let leanTypes: string[] | undefined;
let enabled = true;

/** Switches the lean read off (and on again): the equivalence test compares it with the document service's read. */
export function setLeanRead(on: boolean): void {
  enabled = on;
}

const isPlain = (value: unknown) => value === null || ['string', 'number', 'boolean'].includes(typeof value);
const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** The names of a Strapi sort's fields (string, `a:asc,b`, array of strings or `{ field: dir }`), null if unusual. */
function sortNames(sort: unknown): string[] | null {
  if (sort === undefined || sort === null) return [];
  const names: string[] = [];
  for (const entry of Array.isArray(sort) ? sort : [sort]) {
    if (typeof entry === 'string') names.push(...entry.split(',').map((part) => part.split(':')[0].trim()));
    else if (isRecord(entry) && Object.keys(entry).length === 1 && typeof Object.values(entry)[0] === 'string') names.push(Object.keys(entry)[0]);
    else return null;
  }
  return names;
}

/**
 * Walks filters the lean read understands, calling `leaf` for every value (with its attribute type and
 * operator), and returns the filters rebuilt from what `leaf` answers; throws NotLean otherwise.
 */
class NotLean extends Error {}
function mapFilters(filters: unknown, known: (key: string) => string | undefined, leaf: (value: unknown, type: string, operator: string) => unknown, depth = 0): unknown {
  if (depth > 16 || !isRecord(filters)) throw new NotLean();
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(filters)) {
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(value)) throw new NotLean();
      out[key] = value.map((item) => mapFilters(item, known, leaf, depth + 1));
    } else if (key === '$not') {
      out[key] = mapFilters(value, known, leaf, depth + 1);
    } else {
      const type = known(key);
      if (!type) throw new NotLean();
      if (isPlain(value)) {
        out[key] = leaf(value, type, '$eq');
        continue;
      }
      if (!isRecord(value)) throw new NotLean();
      const conditions: Record<string, unknown> = {};
      for (const [operator, operand] of Object.entries(value)) {
        if (!OPERATORS.has(operator)) throw new NotLean();
        if (operator === '$in' || operator === '$notIn') {
          if (!Array.isArray(operand) || !operand.every(isPlain)) throw new NotLean();
          conditions[operator] = operand.map((item) => leaf(item, type, operator));
        } else {
          if (!isPlain(operand)) throw new NotLean();
          conditions[operator] = leaf(operand, type, operator);
        }
      }
      out[key] = conditions;
    }
  }
  return out;
}

/** Whether Strapi binds this value unchanged: then it is a placeholder of the kept statement. */
function boundAsIs(value: unknown, type: string, operator: string): boolean {
  if (!BOUND_AS_IS.has(operator)) return false;
  if (typeof value === 'string') return STRING_AS_IS.has(type);
  if (typeof value === 'number') return Number.isFinite(value) && NUMBER_AS_IS.has(type);
  return false;
}

type Column = [column: string, attribute: string, convert: ((value: any) => unknown) | null];
type Template = { sql: string; slots: Array<{ at: number } | { value: unknown }>; columns?: Column[]; columnKey?: string; names?: string[] };
/**
 * What a page read tells its caller: the keys every row has, when they are known (a kept statement's);
 * `omit` (the caller's): which of those keys the answer leaves out (null: it needs them all); `omitted`:
 * what the rows were made without, when they were.
 */
type ReadNote = { keys?: string[]; omit?: (keys: string[]) => string[] | null; omitted?: string[] };
/** The full row of a row made without the omitted keys, for the first and last rows of a page (the keyset reads its order's values there). */
const fullRows = new WeakMap<object, Record<string, unknown>>();
/** Kept statements by shape; `false`: a shape whose statement is not kept (compiled each time). */
const templates = new Map<string, Template | false>();
const counts = { kept: 0, compiled: 0, direct: 0 };

/** How many page reads used a kept statement, compiled one, or went through `strapi.db.query` (tests, profiling). */
export function leanReadCounts() {
  return { ...counts };
}

/** `attributeTypes`' answers, kept per content type, sort fields and encrypted fields (the configuration's list). */
const knownTypes = new WeakMap<object, Map<string, { encrypted: unknown; known: (key: string) => string | undefined }>>();
function attributeTypes(strapi: Core.Strapi, uid: string, params: Params): (key: string) => string | undefined {
  const contentType: any = strapi.contentType(uid as any);
  if (!contentType) return makeAttributeTypes(strapi, uid, params);
  let kept = knownTypes.get(contentType);
  if (!kept) knownTypes.set(contentType, (kept = new Map()));
  const key = JSON.stringify(sortNames(params.sort));
  const encrypted = encryptedFields()[uid];
  const hit = kept.get(key);
  if (hit && hit.encrypted === encrypted) return hit.known;
  const known = makeAttributeTypes(strapi, uid, params);
  if (kept.size >= MAX_TEMPLATES) kept.clear();
  kept.set(key, { encrypted, known });
  return known;
}
function makeAttributeTypes(strapi: Core.Strapi, uid: string, params: Params): (key: string) => string | undefined {
  const attributes: Record<string, any> = (strapi.contentType(uid as any) as any)?.attributes ?? {};
  const allowed = new Set([...listFields(strapi, uid), ...(sortNames(params.sort) ?? [])]);
  const encrypted = new Set(encryptedFields()[uid] ?? []);
  return (key) => {
    if (key === 'id') return 'increments';
    if (key === 'documentId') return 'string'; // the panel's records by id (cms/src/middlewares/ra-bridge.ts)
    if (!allowed.has(key) || encrypted.has(key)) return undefined;
    const type = attributes[key]?.type;
    return type && contentTypes.isScalarAttribute(attributes[key]) && type !== 'password' ? type : undefined;
  };
}

/** The rows of one page read (`params`: the document service's findMany parameters after its middlewares). */
async function readRows(strapi: Core.Strapi, uid: string, asked: Params, note: ReadNote): Promise<any[]> {
  // as the document service makes sure (transform/fields.js): `documentId` always among the fields
  const params = Array.isArray(asked.fields) && !asked.fields.includes('documentId') ? { ...asked, fields: [...asked.fields, 'documentId'] } : asked;
  const known = attributeTypes(strapi, uid, params);
  const encrypted = encryptedFields()[uid] ?? [];
  const fields: unknown = params.fields;
  let shape: unknown;
  const values: unknown[] = [];
  try {
    if (!Array.isArray(fields) || fields.some((field) => typeof field !== 'string' || encrypted.includes(field))) throw new NotLean();
    // a page: a positive limit and an offset (Strapi leaves a limit of -1 out of the statement)
    if (!Number.isInteger(params.limit) || params.limit <= 0 || !Number.isInteger(params.start ?? 0) || (params.start ?? 0) < 0) throw new NotLean();
    if (sortNames(params.sort)?.every((name) => Boolean(known(name))) !== true) throw new NotLean();
    const filters = params.filters === undefined ? undefined : mapFilters(params.filters, known, (value, type, operator) => {
      if (!boundAsIs(value, type, operator)) return value;
      values.push(value);
      return `\u0000${typeof value}`;
    });
    shape = [filters ?? null, params.sort ?? null, fields, Number(params.start) > 0];
  } catch (error) {
    if (!(error instanceof NotLean)) throw error;
    counts.direct += 1;
    return strapi.db.query(uid as any).findMany(toQuery(strapi, uid, params));
  }
  const start = Number(params.start) > 0 ? Number(params.start) : undefined;
  const key = `${uid}\u0000${JSON.stringify(shape)}`;
  let template = templates.get(key);
  if (template === undefined) {
    template = compileTemplate(strapi, uid, params, values.length);
    if (templates.size >= MAX_TEMPLATES) templates.clear();
    templates.set(key, template);
  }
  if (!template) {
    counts.direct += 1;
    return strapi.db.query(uid as any).findMany(toQuery(strapi, uid, params));
  }
  counts.kept += 1;
  const own = [...values, params.limit, ...(start !== undefined ? [start] : [])];
  const bindings = template.slots.map((slot) => ('at' in slot ? own[slot.at] : slot.value));
  const driver: TypeParsers | undefined = (strapi.db as any).dialect?.client === 'postgres' ? (strapi.db.connection as any).client?.driver?.types : undefined;
  if (driver) {
    // PostgreSQL: rows as arrays (no object keyed by column per row) and timestamps as their text (see timestampsAsText)
    const result: any = await strapi.db.connection.raw(template.sql, bindings as any[]).options({ rowMode: 'array', types: timestampsAsText(driver) });
    return fromArrays(strapi, uid, template, driver, result.fields ?? [], result.rows ?? [], note);
  }
  const result: any = await strapi.db.connection.raw(template.sql, bindings as any[]);
  const rows: any[] = Array.isArray(result) ? result : result?.rows ?? [];
  const out = rows.map((row) => fromRow(strapi, uid, template as Template, row));
  if (template.names) note.keys = template.names;
  return out;
}

/** How a column of an array row becomes a key of the answer's row: its place, its attribute, the driver's parser skipped for it (timestamps), the field's conversion. */
type Place = { at: number; name: string; parse: ((value: string) => unknown) | null; datetime: boolean; convert: ((value: any) => unknown) | null };
type ArrayPlan = { key: string; places: Place[]; names: string[]; shown: Map<string, Place[]> };
const arrayPlans = new WeakMap<Template, ArrayPlan>();

/**
 * Array rows (pg's `rowMode: 'array'`, `fields` their columns) as `fromRow` makes the rows pg would
 * have given as objects: the same keys in the same order, each value what pg's parser and the field's
 * conversion make of it; a timestamp column of a datetime attribute through `timestampToIso`. The plan is
 * made once per statement and columns; columns pg would have merged into one key (a repeated name) or
 * ordered apart (a name that is an array index) fail the lean read (the usual read answers).
 */
function fromArrays(strapi: Core.Strapi, uid: string, template: Template, driver: TypeParsers, fields: Array<{ name: string; dataTypeID: number; format?: string }>, rows: unknown[][], note: ReadNote): Record<string, unknown>[] {
  let key = '';
  for (const field of fields) key += `${field.name}:${field.dataTypeID}:${field.format ?? 'text'}\u0000`;
  let plan = arrayPlans.get(template);
  if (plan?.key !== key) {
    const meta: any = strapi.db.metadata.get(uid as any);
    const seen = new Set<string>();
    const places: Place[] = [];
    fields.forEach((field, at) => {
      if (seen.has(field.name) || /^(0|[1-9]\d*)$/.test(field.name)) throw new Error(`lean-read: column ${field.name} not kept as is`);
      seen.add(field.name);
      if (!Object.prototype.hasOwnProperty.call(meta.columnToAttribute, field.name)) return;
      const name = meta.columnToAttribute[field.name];
      const type = meta.attributes[name].type;
      const parse = (field.format ?? 'text') === 'text' && TIMESTAMP_OIDS.has(field.dataTypeID) ? driver.getTypeParser(field.dataTypeID, 'text') : null;
      if (type === 'relation') places.push({ at, name, parse, datetime: false, convert: null });
      else {
        const convert = converterOf(type);
        if (!convert) throw new Error(`lean-read: no conversion of ${type}`);
        places.push({ at, name, parse, datetime: parse !== null && type === 'datetime', convert });
      }
    });
    plan = { key, places, names: places.map((place) => place.name), shown: new Map() };
    arrayPlans.set(template, plan);
  }
  template.names = plan.names;
  note.keys = plan.names;
  // the keys the answer leaves out (the private ones, lean-list.ts): the rows are made without them
  const omitted = note.omit?.(plan.names) ?? null;
  let places = plan.places;
  if (omitted?.length) {
    const key = omitted.join('\u0000');
    places = plan.shown.get(key) ?? [];
    if (!plan.shown.has(key)) {
      places = plan.places.filter((place) => !omitted.includes(place.name));
      if (plan.shown.size >= 100) plan.shown.clear();
      plan.shown.set(key, places);
    }
  }
  if (omitted) note.omitted = omitted;
  const utc = localTimeIsUtc();
  const out: Record<string, unknown>[] = new Array(rows.length);
  for (let r = 0; r < rows.length; r += 1) out[r] = arrayRecord(rows[r], places, utc);
  if (places !== plan.places && rows.length) {
    fullRows.set(out[0], arrayRecord(rows[0], plan.places, utc));
    if (rows.length > 1) fullRows.set(out[rows.length - 1], arrayRecord(rows[rows.length - 1], plan.places, utc));
  }
  return out;
}

/** One array row as a record of `places`' keys, in their order. */
function arrayRecord(row: unknown[], places: Place[], utc: boolean): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (let i = 0; i < places.length; i += 1) {
    const { at, name, parse, datetime, convert } = places[i];
    const raw = row[at];
    if (raw === null) record[name] = null;
    else if (datetime) record[name] = timestampToIso(raw as string, parse!, utc);
    else {
      const value = parse === null ? raw : parse(raw as string);
      record[name] = convert === null || value === null ? value : convert(value);
    }
  }
  return record;
}

/**
 * A row as @strapi/database's `fromRow` makes it (query/helpers/transform.js: each column of an
 * attribute, a scalar through its field's `fromDB`, null kept, a relation's column as it is; other
 * columns left out), with the columns' attributes and fields looked up once per statement.
 */
function fromRow(strapi: Core.Strapi, uid: string, template: Template, row: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(row);
  const key = keys.join('\u0000');
  if (template.columnKey !== key) {
    const meta: any = strapi.db.metadata.get(uid as any);
    const columns: Column[] = [];
    for (const column of keys) {
      if (!Object.prototype.hasOwnProperty.call(meta.columnToAttribute, column)) continue;
      const name = meta.columnToAttribute[column];
      const attribute = meta.attributes[name];
      if (attribute.type === 'relation') columns.push([column, name, null]);
      else {
        const convert = converterOf(attribute.type);
        // a type not converted here: the lean read fails, and the usual read answers (compileTemplate keeps none such)
        if (!convert) throw new Error(`lean-read: no conversion of ${attribute.type}`);
        columns.push([column, name, convert]);
      }
    }
    template.columns = columns;
    template.columnKey = key;
    template.names = columns.map(([, name]) => name);
  }
  const out: Record<string, unknown> = {};
  for (const [column, name, convert] of template.columns!) {
    const value = row[column];
    out[name] = convert === null || value === null ? value : convert(value);
  }
  return out;
}

/**
 * The statement of a shape, compiled by Strapi's query builder with a placeholder for each bound
 * value (`valueCount` of them, then the limit and the offset), and where each binding comes from; or
 * false when its bindings are not exactly those placeholders and the shape's fixed values.
 */
function compileTemplate(strapi: Core.Strapi, uid: string, params: Params, valueCount: number): Template | false {
  counts.compiled += 1;
  const marks: unknown[] = [];
  const fixed: unknown[] = [];
  const mark = (value: unknown) => {
    const placeholder = typeof value === 'number' ? 987_654_321_000 + marks.length : `\u0001lean-read:${marks.length}\u0001`;
    marks.push(placeholder);
    return placeholder;
  };
  const known = attributeTypes(strapi, uid, params);
  const filters = params.filters === undefined ? undefined : mapFilters(params.filters, known, (value, type, operator) => {
    if (boundAsIs(value, type, operator)) return mark(value);
    fixed.push(value);
    return value;
  });
  if (marks.length !== valueCount) return false;
  // the rows of a kept statement are converted here (fromRow below): only columns of the types it converts
  const attributes: Record<string, any> = (strapi.db.metadata.get(uid as any) as any)?.attributes ?? {};
  if (!Array.isArray(params.fields) || ![...params.fields, 'id', 'documentId'].every((field) => converterOf(attributes[field]?.type ?? ''))) return false;
  mark(0); // the limit
  if (Number(params.start) > 0) mark(0); // the offset
  const withMarks = { ...params, filters, limit: marks[valueCount], ...(Number(params.start) > 0 ? { start: marks[valueCount + 1] } : {}) };
  if (filters === undefined) delete withMarks.filters;
  let compiled: { sql: string; bindings: readonly unknown[] };
  try {
    const query = toQuery(strapi, uid, withMarks);
    compiled = (strapi.db as any).entityManager.createQueryBuilder(uid).init(query).getKnexQuery().toSQL();
  } catch {
    return false;
  }
  const slots: Template['slots'] = [];
  const used = new Set<number>();
  for (const binding of compiled.bindings) {
    const at = marks.indexOf(binding);
    if (at >= 0) {
      slots.push({ at });
      used.add(at);
    } else if (typeof binding === 'string' && binding.includes('\u0001lean-read:')) {
      return false; // a placeholder Strapi changed (wrapped, reformatted): its value is not bound as it is
    } else if (fixed.some((value) => value === binding)) {
      slots.push({ value: binding });
    } else {
      return false;
    }
  }
  // every placeholder is bound (the limit always; a value Strapi dropped would make the statement differ)
  if (used.size !== marks.length) return false;
  return { sql: compiled.sql, slots };
}

/** The page (Strapi's core service's helpers), kept per `pagination` parameter: they depend on it and on the API's configuration only. */
const pages = new Map<string, { info: { start: number; limit: number }; isPaged: boolean; count: boolean }>();
function pageOf(strapi: Core.Strapi, fetchParams: Params) {
  const key = JSON.stringify(fetchParams.pagination ?? null);
  let page = pages.get(key);
  if (!page) {
    const asked = fetchParams.pagination;
    const offset = has(asked, 'start') || has(asked, 'limit');
    page = { info: pageInfo(strapi, fetchParams), isPaged: has(asked, 'page') || has(asked, 'pageSize') || !offset, count: countAsked(strapi, fetchParams) };
    if (pages.size >= MAX_TEMPLATES) pages.clear();
    pages.set(key, page);
  }
  return { info: { ...page.info }, isPaged: page.isPaged, count: page.count };
}

/**
 * The page and pagination Strapi's core `find` answers for `query` (Strapi's validated and sanitised
 * query), read the lean way; null when the lean read does not take this request (see above).
 */
export async function leanRead(strapi: Core.Strapi, uid: string, query: Params, ctx: any, omit?: (keys: string[]) => string[] | null): Promise<{ results: any[]; pagination: any; keys?: string[]; omitted?: string[] } | null> {
  leanTypes ??= readDomainConfig<{ leanRead?: string[] }>('lists.json').leanRead ?? [];
  if (!enabled || !leanTypes.includes(uid)) return null;
  const contentType: any = strapi.contentType(uid as any);
  if (!contentType || contentTypes.hasDraftAndPublish(contentType) || contentType.pluginOptions?.i18n?.localized) return null;
  if (ctx.method !== 'GET' || ctx.state?.auth?.strategy?.name !== 'users-permissions') return null;
  if (routeIdentity(ctx) !== `/api/${contentType.info?.pluralName}`) return null;
  if (ctx.query?.customFilters !== undefined || replicaConfigured()) return null;
  if (Object.keys(query).some((key) => !QUERY_KEYS.has(key))) return null;
  if ((strapi.db as any).inTransaction?.()) return null;
  const known = attributeTypes(strapi, uid, {});
  const names = sortNames(query.sort);
  if (!names || !names.every((name) => Boolean(known(name)))) return null;
  try {
    if (query.filters !== undefined) mapFilters(query.filters, known, (value) => value);
  } catch (error) {
    if (error instanceof NotLean) return null;
    throw error;
  }
  try {
    // Strapi's core service `find`: its fetch parameters, page and count
    const fetchParams: Params = { status: 'published', ...query };
    const { info: paginationInfo, isPaged, count } = pageOf(strapi, fetchParams);
    const base: Params = { ...fetchParams, ...paginationInfo };
    const filters = accessScope(strapi).readFilters(uid, base.filters, accessScope(strapi).currentReach());
    if (filters !== undefined) base.filters = filters;
    const params: Params = { ...base };
    if (params.sort) params.sort = listSort(uid, params.sort);
    const note: ReadNote = { omit };
    const read = (page: Params) => readRows(strapi, uid, withListColumns(strapi, uid, page), note);
    const kept = await keysetRead(strapi, uid, params, read, (row) => fullRows.get(row));
    const results = (kept ? kept.rows : await read(params)) as any[];
    const { keys, omitted } = note;
    if (!count) return { results, keys, omitted, pagination: paginationAnswer(paginationInfo, undefined, isPaged) };
    const exact = () => strapi.db.query(uid as any).count(toQuery(strapi, uid, base));
    const total = (await listTotal(strapi, uid, base, exact)) ?? (await exact());
    return { results, keys, omitted, pagination: paginationAnswer(paginationInfo, total, isPaged) };
  } catch (error: any) {
    strapi.log.debug(`lean-read: the usual read instead (${String(error?.message ?? error).slice(0, 200)})`);
    return null;
  }
}
