import type { Core } from '@strapi/strapi';
import { securityConfig } from './config';
import { qualifiedTable } from '../runtime/tables';
import { isUnder } from './route-identity';

/**
 * Per-IP limit on the auth routes (config/security.json `rateLimit`, editable in the security
 * policy), fixed windows counted in the database table `rate_limit_windows` and therefore shared by
 * every app instance on it: behind a load balancer an address gets one budget, not one per instance
 * (like the account lockout, cms/src/security/login.ts). Windows are aligned on multiples of the
 * window length since the epoch, so all instances agree on where one starts.
 * PostgreSQL: the table comes from database/postgres/040-rate-limit.sql; SQLite: ensureRateLimitStore.
 */
export const RATE_LIMIT_TABLE = 'rate_limit_windows';

/** Share of requests that also delete windows older than two window lengths. */
const CLEANUP_SHARE = 0.01;

export function rateLimitTable(strapi: Core.Strapi): string {
  return qualifiedTable(strapi, RATE_LIMIT_TABLE);
}

/** SQLite: the table (PostgreSQL gets it from database/postgres). */
export async function ensureRateLimitStore(strapi: Core.Strapi): Promise<void> {
  if (strapi.db.dialect.client === 'postgres') return;
  const knex = strapi.db.connection;
  if (await knex.schema.hasTable(RATE_LIMIT_TABLE)) return;
  await knex.schema.createTable(RATE_LIMIT_TABLE, (table) => {
    table.string('key', 128).notNullable();
    table.bigInteger('window_start').notNullable();
    table.integer('count').notNullable().defaultTo(0);
    table.primary(['key', 'window_start']);
    table.index(['window_start']);
  });
}

/** The address a request is counted under: an IPv4 address seen through an IPv6 socket counts as itself. */
export function rateLimitKey(ip: string | undefined | null): string {
  const address = String(ip ?? '').trim() || 'unknown';
  return address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1').slice(0, 128);
}

/**
 * Counts one request from `ip` in the current window, in one atomic statement, and says whether
 * the address is over the limit and how many seconds remain until its window ends.
 */
export async function rateLimited(strapi: Core.Strapi, ip: string, now = Date.now()): Promise<{ limited: boolean; retryAfter: number }> {
  const { windowSeconds, maxRequests } = securityConfig().rateLimit;
  const windowMs = windowSeconds * 1000;
  const windowStart = Math.floor(now / windowMs) * windowMs;
  const retryAfter = Math.max(1, Math.ceil((windowStart + windowMs - now) / 1000));
  const knex = strapi.db.connection;
  const table = rateLimitTable(strapi);
  let count: number;
  try {
    const result: any = await knex.raw(
      `INSERT INTO ?? AS w ("key", "window_start", "count") VALUES (?, ?, 1)
       ON CONFLICT ("key", "window_start") DO UPDATE SET "count" = w."count" + 1
       RETURNING "count"`,
      [table, rateLimitKey(ip), windowStart],
    );
    const rows = Array.isArray(result) ? result : result.rows;
    count = Number(rows[0].count);
    if (Math.random() < CLEANUP_SHARE) await knex(table).where('window_start', '<', windowStart - windowMs).delete();
  } catch (error: any) {
    // Fail open, for this limit only: a database that cannot count cannot serve the login either,
    // and the database-errors middleware answers that request 503 with Retry-After. Refusing here
    // (429) would blame the client for our outage; throwing would turn it into a 500.
    strapi.log.warn(`rate limit not counted (database): ${String(error?.message ?? error).slice(0, 200)}`);
    return { limited: false, retryAfter: 0 };
  }
  return { limited: count > maxRequests, retryAfter };
}

/** Whether a route identity (cms/src/security/route-identity.ts: canonical, lower case) is rate-limited. */
export function isRateLimitedPath(identity: string): boolean {
  return securityConfig().rateLimit.paths.some((prefix) => isUnder(identity, prefix));
}

/** For tests and operators: forget the counts (of every instance on this database). */
export async function resetRateLimits(strapi: Core.Strapi = (globalThis as any).strapi): Promise<void> {
  await strapi.db.connection(rateLimitTable(strapi)).delete();
}
