import type { Core } from '@strapi/strapi';
import { fieldLabel } from '../domain/messages';

const RETRY_AFTER_SECONDS = '30';
const UNIQUE_VIOLATIONS = new Set(['23505', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY', 'ER_DUP_ENTRY']);

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
 * stack trace. A unique index violated by a concurrent write answers 409 naming the field.
 */
export default (_config: unknown, { strapi }: { strapi: Core.Strapi }) => async (ctx, next) => {
  const unavailable = () => {
    ctx.status = 503;
    ctx.set('Retry-After', RETRY_AFTER_SECONDS);
    ctx.body = { data: null, error: { status: 503, name: 'ServiceUnavailableError', message: '数据库暂时不可用，请稍后重试 (database unavailable, retry later)' } };
  };
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
    if (!(await databaseReachable(strapi))) return unavailable();
    throw error;
  }
  if ((ctx.status === 401 || (ctx.status >= 500 && ctx.status !== 503)) && ctx.path.startsWith('/api') && !(await databaseReachable(strapi))) unavailable();
};
