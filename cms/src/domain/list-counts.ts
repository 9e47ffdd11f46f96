/**
 * The total of a very large list. Strapi numbers a list's pages with an exact COUNT, which for a
 * province's five million children reads five million index entries (about 0.6 s) on every page
 * turn. On PostgreSQL, for the content types of config/lists.json, the count stops at
 * `exactCountUpTo` + 1 rows: up to the limit the total is exact, as before; beyond it, the total
 * is the query planner's estimate of the same query (at least the limit + 1), and the answer says
 * so (header `X-Total-Estimated: true`, `meta.pagination.estimated`, 约 in the panel).
 *
 * The estimate comes first (an EXPLAIN, about a millisecond): when the planner already expects more
 * than `countExactlyBelow` × the limit rows, the capped count is not run at all; otherwise the
 * capped count decides, as above.
 *
 * It is a document-service middleware on `count`, inside the access scope's (which has added the
 * caller's reach to the filters by then), for API requests only: code that counts (statistics,
 * snapshots, imports) always gets the exact figure.
 *
 * Totals are kept in this process for `countCache.ttlSeconds` (at most `countCache.maxEntries`), keyed
 * by the content type, the limit and the effective filters (the caller's reach included), so turning
 * a page of the same filter does not count again (on SQLite too, where the count is Strapi's own).
 * Concurrent requests for the same total share one count. Any write to the content type through
 * Strapi's database layer drops its totals (`invalidateListCounts` for writers that bypass it); a
 * second instance drops them too, within a second on PostgreSQL (cms/src/runtime/on-every-write.ts).
 */
import type { Core } from '@strapi/strapi';
import { readDomainConfig } from '../runtime/paths';
import { isUnder, routeIdentity } from '../security/route-identity';
import { onEveryWrite } from '../runtime/on-every-write';

export const ESTIMATED_HEADER = 'X-Total-Estimated';

type CountCacheConfig = { ttlSeconds: number; maxEntries: number };
type ListsConfig = { exactCountUpTo: number; countExactlyBelow: number; estimated: string[]; countCache: CountCacheConfig };

let fileConfig: ListsConfig | undefined;

/** The configuration with LIST_EXACT_COUNT_UP_TO applied, made again only when that variable changes (read-only). */
let merged: { env: string | undefined; config: Readonly<ListsConfig> } | undefined;
function listsConfig(): Readonly<ListsConfig> {
  fileConfig ??= readDomainConfig<ListsConfig>('lists.json');
  const env = process.env.LIST_EXACT_COUNT_UP_TO;
  if (!merged || merged.env !== env) {
    const override = Number(env);
    merged = { env, config: { ...fileConfig, exactCountUpTo: Number.isInteger(override) && override > 0 ? override : fileConfig.exactCountUpTo } };
  }
  return merged.config;
}

type Total = { total: number; estimated: boolean };
type CachedTotal = { value: Promise<Total>; expires: number; settled?: Total };

/** Totals by key (insertion order = age), and a generation per content type bumped by every write. */
const totals = new Map<string, CachedTotal>();
const generations = new Map<string, number>();

/** Drops the cached totals of a content type (every type without `uid`). */
export function invalidateListCounts(uid?: string): void {
  for (const type of uid ? [uid] : [...generations.keys()]) generations.set(type, (generations.get(type) ?? 0) + 1);
  for (const key of totals.keys()) if (!uid || key.startsWith(`${uid}\u0000`)) totals.delete(key);
}

/**
 * The total under `key`, computed once per time-to-live by `compute`; concurrent callers share it.
 * A total computed while the type was written to is answered but not kept.
 */
async function cachedTotal(uid: string, key: string, cache: CountCacheConfig, compute: () => Promise<Total>): Promise<Total> {
  const now = Date.now();
  const hit = totals.get(key);
  if (hit && hit.expires > now) return hit.value;
  if (hit) totals.delete(key);
  if (!generations.has(uid)) generations.set(uid, 0);
  const generation = generations.get(uid);
  const value = compute();
  if (cache.ttlSeconds <= 0 || cache.maxEntries <= 0) return value;
  const entry: CachedTotal = { value, expires: now + cache.ttlSeconds * 1000 };
  totals.set(key, entry);
  while (totals.size > cache.maxEntries) totals.delete(totals.keys().next().value as string);
  const forget = () => { if (totals.get(key)?.value === value) totals.delete(key); };
  value.then((total) => { if (generations.get(uid) !== generation) forget(); else entry.settled = total; }, forget);
  return value;
}

/** Writes through Strapi's database layer (document service, entity service, db.query) drop the type's totals. */
export function subscribeListCountInvalidation(strapi: Core.Strapi): void {
  const models = listsConfig().estimated;
  const drop = (event: any) => invalidateListCounts(event?.model?.uid);
  onEveryWrite(strapi, models, drop);
}

/** Filters made of JSON values only (what a query string gives): their text names them exactly. */
function plainJson(value: unknown): boolean {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return true;
  if (Array.isArray(value)) return value.every(plainJson);
  if (typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value);
  return (prototype === Object.prototype || prototype === null) && Object.values(value as object).every(plainJson);
}

const MAX_WHERES = 1000;
const wheres = new Map<string, unknown>();

/**
 * The database condition of a list's effective filters (Strapi's query-params transform), as the
 * count's key and the keyset's key name them (cms/src/domain/keyset-pages.ts). The transform depends on
 * the content type's schema and the filters only, so its outcome is kept per filters' text (at most
 * MAX_WHERES): a page turn does not walk the filters again. Read-only (keys are made of it; the count
 * builds its own). A filter it refuses throws, and is never kept.
 */
export function effectiveWhere(strapi: Core.Strapi, uid: string, filters: unknown): unknown {
  if (!plainJson(filters ?? null)) return (strapi.get('query-params') as any).transform(uid, { filters }).where;
  const key = `${uid}\u0000${JSON.stringify(filters ?? null)}`;
  if (wheres.has(key)) return wheres.get(key);
  const { where } = (strapi.get('query-params') as any).transform(uid, { filters });
  if (wheres.size >= MAX_WHERES) wheres.clear();
  wheres.set(key, where);
  return where;
}

/** The planner's row estimate of a query (EXPLAIN, nothing executed). */
async function plannedRows(knex: any, query: any): Promise<number> {
  const { sql, bindings } = query.toSQL();
  const result = await knex.raw(`EXPLAIN (FORMAT JSON) ${sql}`, bindings);
  const plan = result.rows?.[0]?.['QUERY PLAN']?.[0]?.Plan;
  return Math.round(Number(plan?.['Plan Rows']) || 0);
}

/**
 * The count of the rows a document-service `count` would count, exact up to `limit`; beyond it the
 * planner's estimate. `estimated` says which.
 */
export async function boundedCount(strapi: Core.Strapi, uid: string, where: unknown, limit: number, countExactlyBelow = 1): Promise<Total> {
  const ids = () => (strapi.db as any).entityManager.createQueryBuilder(uid).init({ where, select: ['id'] });
  const knex = strapi.db.connection;
  // the planner first: far beyond the limit, counting up to it would only confirm what it says
  const planned = await plannedRows(knex, ids().getKnexQuery());
  if (planned > limit * Math.max(1, countExactlyBelow)) return { total: planned, estimated: true };
  const capped = ids().limit(limit + 1).getKnexQuery();
  const row = await knex.count({ count: '*' }).from(capped.as('capped')).first();
  const counted = Number(row?.count ?? 0);
  if (counted <= limit) return { total: counted, estimated: false };
  return { total: Math.max(limit + 1, planned), estimated: true };
}

/** The key of a total: the content type, the limit and everything the count depends on. */
function totalKey(uid: string, limit: number, where: unknown, params: Record<string, any>): string {
  return `${uid}\u0000${limit}\u0000${JSON.stringify([where, params.status ?? null, params.locale ?? null])}`;
}

/** The key of a list's total as the count of an API list keeps it (the limit depends on the database). */
function listTotalKey(strapi: Core.Strapi, uid: string, where: unknown, params: Record<string, any>): string {
  return totalKey(uid, strapi.db.dialect.client === 'postgres' ? listsConfig().exactCountUpTo : 0, where, params);
}

/**
 * The exact total of a list (effective filters `where`) kept here, if one is: cms/src/domain/keyset-pages.ts
 * reads the last pages from the end with it. An estimate, an expired or a pending total: undefined.
 */
export function keptExactTotal(strapi: Core.Strapi, uid: string, where: unknown, params: Record<string, any>): number | undefined {
  const hit = totals.get(listTotalKey(strapi, uid, where, params));
  if (!hit || hit.expires <= Date.now() || !hit.settled || hit.settled.estimated) return undefined;
  return hit.settled.total;
}

/**
 * The total of an API list's count (`params`: the count's parameters, the caller's reach already in its
 * filters), bounded and kept as above; `exact` counts the usual way (SQLite, a filter the bounded
 * count cannot express). Null when the count is not an API list's (then the caller counts as usual).
 * Marks the request when the total is an estimate. The count middleware below and the lean read
 * (cms/src/domain/lean-read.ts) both go through it, so they share the totals.
 */
export async function listTotal(strapi: Core.Strapi, uid: string, params: Record<string, any>, exact: () => Promise<unknown>): Promise<number | null> {
  const config = listsConfig();
  if (!config.estimated.includes(uid)) return null;
  const request: any = strapi.requestContext.get();
  // only a list answering an API request (the panel's /ra/ bridge is rewritten to /api/ before it;
  // code counting for itself wants the exact figure), and not a search (`_q`)
  if (!request?.path || !isUnder(routeIdentity(request), '/api')) return null;
  if (params._q) return null;
  let where: unknown;
  try {
    where = effectiveWhere(strapi, uid, params.filters);
  } catch {
    return null; // Strapi's own count reports the bad filter
  }
  const postgres = strapi.db.dialect.client === 'postgres';
  const key = listTotalKey(strapi, uid, where, params);
  let bounded: Total;
  try {
    bounded = await cachedTotal(uid, key, config.countCache, async () => {
      if (!postgres) return { total: Number(await exact()), estimated: false };
      try {
        // the count's own condition, freshly made (the kept one is read-only; a count runs once per time-to-live)
        const { where: own } = (strapi.get('query-params') as any).transform(uid, { filters: params.filters });
        return await boundedCount(strapi, uid, own, config.exactCountUpTo, config.countExactlyBelow);
      } catch (error: any) {
        // a filter this path cannot express (Strapi's own count can): count the usual way
        strapi.log.warn(`list-counts: exact count instead (${String(error?.message ?? error).slice(0, 200)})`);
        return { total: Number(await exact()), estimated: false };
      }
    });
  } catch {
    return null;
  }
  const { total, estimated } = bounded;
  if (estimated) {
    request.state.listTotalEstimated = true;
    request.set(ESTIMATED_HEADER, 'true');
  }
  return total;
}

export function listCountMiddleware(strapi: Core.Strapi) {
  return async (context: any, next: () => Promise<unknown>) => {
    if (context.action !== 'count') return next();
    const total = await listTotal(strapi, context.uid, context.params ?? {}, next);
    return total === null ? next() : total;
  };
}

/** Marks a list answer whose total is an estimate (`meta.pagination.estimated: true`). */
export function markEstimatedTotal(ctx: any, response: any): any {
  if (ctx.state?.listTotalEstimated && response?.meta?.pagination) response.meta.pagination.estimated = true;
  return response;
}
