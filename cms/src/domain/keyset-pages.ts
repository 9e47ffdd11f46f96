/**
 * Keyset paging behind the usual pager. A page of a list is `ORDER BY … OFFSET n LIMIT 25`: the
 * database reads the n rows it skips (page 20,000 of a province's children reads half a million).
 * For the content types of config/lists.json `keysetPaging`, every page served records where the
 * next page starts: the sort values of its last row, under the key of the list (content type,
 * effective filters with the caller's reach, sort). A request for the page that starts there reads
 * "the rows after those values" (`(pinyin_key, name, id) > (…)`, an index range) instead of skipping
 * n rows. A page jumped to (a typed page number, the last page) is read after the nearest start
 * recorded before it, skipping only the rows between (OFFSET of the gap), or, when the list's exact
 * total is known (cms/src/domain/list-counts.ts) and the page is nearer the end, counted from the end
 * in the reverse order (the last page: an index range from the end, nothing skipped). Turning pages is
 * also stable under inserts: a child added before the page seen does not push a row of it onto the
 * next page.
 *
 * A document-service middleware on `findMany` of API requests, innermost (after the access scope's filters and the
 * pinyin order of cms/src/domain/child-rules.ts). Starts are kept in this process for
 * `countCache.ttlSeconds`, at most `countCache.maxEntries` lists, like the totals
 * (cms/src/domain/list-counts.ts). Only orders the keyset can follow: one direction, non-null values,
 * `id` last (added as the tie-breaker); searches (`_q`) and lists without a row's sort values (a
 * `fields` selection that leaves one out) use OFFSET.
 */
import type { Core } from '@strapi/strapi';
import { readDomainConfig } from '../runtime/paths';
import { isUnder, routeIdentity } from '../security/route-identity';
import { effectiveWhere, keptExactTotal } from './list-counts';

type KeysetConfig = { keysetPaging: string[]; countCache: { ttlSeconds: number; maxEntries: number } };
type SortField = { field: string; direction: 'asc' | 'desc' };
type Starts = { at: number; byOffset: Map<number, unknown[]> };

let config: KeysetConfig | undefined;
const lists = new Map<string, Starts>();
const MAX_STARTS_PER_LIST = 200;

const keysetConfig = () => (config ??= readDomainConfig<KeysetConfig>('lists.json'));

/** The sort as fields and one direction, `id` last; null when the keyset cannot follow it. */
export function keysetSort(sort: unknown): SortField[] | null {
  const entries: SortField[] = [];
  const add = (field: string, direction: string) => entries.push({ field, direction: direction.toLowerCase() === 'desc' ? 'desc' : 'asc' });
  const list = sort === undefined || sort === null ? [] : Array.isArray(sort) ? sort : typeof sort === 'string' ? sort.split(',') : [sort];
  for (const entry of list) {
    if (typeof entry === 'string') {
      const [field, direction = 'asc'] = entry.split(':');
      add(field, direction);
    } else if (entry && typeof entry === 'object' && Object.keys(entry).length === 1) {
      const [[field, direction]] = Object.entries(entry);
      if (typeof direction !== 'string') return null;
      add(field, direction);
    } else {
      return null;
    }
  }
  if (entries.some((entry) => !/^[A-Za-z][A-Za-z0-9]*$/.test(entry.field))) return null;
  const direction = entries[0]?.direction ?? 'asc';
  if (entries.some((entry) => entry.direction !== direction)) return null;
  const idAt = entries.findIndex((entry) => entry.field === 'id');
  if (idAt >= 0 && idAt !== entries.length - 1) return null;
  if (idAt < 0) entries.push({ field: 'id', direction });
  return entries;
}

/**
 * "After `values` in this order": (f1, f2, …, id) > (v1, v2, …, vid) as Strapi filters, which cannot
 * write a row comparison: the expanded OR, behind a bound on the first field (f1 >= v1) that lets
 * PostgreSQL start the index range there (without it the OR is a filter over the whole index).
 */
export function afterFilter(sort: SortField[], values: unknown[]): Record<string, unknown> {
  const descending = sort[0].direction === 'desc';
  const operator = descending ? '$lt' : '$gt';
  return {
    $and: [
      { [sort[0].field]: { [descending ? '$lte' : '$gte']: values[0] } },
      {
        $or: sort.map((entry, i) => ({
          $and: [...sort.slice(0, i).map((before, j) => ({ [before.field]: { $eq: values[j] } })), { [entry.field]: { [operator]: values[i] } }],
        })),
      },
    ],
  };
}

/**
 * A page of a list (`params`: the read's parameters, the caller's reach already in its filters) read
 * by `read` with the keyset's parameters as described above (`{ rows }`), or null when the keyset does not apply
 * (then the caller reads as usual); `fullRow` gives a row's every key where `read` made the row without some. The keyset middleware below and the lean read
 * (cms/src/domain/lean-read.ts) both go through it, so they share the recorded starts.
 */
export async function keysetRead(strapi: Core.Strapi, uid: string, params: Record<string, any>, read: (params: Record<string, any>) => Promise<unknown>, fullRow?: (row: any) => Record<string, unknown> | undefined): Promise<{ rows: unknown } | null> {
  const settings = keysetConfig();
  if (!settings.keysetPaging?.includes(uid) || settings.countCache.ttlSeconds <= 0) return null;
  // only a list answering an API request (the panel's /ra/ bridge is rewritten to /api/ before it):
  // code reading pages for itself (exports, statistics) keeps its own paging
  const request: any = strapi.requestContext.get();
  if (!request?.path || !isUnder(routeIdentity(request), '/api')) return null;
  const start = Number(params.start ?? 0);
  const limit = Number(params.limit);
  if (params._q || !Number.isInteger(start) || start < 0 || !Number.isInteger(limit) || limit <= 0) return null;
  const sort = keysetSort(params.sort);
  if (!sort) return null;
  let where: unknown;
  try {
    where = effectiveWhere(strapi, uid, params.filters);
  } catch {
    return null;
  }
  const key = JSON.stringify([uid, where, sort, params.status ?? null, params.locale ?? null]);
  const now = Date.now();
  let starts = lists.get(key);
  if (starts && now - starts.at > settings.countCache.ttlSeconds * 1000) {
    lists.delete(key);
    starts = undefined;
  }
  // the order made total (id last), so that where a page ends is where the next one starts
  let next: Record<string, any> = { ...params, sort: sort.map((entry) => ({ [entry.field]: entry.direction })) };
  // a page jumped to: after the nearest start recorded before it, or from the end (the list's exact
  // total known), whichever skips fewer rows; a recorded start skips none
  let from = 0;
  let after: unknown[] | undefined;
  if (start > 0 && starts) {
    for (const [offset, values] of starts.byOffset) if (offset <= start && offset > from) [from, after] = [offset, values];
  }
  const total = start > 0 && start - from > 0 ? keptExactTotal(strapi, uid, where, params) : undefined;
  let reversed = false;
  if (total !== undefined && start < total && total - start < start - from) {
    // the rows of this page counted from the end, read in the reverse order and turned back
    const onPage = Math.min(limit, total - start);
    const backwards = sort.map((entry) => ({ [entry.field]: entry.direction === 'asc' ? 'desc' : 'asc' }));
    next = { ...next, sort: backwards, start: total - start - onPage, limit: onPage };
    reversed = true;
  } else if (after) {
    const keyset = afterFilter(sort, after);
    next = { ...next, start: start - from, filters: params.filters ? { $and: [params.filters, keyset] } : keyset };
  }
  let rows = await read(next);
  if (reversed && Array.isArray(rows)) rows = [...rows].reverse();
  if (Array.isArray(rows) && rows.length === limit) {
    // the row with every key (the lean read makes its rows without the private ones: `fullRow` has them)
    const last = (rows[rows.length - 1] && fullRow?.(rows[rows.length - 1])) ?? rows[rows.length - 1];
    const values = sort.map((entry) => last?.[entry.field]);
    if (values.every((value) => value !== undefined && value !== null)) {
      if (!starts) {
        starts = { at: now, byOffset: new Map() };
        lists.set(key, starts);
        while (lists.size > settings.countCache.maxEntries) lists.delete(lists.keys().next().value as string);
      }
      if (starts.byOffset.size >= MAX_STARTS_PER_LIST) starts.byOffset.clear();
      starts.byOffset.set(start + rows.length, values);
    }
  }
  return { rows };
}

export function keysetMiddleware(strapi: Core.Strapi) {
  return async (context: any, next: () => Promise<unknown>) => {
    if (context.action !== 'findMany') return next();
    const page = await keysetRead(strapi, context.uid, context.params ?? {}, (params) => {
      context.params = params;
      return next();
    });
    return page === null ? next() : page.rows;
  };
}
