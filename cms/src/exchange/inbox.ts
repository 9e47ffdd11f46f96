import type { Core } from '@strapi/strapi';
import { runAsSystem } from '../domain/request-context';
import { INBOX, type ExchangeEvent } from './outbox';

/**
 * Applies an event from the other level once: the inbox row and the event's effect are written in
 * one transaction, so a redelivered event (the broker re-sends what was not acknowledged) finds its
 * id and changes nothing. Returns false for an event already applied. The other level's events are
 * applied as the system, named in the audit trail by event type and sender. An event the receiver
 * refuses (a forged or replayed statistics package) is recorded as refused, with the reason, and
 * not retried: `apply` answers the reason instead of applying it.
 */
export async function applyOnce(strapi: Core.Strapi, event: ExchangeEvent, apply: () => Promise<void | { refused: string }>): Promise<boolean> {
  if (!event?.eventId || typeof event.eventId !== 'string') throw new Error('exchange: an event without an id is refused');
  return runAsSystem(strapi, `exchange: ${event.type} from ${event.source}`, () => strapi.db.transaction(async () => {
    const seen = await strapi.db.query(INBOX as any).findOne({ where: { eventId: event.eventId }, select: ['id'] });
    if (seen) return false;
    const row = await strapi.db.query(INBOX as any).create({ data: { eventId: event.eventId, type: event.type, source: event.source, receivedAt: new Date(), outcome: 'applied' } });
    const result = await apply();
    if (result && 'refused' in result) {
      strapi.log.warn(`exchange: ${event.type} ${event.eventId} from ${event.source} refused: ${result.refused}`);
      await strapi.db.query(INBOX as any).update({ where: { id: row.id }, data: { outcome: 'refused', reason: result.refused.slice(0, 500) } });
    }
    return true;
  }));
}
