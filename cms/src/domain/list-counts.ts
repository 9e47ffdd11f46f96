/**
 * The total of a very large list. Strapi numbers a list's pages with an exact COUNT, which for a
 * province's five million children reads five million index entries (about 0.6 s) on every page
 * turn. On PostgreSQL, for the content types of config/lists.json, the count stops at
 * `exactCountUpTo` + 1 rows: up to the limit the total is exact, as before; beyond it, the total
 * is the query planner's estimate of the same query (at least the limit + 1), and the answer says
 * so (header `X-Total-Estimated: true`, `meta.pagination.estimated`, 约 in the panel).
 *
 * It is a document-service middleware on `count`, inside the access scope's (which has added the
 * caller's reach to the filters by then), for API requests only: code that counts (statistics,
 * snapshots, imports) always gets the exact figure.
 */
import type { Core } from '@strapi/strapi';
import { readDomainConfig } from '../runtime/paths';
import { isUnder, routeIdentity } from '../security/route-identity';

export const ESTIMATED_HEADER = 'X-Total-Estimated';

type ListsConfig = { exactCountUpTo: number; estimated: string[] };

function listsConfig(): ListsConfig {
  const { exactCountUpTo, estimated } = readDomainConfig<ListsConfig>('lists.json');
  const override = Number(process.env.LIST_EXACT_COUNT_UP_TO);
  return { exactCountUpTo: Number.isInteger(override) && override > 0 ? override : exactCountUpTo, estimated };
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
export async function boundedCount(strapi: Core.Strapi, uid: string, params: Record<string, unknown>, limit: number): Promise<{ total: number; estimated: boolean }> {
  const { where } = (strapi.get('query-params') as any).transform(uid, { filters: params.filters });
  const ids = () => (strapi.db as any).entityManager.createQueryBuilder(uid).init({ where, select: ['id'] });
  const knex = strapi.db.connection;
  const capped = ids().limit(limit + 1).getKnexQuery();
  const row = await knex.count({ count: '*' }).from(capped.as('capped')).first();
  const counted = Number(row?.count ?? 0);
  if (counted <= limit) return { total: counted, estimated: false };
  return { total: Math.max(limit + 1, await plannedRows(knex, ids().getKnexQuery())), estimated: true };
}

export function listCountMiddleware(strapi: Core.Strapi) {
  return async (context: any, next: () => Promise<unknown>) => {
    if (context.action !== 'count' || strapi.db.dialect.client !== 'postgres') return next();
    const config = listsConfig();
    if (!config.estimated.includes(context.uid)) return next();
    const request: any = strapi.requestContext.get();
    // only a list answering an API request (the panel's /ra/ bridge is rewritten to /api/ before it;
    // code counting for itself wants the exact figure), and not a search (`_q`)
    if (!request?.path || !isUnder(routeIdentity(request), '/api')) return next();
    if (context.params?._q) return next();
    let bounded: { total: number; estimated: boolean };
    try {
      bounded = await boundedCount(strapi, context.uid, context.params ?? {}, config.exactCountUpTo);
    } catch (error: any) {
      // a filter this path cannot express (Strapi's own count can): count the usual way
      strapi.log.warn(`list-counts: exact count instead (${String(error?.message ?? error).slice(0, 200)})`);
      return next();
    }
    const { total, estimated } = bounded;
    if (estimated) {
      request.state.listTotalEstimated = true;
      request.set(ESTIMATED_HEADER, 'true');
    }
    return total;
  };
}

/** Marks a list answer whose total is an estimate (`meta.pagination.estimated: true`). */
export function markEstimatedTotal(ctx: any, response: any): any {
  if (ctx.state?.listTotalEstimated && response?.meta?.pagination) response.meta.pagination.estimated = true;
  return response;
}
