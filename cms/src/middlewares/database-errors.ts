import type { Core } from '@strapi/strapi';
import { fieldLabel } from '../domain/messages';
import { isUnder, routeIdentity } from '../security/route-identity';

const RETRY_AFTER_SECONDS = '30';
const UNIQUE_VIOLATIONS = new Set(['23505', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY', 'ER_DUP_ENTRY']);

/** Error codes of a lost or refused database connection (Node sockets, PostgreSQL classes 08 and 57P). */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', '08000', '08001', '08003', '08004', '08006', '57P01', '57P02', '57P03']);
const CONNECTION_MESSAGES = /Connection terminated|Connection ended unexpectedly|connection error|Timeout acquiring a connection|the database system is (starting up|shutting down)|terminating connection/i;

/** Whether an error says the database connection was lost or refused (not what the query asked). */
export function isConnectionError(error: any): boolean {
  for (let e = error, depth = 0; e && depth < 3; e = e.cause, depth += 1) {
    if (CONNECTION_CODES.has(e.code) || e.name === 'KnexTimeoutError' || CONNECTION_MESSAGES.test(String(e.message ?? ''))) return true;
  }
  return false;
}

/**
 * When this instance last saw the database fail a connection (a query on a dropped connection, a
 * refused new one). users-permissions swallows such an error into a 401; a probe made after the
 * answer may already find the database back, so a request that overlapped a failure is judged by this.
 */
let lastConnectionFailureAt = 0;
const watched = new WeakSet<object>();
function watchConnections(strapi: Core.Strapi): void {
  const knex: any = strapi.db?.connection;
  if (!knex || watched.has(knex)) return;
  watched.add(knex);
  const seen = (error: any) => { if (isConnectionError(error)) lastConnectionFailureAt = Date.now(); };
  knex.on?.('query-error', seen);
  knex.client?.on?.('query-error', seen);
  knex.client?.pool?.on?.('createFail', (_id: unknown, error: any) => { lastConnectionFailureAt = Date.now(); seen(error); });
}

let log: ((message: string) => void) | undefined;
/**
 * Strapi runs a few queries nobody awaits: the entry event after a commit (document service,
 * events.js `onCommit`), the `SET search_path` on a new pooled connection (database, afterCreate).
 * When the connection drops under them their rejection is unhandled, and Node ends the process on
 * an unhandled rejection: a PostgreSQL restart under load would take the server down. Such a
 * rejection of a lost connection is logged; any other still ends the process, as by default.
 */
export function unhandledDatabaseRejection(reason: unknown): void {
  if (!isConnectionError(reason)) throw reason;
  lastConnectionFailureAt = Date.now();
  log?.(`database connection lost under a background query: ${String((reason as any)?.message ?? reason).slice(0, 300)}`);
}

/** Whether the database answers a trivial query within two seconds. */
export async function databaseReachable(strapi: Core.Strapi): Promise<boolean> {
  try {
    await Promise.race([
      strapi.db.connection.raw('select 1'),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000)),
    ]);
    return true;
  } catch {
    return false;
  }
}

/** The field a unique index guards; index names carry it: `<table>__<column>__unique`. */
function uniqueViolationField(error: any): string | null {
  const code = error?.code ?? error?.cause?.code;
  if (!UNIQUE_VIOLATIONS.has(code)) return null;
  const text = `${error.constraint ?? ''} ${error.message ?? ''}`;
  const named = text.match(/__([a-z_]+)__unique/);
  if (named) return named[1].replace(/_([a-z])/g, (_, c) => c.toUpperCase());
  const sqlite = text.match(/UNIQUE constraint failed: [a-z_]+\.([a-z_]+)/);
  return sqlite ? sqlite[1].replace(/_([a-z])/g, (_, c) => c.toUpperCase()) : 'id';
}

/**
 * Outermost middleware. Whenever the database is down, every API route answers 503 with
 * Retry-After, never 401 (users-permissions turns a failed permission query into 401) and never a
 * stack trace: an error of a lost connection, or a 401/5xx answered while a connection failed during
 * the request or while the database does not answer, becomes 503. A unique index violated by a
 * concurrent write answers 409 naming the field.
 */
export default (_config: unknown, { strapi }: { strapi: Core.Strapi }) => {
  log = (message) => strapi.log.warn(message);
  if (!process.listeners('unhandledRejection').includes(unhandledDatabaseRejection)) process.on('unhandledRejection', unhandledDatabaseRejection);
  return middleware(strapi);
};

const middleware = (strapi: Core.Strapi) => async (ctx, next) => {
  const unavailable = () => {
    ctx.status = 503;
    ctx.set('Retry-After', RETRY_AFTER_SECONDS);
    ctx.body = { data: null, error: { status: 503, name: 'ServiceUnavailableError', message: '数据库暂时不可用，请稍后重试 (database unavailable, retry later)' } };
  };
  watchConnections(strapi);
  const startedAt = Date.now();
  try {
    await next();
  } catch (error: any) {
    const field = uniqueViolationField(error);
    if (field) {
      const label = fieldLabel(field, ctx.state.raBridge?.resource ?? ctx.path.split('/')[2]);
      const message = `${label}已存在 (${field} already exists)`;
      ctx.status = 409;
      ctx.body = { data: null, error: { status: 409, name: 'ConflictError', message, details: { errors: [{ path: [field], message, name: 'ConflictError' }] } } };
      return;
    }
    if (isConnectionError(error)) {
      lastConnectionFailureAt = Date.now();
      return unavailable();
    }
    // A client error (400, 403, 404…) thrown while connections failed elsewhere stays what it is, but
    // Strapi's relation check turns its own failed query into 400 "Invalid relations".
    const failedDuring = lastConnectionFailureAt >= startedAt;
    const clientError = error?.status >= 400 && error?.status < 500 && error.status !== 401
      && !(failedDuring && /Invalid relations/.test(`${error.message} ${JSON.stringify(error.details ?? {})}`));
    if ((!clientError && failedDuring) || !(await databaseReachable(strapi))) return unavailable();
    throw error;
  }
  if ((ctx.status === 401 || (ctx.status >= 500 && ctx.status !== 503)) && isUnder(routeIdentity(ctx), '/api')
    && (lastConnectionFailureAt >= startedAt || !(await databaseReachable(strapi)))) unavailable();
};
