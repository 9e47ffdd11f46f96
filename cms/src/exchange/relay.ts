import type { Core } from '@strapi/strapi';
import type { Broker } from './broker';
import { OUTBOX, type ExchangeEvent } from './outbox';

const BATCH = 200;
/**
 * PostgreSQL advisory lock held by the one relay that publishes at a time, whatever the number of app
 * nodes; keyed by the schema too, so deployments sharing a database server do not wait on each other.
 */
const RELAY_LOCK = 735_201;

/**
 * Publishes the outbox in id order. While the broker is down the outbox grows and nothing is lost;
 * when it is back, everything pending is published, once: an event published but not yet marked
 * (a crash between the two) is published again with the same message id, which the stream and the
 * receiver's inbox both drop. One relay at a time (advisory lock on PostgreSQL), so that a child's
 * events leave in the order they were written.
 */
export async function relayOnce(strapi: Core.Strapi, broker: Broker, source: string): Promise<number> {
  const run = async (): Promise<number> => {
    const pending = await strapi.db.query(OUTBOX as any).findMany({ where: { sentAt: { $null: true } }, orderBy: { id: 'asc' }, limit: BATCH });
    // marked sent in one statement per batch, not one commit per event: an event published and not yet
    // marked (a crash in between) is published again under the same message id, which both sides drop
    const published: number[] = [];
    const mark = async () => {
      if (published.length) await strapi.db.query(OUTBOX as any).updateMany({ where: { id: { $in: published } }, data: { sentAt: new Date(), lastError: null } });
    };
    for (const row of pending) {
      const event: ExchangeEvent = { eventId: row.eventId, type: row.type, source, sequence: Number(row.id), occurredAt: row.body?.occurredAt, data: row.body?.data ?? {} };
      try {
        await broker.publish(row.subject, event, row.eventId);
      } catch (error: any) {
        await mark();
        await strapi.db.query(OUTBOX as any).update({ where: { id: row.id }, data: { attempts: (row.attempts ?? 0) + 1, lastError: String(error?.message ?? error).slice(0, 500) } });
        return published.length;
      }
      published.push(row.id);
    }
    await mark();
    return published.length;
  };
  if (strapi.db.dialect.client !== 'postgres') return run();
  const knex = strapi.db.connection;
  const connection = await knex.client.acquireConnection();
  try {
    const locked = await connection.query('SELECT pg_try_advisory_lock($1, hashtext(current_schema())) AS locked', [RELAY_LOCK]);
    if (!locked.rows[0].locked) return 0;
    try {
      return await run();
    } finally {
      await connection.query('SELECT pg_advisory_unlock($1, hashtext(current_schema()))', [RELAY_LOCK]);
    }
  } finally {
    await knex.client.releaseConnection(connection);
  }
}

/** Outbox depth: events written and not yet on the broker. */
export async function outboxDepth(strapi: Core.Strapi): Promise<number> {
  return strapi.db.query(OUTBOX as any).count({ where: { sentAt: { $null: true } } });
}
