import type { Core } from '@strapi/strapi';
import { securityConfig } from './config';
import { qualifiedTable } from '../runtime/tables';
import { maskIdentifier } from './masking';

/**
 * The audit trail: one append-only table `audit_entries` (who, when, from where, what), outside
 * Strapi's content types. PostgreSQL: partitioned by month with triggers refusing UPDATE, DELETE
 * and TRUNCATE on the table and on every partition, owned by an owner role in production while the
 * application's role may only INSERT and SELECT (database/postgres/010-audit-trail.sql,
 * docs/security/audit-and-pii-at-rest.md). SQLite: created here, with triggers too.
 */
export const AUDIT_TABLE = 'audit_entries';

export type AuditEntry = {
  action: string;
  outcome?: 'ok' | 'failed' | 'refused';
  targetType?: string | null;
  targetId?: string | number | null;
  details?: Record<string, unknown> | null;
  actor?: { id?: number | null; username?: string | null; level?: string | null } | null;
  onBehalfOf?: { id?: number | null; username?: string | null } | null;
  ip?: string | null;
};

export function auditTable(strapi: Core.Strapi): string {
  return qualifiedTable(strapi, AUDIT_TABLE);
}

let maintenance: NodeJS.Timeout | undefined;

/**
 * PostgreSQL: next months' partitions and the retention cut (config audit.retentionDays), both by
 * the trail owner's SECURITY DEFINER functions (database/postgres/010-audit-trail.sql), so the
 * application's role needs no right beyond INSERT and SELECT. Returns the partitions dropped.
 */
export async function maintainAuditTrail(strapi: Core.Strapi): Promise<{ created: number; dropped: number }> {
  if (strapi.db.dialect.client !== 'postgres') return { created: 0, dropped: 0 };
  const knex = strapi.db.connection;
  const created = await knex.raw('SELECT ??() AS n', [qualifiedTable(strapi, 'audit_ensure_partitions')]);
  const dropped = await knex.raw('SELECT ??(?::integer) AS n', [qualifiedTable(strapi, 'audit_drop_expired'), securityConfig().audit.retentionDays]);
  const result = { created: Number(created.rows[0]?.n ?? 0), dropped: Number(dropped.rows[0]?.n ?? 0) };
  if (result.dropped) strapi.log.info(`audit trail: ${result.dropped} monthly partitions past the retention period dropped`);
  return result;
}

/** Runs maintainAuditTrail now and every audit.maintenanceHours (config/security.json). */
export async function startAuditMaintenance(strapi: Core.Strapi): Promise<void> {
  await maintainAuditTrail(strapi);
  stopAuditMaintenance();
  const hours = Number((securityConfig().audit as any).maintenanceHours) || 24;
  maintenance = setInterval(() => {
    maintainAuditTrail(strapi).catch((error: Error) => strapi.log.error(`audit trail maintenance: ${error.message}`));
  }, hours * 3600 * 1000);
  maintenance.unref();
}

export function stopAuditMaintenance(): void {
  if (maintenance) clearInterval(maintenance);
  maintenance = undefined;
}

/** SQLite: the table and its append-only triggers (PostgreSQL gets them from database/postgres). */
export async function ensureAuditStore(strapi: Core.Strapi): Promise<void> {
  if (strapi.db.dialect.client === 'postgres') return startAuditMaintenance(strapi);
  const knex = strapi.db.connection;
  if (!(await knex.schema.hasTable(AUDIT_TABLE))) {
    await knex.schema.createTable(AUDIT_TABLE, (table) => {
      table.increments('id');
      table.datetime('at').notNullable();
      table.integer('actor_id');
      table.string('actor_username');
      table.string('actor_level', 32);
      table.integer('on_behalf_of_id');
      table.string('on_behalf_of_username');
      table.string('ip', 64);
      table.string('action', 64).notNullable();
      table.string('target_type', 128);
      table.string('target_id', 128);
      table.string('outcome', 16).notNullable().defaultTo('ok');
      table.text('details');
      table.index(['at']);
      table.index(['actor_username', 'at']);
      table.index(['action', 'at']);
    });
  }
  for (const operation of ['UPDATE', 'DELETE']) {
    await knex.raw(`CREATE TRIGGER IF NOT EXISTS audit_entries_no_${operation.toLowerCase()} BEFORE ${operation} ON ${AUDIT_TABLE} BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;`);
  }
}

const DIGITS = '0-9\\uFF10-\\uFF19';
/** 18 characters shaped like a resident ID number (half- or full-width digits), alone or after G/J in a 学籍号. */
const ID_LIKE = new RegExp(`(?<![${DIGITS}])[${DIGITS}]{17}[${DIGITS}Xx\\uFF38\\uFF58](?![${DIGITS}])`, 'g');
const PERCENT = /(?:%[0-9A-Fa-f]{2})+/g;

/** Percent-decodes what decodes (a bad sequence is kept as written). */
function decodeLenient(text: string): string {
  return text.replace(PERCENT, (sequence) => {
    try { return decodeURIComponent(sequence); } catch { return sequence; }
  });
}

/**
 * Masks every ID-number-like run inside a text (a query string, a path, a message): 440524***********4,
 * also when written percent-encoded (then the decoded, masked text is kept).
 */
export function maskIdText(text: string): string {
  let out = text.replace(ID_LIKE, (found) => maskNumber(found));
  for (let round = 0; round < 3 && /%[0-9A-Fa-f]{2}/.test(out); round += 1) {
    const decoded = decodeLenient(out);
    if (decoded === out) break;
    const masked = decoded.replace(ID_LIKE, (found) => maskNumber(found));
    if (masked === decoded) continue;
    out = masked;
  }
  return out;
}

/**
 * The one masking of what the trail stores (recordAudit applies it to every details object): the
 * fields named in config audit.maskedFields, and every ID-number-like text anywhere (query strings,
 * paths, free text, G+18 学籍号). Deeper than 6 levels the rest is kept as masked JSON text.
 */
export function maskSensitive(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskIdText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 6) return maskIdText(JSON.stringify(value));
  if (Array.isArray(value)) return value.map((item) => maskSensitive(item, depth + 1));
  if (value instanceof Date) return value;
  const masked = new Set(securityConfig().audit.maskedFields);
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, item]) => {
    if (masked.has(key) && typeof item === 'string') return [key, maskNumber(item)];
    return [maskIdText(key), maskSensitive(item, depth + 1)];
  }));
}

/** The one masking rule (plugins/student-id identity maskIdentifier: ID numbers and G-type 学籍号). */
function maskNumber(number: string): string {
  return maskIdentifier(number);
}

/** Who is acting in the current HTTP request, for the trail. */
export function requestActor(strapi: Core.Strapi): Pick<AuditEntry, 'actor' | 'onBehalfOf' | 'ip'> {
  const ctx: any = strapi.requestContext.get();
  if (!ctx) return { actor: null, onBehalfOf: null, ip: null };
  const user = ctx.state?.user ?? ctx.state?.securityActor;
  const delegation = ctx.state?.delegation;
  if (delegation) {
    // Under a delegation the person acting is the delegate, on behalf of the signed-in delegator.
    return {
      actor: { id: delegation.delegateId, username: delegation.delegateUsername, level: user?.level ?? null },
      onBehalfOf: user ? { id: user.id, username: user.username } : null,
      ip: ctx.request?.ip ?? null,
    };
  }
  return {
    // Strapi's own admin users (roles and permissions changed there) have an e-mail, not a username
    actor: user ? { id: user.id, username: user.username ?? (user.email ? `admin:${user.email}` : null), level: user.level ?? null } : null,
    onBehalfOf: null,
    ip: ctx.request?.ip ?? null,
  };
}

/**
 * Appends an entry. Inside a database transaction it joins it, so a change and its entry are
 * committed (or rolled back) together.
 */
export async function recordAudit(strapi: Core.Strapi, entry: AuditEntry): Promise<void> {
  const from = entry.actor === undefined ? requestActor(strapi) : { actor: entry.actor, onBehalfOf: entry.onBehalfOf ?? null, ip: entry.ip ?? null };
  const row = {
    at: new Date(),
    actor_id: from.actor?.id ?? null,
    actor_username: from.actor?.username ?? null,
    actor_level: from.actor?.level ?? null,
    on_behalf_of_id: (entry.onBehalfOf ?? from.onBehalfOf)?.id ?? null,
    on_behalf_of_username: (entry.onBehalfOf ?? from.onBehalfOf)?.username ?? null,
    ip: entry.ip ?? from.ip ?? null,
    action: entry.action,
    target_type: entry.targetType ? maskIdText(entry.targetType) : null,
    target_id: entry.targetId === undefined || entry.targetId === null ? null : maskIdText(String(entry.targetId)),
    outcome: entry.outcome ?? 'ok',
    details: entry.details ? JSON.stringify(maskSensitive(entry.details)) : null,
  };
  await strapi.db.transaction(async ({ trx }: any) => {
    await trx(auditTable(strapi)).insert(row);
  });
}

export type AuditQuery = {
  filters?: Record<string, any>;
  sort?: string | string[];
  pagination?: { start?: number | string; limit?: number | string; page?: number | string; pageSize?: number | string };
};

const FILTERABLE: Record<string, string> = {
  action: 'action', actorUsername: 'actor_username', onBehalfOfUsername: 'on_behalf_of_username', targetType: 'target_type',
  targetId: 'target_id', outcome: 'outcome', ip: 'ip',
};
const SORTABLE: Record<string, string> = { at: 'at', id: 'id', action: 'action', actorUsername: 'actor_username' };

export function toPublicEntry(row: Record<string, any>) {
  let details = row.details;
  if (typeof details === 'string') {
    try { details = JSON.parse(details); } catch { /* kept as text */ }
  }
  return {
    id: Number(row.id), at: new Date(row.at).toISOString(), actorId: row.actor_id, actorUsername: row.actor_username,
    actorLevel: row.actor_level, onBehalfOfId: row.on_behalf_of_id, onBehalfOfUsername: row.on_behalf_of_username,
    ip: row.ip, action: row.action, targetType: row.target_type, targetId: row.target_id, outcome: row.outcome, details,
  };
}

/** Searches the trail (the audit administrator's page): by action, actor, target, outcome, dates. */
export async function searchAudit(strapi: Core.Strapi, query: AuditQuery) {
  const pagination = query.pagination ?? {};
  const limit = Math.min(500, Math.max(1, Number(pagination.limit ?? pagination.pageSize ?? 25) || 25));
  const start = Math.max(0, Number(pagination.start ?? ((Number(pagination.page ?? 1) || 1) - 1) * limit) || 0);
  const knex = strapi.db.connection;
  const filters = query.filters ?? {};
  const where = (builder: any) => {
    for (const [field, column] of Object.entries(FILTERABLE)) {
      const value = filters[field];
      if (value === undefined || value === '') continue;
      const plain = typeof value === 'object' && value !== null ? (value.$eq ?? value.$containsi ?? value.$contains) : value;
      if (plain === undefined) continue;
      if (field === 'actorUsername' || field === 'action') builder.where(column, 'like', `%${String(plain).replace(/[%_]/g, '')}%`);
      else builder.where(column, String(plain));
    }
    const from = filters.from ?? filters.at?.$gte;
    const to = filters.to ?? filters.at?.$lte;
    if (from && !Number.isNaN(Date.parse(from))) builder.where('at', '>=', new Date(from));
    if (to && !Number.isNaN(Date.parse(to))) builder.where('at', '<=', new Date(to));
    if (filters.q) {
      const q = `%${String(filters.q).replace(/[%_]/g, '')}%`;
      builder.where((inner: any) => inner.where('actor_username', 'like', q).orWhere('action', 'like', q).orWhere('target_type', 'like', q).orWhere('target_id', 'like', q));
    }
  };
  const order = ([] as string[]).concat((query.sort as any) ?? 'at:desc')
    .map((entry) => String(entry).split(':'))
    .filter(([field]) => SORTABLE[field])
    .map(([field, direction]) => ({ column: SORTABLE[field], order: direction?.toLowerCase() === 'asc' ? 'asc' : 'desc' }));
  if (!order.some((o) => o.column === 'id')) order.push({ column: 'id', order: order[0]?.order ?? 'desc' });
  const [rows, [{ total }]] = await Promise.all([
    knex(auditTable(strapi)).where(where).orderBy(order).offset(start).limit(limit),
    knex(auditTable(strapi)).where(where).count({ total: '*' }),
  ]);
  return { data: rows.map(toPublicEntry), meta: { pagination: { start, limit, total: Number(total) } } };
}
