import type { Core } from '@strapi/strapi';
import { fieldError } from '../utils/validation';

/**
 * The 学籍号 is an identifier of a person, and the G-type one (`G` + the resident ID, docs/domain.md
 * §3) IS an ID number. It is therefore kept like the ID numbers (cms/src/security/pii.ts):
 * - `studentNumber` is private and stored encrypted (config/security.json encryption.fields);
 * - `studentNumberKey` (private) is its blind index, a keyed hash (the dup-check plugin's `idKey`,
 *   key PII_HASH_KEY): exact lookups and the uniqueness of the number (unique index
 *   children__student_number_key__unique) go through it;
 * - `studentNumberMasked` is what lists, populate and the levels that see masked ID numbers get
 *   (the one mask rule: plugins/student-id/server/src/identity maskStudentNumber).
 * Both derived columns are written here, in the query engine's lifecycles, whatever the write path
 * (the review that issues the number, imports, scripts through the query engine).
 *
 * A filter can only ask "is it this number" (exact, full number): `filters[studentNumber][$eq]` and
 * `$in` are answered through the blind index (turned into a filter on the children's documentId,
 * at any depth: `filters[child][studentNumber][$eq]` on problem records too); every partial or
 * ordering operator ($startsWith, $contains, $lt, …) and sorting on it answer 400. The panel's
 * search (`q`, the bridge's `studentNumber:eq` search field) matches a full number only.
 */

const CHILD = 'api::child.child';
export const STUDENT_NUMBER = 'studentNumber';
export const STUDENT_NUMBER_KEY = 'studentNumberKey';
export const STUDENT_NUMBER_MASKED = 'studentNumberMasked';
/** The blind index's domain: a student number never hashes like an ID number of some type. */
const KEY_DOMAIN = 'student-number';

const EXACT_OPERATORS = new Set(['$eq', '$eqi', '$in']);
const PRESENCE_OPERATORS = new Set(['$null', '$notNull']);
export const EXACT_ONLY_MESSAGE = '学籍号只能按完整号码精确查询，不能按部分号码（开头、包含）或大小比较、排序查询';

const identity = (strapi: Core.Strapi) => strapi.plugin('student-id').service('identity');
const numbers = (strapi: Core.Strapi) => strapi.plugin('student-id').service('studentNumber');

/** The one spelling of a typed number (spaces, full-width characters, lower case removed). */
export function normalizeStudentNumber(strapi: Core.Strapi, value: unknown): string {
  return identity(strapi).normalizeIdNumber(value);
}

/** The blind index of a 学籍号 (null for an empty one). */
export function studentNumberKey(strapi: Core.Strapi, value: unknown): string | null {
  const number = normalizeStudentNumber(strapi, value);
  return number ? strapi.plugin('dup-check').service('duplicates').idKey(KEY_DOMAIN, number) : null;
}

/** The 学籍号 as shown where ID numbers are masked (the one rule, in the student-id plugin). */
export function maskedStudentNumber(strapi: Core.Strapi, value: unknown): string | null {
  const number = normalizeStudentNumber(strapi, value);
  return number ? (numbers(strapi).mask(number) as string) : null;
}

/** The columns stored with a 学籍号: its normal spelling, blind index and masked form. */
export function studentNumberColumns(strapi: Core.Strapi, value: unknown) {
  const number = normalizeStudentNumber(strapi, value) || null;
  return { [STUDENT_NUMBER]: number, [STUDENT_NUMBER_KEY]: studentNumberKey(strapi, number), [STUDENT_NUMBER_MASKED]: maskedStudentNumber(strapi, number) };
}

/** Adds the derived columns to the data of a write that sets the number (`decrypt` reads a value already encrypted). */
function withDerived(strapi: Core.Strapi, data: any, decrypt: (value: string) => string): any {
  if (!data || typeof data !== 'object' || data[STUDENT_NUMBER] === undefined) return data;
  const raw = data[STUDENT_NUMBER];
  const plain = typeof raw === 'string' && raw.startsWith('enc:') ? decrypt(raw) : raw;
  return { ...data, ...studentNumberColumns(strapi, plain) };
}

/** A query-engine `where` on the number → the same on its blind index (exact values only). */
export function translateWhere(strapi: Core.Strapi, where: any): any {
  if (!where || typeof where !== 'object') return where;
  if (Array.isArray(where)) return where.map((item) => translateWhere(strapi, item));
  const result: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(where)) {
    if (field === '$and' || field === '$or' || field === '$not') result[field] = translateWhere(strapi, value);
    else if (field === STUDENT_NUMBER) Object.assign(result, whereOnKey(strapi, value));
    else result[field] = value;
  }
  return result;
}

function whereOnKey(strapi: Core.Strapi, value: unknown): Record<string, unknown> {
  if (value === null) return { [STUDENT_NUMBER_KEY]: null };
  if (typeof value !== 'object') return { [STUDENT_NUMBER_KEY]: studentNumberKey(strapi, value) ?? null };
  const condition: Record<string, unknown> = {};
  for (const [operator, operand] of Object.entries(value as Record<string, unknown>)) {
    if (PRESENCE_OPERATORS.has(operator)) condition[operator] = operand;
    else if (operator === '$eq' || operator === '$eqi') condition.$eq = studentNumberKey(strapi, operand);
    else if (operator === '$in') condition.$in = [].concat(operand as any).map((item) => studentNumberKey(strapi, item));
    else throw new Error(`student-numbers: ${operator} on ${STUDENT_NUMBER} cannot be answered (the column is encrypted): exact values only`);
  }
  return { [STUDENT_NUMBER_KEY]: condition };
}

/**
 * The query-engine lifecycle of the children's table: writes that set the number get its blind
 * index and masked form; reads and counts that name the number look it up by its blind index.
 * Subscribed before the encryption (pii.ts), so it sees the plain number.
 */
export function subscribeStudentNumbers(strapi: Core.Strapi, decrypt: (value: string) => string) {
  strapi.db.lifecycles.subscribe({
    models: [CHILD],
    async beforeCreate(event: any) {
      event.params.data = withDerived(strapi, event.params.data, decrypt);
    },
    async beforeCreateMany(event: any) {
      const data = event.params?.data;
      event.params.data = Array.isArray(data) ? data.map((item: any) => withDerived(strapi, item, decrypt)) : withDerived(strapi, data, decrypt);
    },
    async beforeUpdate(event: any) {
      event.params.data = withDerived(strapi, event.params.data, decrypt);
      if (event.params?.where) event.params.where = translateWhere(strapi, event.params.where);
    },
    async beforeUpdateMany(event: any) {
      event.params.data = withDerived(strapi, event.params.data, decrypt);
      if (event.params?.where) event.params.where = translateWhere(strapi, event.params.where);
    },
    async beforeFindOne(event: any) {
      if (event.params?.where) event.params.where = translateWhere(strapi, event.params.where);
    },
    async beforeFindMany(event: any) {
      if (event.params?.where) event.params.where = translateWhere(strapi, event.params.where);
    },
    async beforeCount(event: any) {
      if (event.params?.where) event.params.where = translateWhere(strapi, event.params.where);
    },
    async beforeDelete(event: any) {
      if (event.params?.where) event.params.where = translateWhere(strapi, event.params.where);
    },
    async beforeDeleteMany(event: any) {
      if (event.params?.where) event.params.where = translateWhere(strapi, event.params.where);
    },
  } as any);
}

/* ------------------------------------------------------------------------------------------ */
/* Filters of API requests                                                                    */
/* ------------------------------------------------------------------------------------------ */

/** The numbers asked for by one `studentNumber` condition, or a 400 for anything but an exact match. */
function exactNumbers(value: unknown): { numbers?: unknown[]; presence?: Record<string, unknown> } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return Array.isArray(value) ? { numbers: value } : { numbers: [value] };
  }
  const entries = Object.entries(value as Record<string, unknown>);
  const refused = entries.find(([operator]) => !EXACT_OPERATORS.has(operator) && !PRESENCE_OPERATORS.has(operator));
  if (refused || !entries.length) {
    throw fieldError(STUDENT_NUMBER, `${EXACT_ONLY_MESSAGE}（收到的条件：${refused?.[0] ?? '空'}）`);
  }
  const found: unknown[] = [];
  const presence: Record<string, unknown> = {};
  for (const [operator, operand] of entries) {
    if (PRESENCE_OPERATORS.has(operator)) presence[operator] = operand;
    else if (operator === '$in') found.push(...[].concat(operand as any));
    else found.push(operand);
  }
  return { numbers: found.length ? found : undefined, presence: Object.keys(presence).length ? presence : undefined };
}

/** One `studentNumber` condition → the same condition on children's documentIds (through the blind index). */
async function childCondition(strapi: Core.Strapi, value: unknown): Promise<Record<string, unknown>[]> {
  const { numbers: asked, presence } = exactNumbers(value);
  const conditions: Record<string, unknown>[] = [];
  // "has a number" is the masked form's presence: no character of the number is compared.
  if (presence) conditions.push({ [STUDENT_NUMBER_MASKED]: presence });
  if (asked) {
    for (const item of asked) {
      if (item !== null && typeof item === 'object') throw fieldError(STUDENT_NUMBER, EXACT_ONLY_MESSAGE);
    }
    const keys = asked.map((item) => studentNumberKey(strapi, item)).filter(Boolean) as string[];
    const rows = keys.length ? await strapi.db.query(CHILD).findMany({ where: { [STUDENT_NUMBER_KEY]: { $in: keys } }, select: ['documentId'] }) : [];
    const ids = [...new Set(rows.map((row: any) => row.documentId as string))];
    // no such number: a condition nothing meets (an empty $in would vanish from a query string)
    conditions.push(ids.length ? { documentId: { $in: ids } } : { documentId: { $null: true } });
  }
  return conditions;
}

/**
 * Rewrites every `studentNumber` condition inside API filters (any depth, inside $and/$or/$not and
 * relations) to a condition on the children's documentIds found through the blind index; a
 * partial or ordering operator is a 400 naming the field. Returns a new tree.
 */
export async function rewriteStudentNumberFilters(strapi: Core.Strapi, filters: unknown): Promise<unknown> {
  if (Array.isArray(filters)) return Promise.all(filters.map((item) => rewriteStudentNumberFilters(strapi, item)));
  if (!filters || typeof filters !== 'object') return filters;
  const result: Record<string, unknown> = {};
  const added: Record<string, unknown>[] = [];
  for (const [key, value] of Object.entries(filters as Record<string, unknown>)) {
    if (key === STUDENT_NUMBER) added.push(...(await childCondition(strapi, value)));
    else result[key] = await rewriteStudentNumberFilters(strapi, value);
  }
  if (added.length) {
    const existing = result.$and === undefined ? [] : Array.isArray(result.$and) ? result.$and : Object.values(result.$and as object);
    result.$and = [...existing, ...added];
  }
  return result;
}

/** Whether a sort (string, list, object, any spelling Strapi takes) orders by the number. */
export function sortsByStudentNumber(sort: unknown): boolean {
  if (typeof sort === 'string') return sort.split(',').some((entry) => entry.split(':')[0].split('.').includes(STUDENT_NUMBER));
  if (Array.isArray(sort)) return sort.some(sortsByStudentNumber);
  if (sort && typeof sort === 'object') return Object.entries(sort).some(([key, value]) => key === STUDENT_NUMBER || sortsByStudentNumber(value));
  return false;
}

/** Rewrites the filters of a query (also the filters of populated relations); 400 for a sort on the number. */
export async function rewriteStudentNumberQuery(strapi: Core.Strapi, query: Record<string, any>): Promise<Record<string, any> | null> {
  const text = JSON.stringify(query);
  if (!text.includes(`"${STUDENT_NUMBER}"`) && !text.includes(`${STUDENT_NUMBER}:`) && !text.includes(`.${STUDENT_NUMBER}`)) return null;
  const visit = async (node: any, inFilters: boolean): Promise<any> => {
    if (!node || typeof node !== 'object') return node;
    if (inFilters) return rewriteStudentNumberFilters(strapi, node);
    if (Array.isArray(node)) return Promise.all(node.map((item) => visit(item, false)));
    const copy: Record<string, any> = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === 'sort' && sortsByStudentNumber(value)) throw fieldError(STUDENT_NUMBER, EXACT_ONLY_MESSAGE);
      copy[key] = await visit(value, key === 'filters');
    }
    return copy;
  };
  return visit(query, false);
}

/** The HTTP middleware (cms/config/middlewares.ts): every request's query, whatever its route. */
export function studentNumberFilterMiddleware(strapi: Core.Strapi) {
  return async (ctx: any, next: () => Promise<unknown>) => {
    const query = ctx.query;
    if (query && typeof query === 'object' && Object.keys(query).length) {
      const rewritten = await rewriteStudentNumberQuery(strapi, query);
      if (rewritten) ctx.query = rewritten;
    }
    return next();
  };
}
