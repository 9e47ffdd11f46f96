/**
 * The list routes of the big content types (config/lists.json `narrowColumns`: children, staff) without
 * Strapi's per-request rework of what does not change between requests. Strapi's core `find`
 * validates the query, sanitises it, runs the service, sanitises every row and shapes the answer;
 * the validation and the query sanitising walk the whole query (`@strapi/utils` traverse, lodash) on
 * every request, and the output sanitiser walks every key of every row, though a list answering the
 * same filters for the same permissions gets the same outcome each time. So, with Strapi's own steps
 * and nothing else:
 * - the query: Strapi's `validateQuery` and `sanitizeQuery` run once per (permissions, route, query
 *   without its page); the outcome is kept for the ability object the permissions gave
 *   (cms/src/bootstrap/permission-cache.ts shares one per permission set; a permission change makes a
 *   new one, and a new ability a new cache), and each request gets its own copy with its own page.
 *   A query Strapi refuses is refused again (never kept). No ability (anonymous): Strapi's steps as is.
 * - the rows: Strapi's output sanitiser removes passwords, private attributes (the schema's, the
 *   global `api.responses.privateAttributes`) and restricted relations, plus any output sanitiser a
 *   plugin registered. When no sanitiser is registered and the rows are flat (no key is a password,
 *   a relation, component, dynamic zone or media), its outcome is the rows without their private
 *   keys (Strapi's own `isPrivateAttribute` says which: the order's `pinyinKey` the keyset reads, for
 *   one): those keys are dropped and the walk is not run; otherwise it runs as before. The one output
 *   sanitiser every installation has, users-permissions' (it removes a role's `users` relation, a
 *   relation of the role's schema only), does nothing to flat rows: it does not count as registered.
 * - the page and its total: the lean read (cms/src/domain/lean-read.ts) when it takes the query,
 *   otherwise the service's `find` as before.
 * The permission check (users-permissions, before the controller) is unchanged; the scope is the
 * access scope's own (its document middleware, or the same function in the lean read).
 */
import path from 'node:path';
import type { Core } from '@strapi/strapi';
import { contentTypes } from '@strapi/utils';
import { leanRead } from './lean-read';
import { plainCopy } from '../runtime/plain-copy';

/**
 * Output sanitisers that act on relation attributes only (so never on flat rows): users-permissions'
 * (@strapi/plugin-users-permissions server/utils/sanitize, registered by its `register`: it removes a
 * role's `users` relation), the very function, loaded by path from the plugin's module because the
 * package does not export it. The one deliberate use of a file inside a Strapi package's dist/ (the
 * `strapi-dist-internals` rule of .dependency-cruiser.cjs names it): Strapi's walk of every key of every
 * row costs about a quarter of a list page (docs/performance-under-load.md). Guarded three ways: the
 * plugin's version is pinned (package-lock.json); tests/api/list-performance.test.ts applies this
 * function to a flat child row (unchanged) and to a role with users (users removed), so a release that
 * changed what it does fails there; a release that moves the file leaves it unknown, and the walk runs.
 * Any other registered sanitiser always makes the walk run.
 */
export const RELATIONS_ONLY = new Set<unknown>();
try {
  const plugin = path.dirname(require.resolve('@strapi/plugin-users-permissions/package.json'));
  RELATIONS_ONLY.add(require(path.join(plugin, 'dist/server/utils/sanitize/sanitizers.js')).__require().defaultSanitizeOutput);
} catch {
  // another layout of the plugin: its sanitiser is unknown here, and the walk runs
}

const MAX_QUERIES_PER_ABILITY = 500;
const NOT_PLAIN = new Set(['relation', 'component', 'dynamiczone', 'media', 'password']);

type Controller = {
  validateQuery(ctx: any): Promise<unknown>;
  sanitizeQuery(ctx: any): Promise<any>;
  sanitizeOutput(data: unknown, ctx: any): Promise<any>;
  transformResponse(data: unknown, meta?: unknown): any;
};

/** Sanitised queries by ability (the permissions' object), then by route and query without its page. */
const queries = new WeakMap<object, Map<string, Promise<any>>>();

function withoutPage(query: Record<string, unknown>): string {
  const { pagination: _pagination, ...rest } = query ?? {};
  return JSON.stringify(rest);
}

/** Strapi's validated and sanitised query for this request, kept per permissions and query (see above). */
export async function leanQuery(controller: Controller, ctx: any): Promise<any> {
  const ability = ctx.state?.auth?.ability;
  if (!ability || typeof ability !== 'object') {
    await controller.validateQuery(ctx);
    return controller.sanitizeQuery(ctx);
  }
  let kept = queries.get(ability);
  if (!kept) queries.set(ability, (kept = new Map()));
  const route = ctx.state?.route;
  const key = `${route?.method ?? ''} ${route?.path ?? ctx.path}\u0000${withoutPage(ctx.query)}`;
  let sanitized = kept.get(key);
  if (!sanitized) {
    sanitized = (async () => {
      await controller.validateQuery(ctx);
      return controller.sanitizeQuery(ctx);
    })();
    if (kept.size >= MAX_QUERIES_PER_ABILITY) kept.clear();
    kept.set(key, sanitized);
    sanitized.catch(() => kept!.delete(key));
  }
  const query = plainCopy(await sanitized);
  // the page is the request's own (sanitizeQuery passes it through unchanged; the service checks it)
  if (ctx.query?.pagination !== undefined) query.pagination = structuredClone(ctx.query.pagination);
  else delete query.pagination;
  return query;
}

/**
 * The private keys to drop when Strapi's output sanitiser would do nothing else to these rows (see
 * above), or null when it must run.
 */
export function privateKeysOnly(strapi: Core.Strapi, contentType: any, rows: unknown, keys?: string[]): string[] | null {
  if (!Array.isArray(rows)) return null;
  if (((strapi as any).sanitizers?.get?.('content-api.output') ?? []).some((sanitizer: unknown) => !RELATIONS_ONLY.has(sanitizer))) return null;
  if (keys) return privateOf(contentType, keys);
  const attributes: Record<string, any> = contentType?.attributes ?? {};
  const checked = new Set<string>();
  const drop: string[] = [];
  for (const row of rows) {
    if (!row || typeof row !== 'object' || Array.isArray(row)) return null;
    for (const key of Object.keys(row)) {
      if (checked.has(key)) continue;
      checked.add(key);
      if (NOT_PLAIN.has(attributes[key]?.type)) return null;
      if (contentTypes.isPrivateAttribute(contentType, key)) drop.push(key);
    }
  }
  return drop;
}

/** The same decision for rows that all have exactly `keys` (the lean read's), kept per content type and keys. */
const decisions = new WeakMap<object, Map<string, string[] | null>>();
function privateOf(contentType: any, keys: string[]): string[] | null {
  let kept = decisions.get(contentType);
  if (!kept) decisions.set(contentType, (kept = new Map()));
  const key = keys.join('\u0000');
  if (kept.has(key)) return kept.get(key)!;
  const attributes: Record<string, any> = contentType?.attributes ?? {};
  let drop: string[] | null = [];
  for (const name of keys) {
    if (NOT_PLAIN.has(attributes[name]?.type)) {
      drop = null;
      break;
    }
    if (contentTypes.isPrivateAttribute(contentType, name)) drop.push(name);
  }
  if (kept.size >= 100) kept.clear();
  kept.set(key, drop);
  return drop;
}

/** Strapi's core `find` (validate, sanitise, read the page and total, sanitise the rows, shape the answer) without the repeated work. */
export async function leanFind(strapi: Core.Strapi, uid: string, controller: Controller, ctx: any): Promise<any> {
  const query = await leanQuery(controller, ctx);
  const contentType = strapi.contentType(uid as any);
  // the lean read makes its rows without the private keys when that is all the sanitiser would do (see above)
  const lean = await leanRead(strapi, uid, query, ctx, (keys) => privateKeysOnly(strapi, contentType, [], keys));
  if (lean?.omitted) return controller.transformResponse(lean.results, { pagination: lean.pagination });
  const { results, pagination } = lean ?? (await (strapi.service(uid as any) as any).find(query));
  const drop = privateKeysOnly(strapi, contentType, results, lean?.keys);
  let rows = results;
  if (!drop) rows = await controller.sanitizeOutput(results, ctx);
  else if (drop.length && lean?.keys) {
    // rows of known keys: made again without the private ones (no `delete`, which slows every later read of the row)
    const shown = lean.keys.filter((key) => !drop.includes(key));
    rows = results.map((row: any) => {
      const out: Record<string, unknown> = {};
      for (const key of shown) out[key] = row[key];
      return out;
    });
  } else if (drop.length) for (const row of rows) for (const key of drop) delete row[key];
  return controller.transformResponse(rows, { pagination });
}
