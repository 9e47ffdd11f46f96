import type { Core } from '@strapi/strapi';
import { runAsSystem } from '../domain/request-context';
import { INBOX, type ExchangeEvent } from './outbox';

/**
 * Applies an event from the other level once: the inbox row and the event's effect are written in
 * one transaction, so a redelivered event (the broker re-sends what was not acknowledged) finds its
 * id and changes nothing. Returns false for an event already applied. The other level's events are
 * applied as the system, named in the audit trail by event type and sender.
 */
export async function applyOnce(strapi: Core.Strapi, event: ExchangeEvent, apply: () => Promise<void>): Promise<boolean> {
  if (!event?.eventId || typeof event.eventId !== 'string') throw new Error('exchange: an event without an id is refused');
  return runAsSystem(strapi, `exchange: ${event.type} from ${event.source}`, () => strapi.db.transaction(async () => {
    const seen = await strapi.db.query(INBOX as any).findOne({ where: { eventId: event.eventId }, select: ['id'] });
    if (seen) return false;
    await strapi.db.query(INBOX as any).create({ data: { eventId: event.eventId, type: event.type, source: event.source, receivedAt: new Date() } });
    await apply();
    return true;
  }));
}
