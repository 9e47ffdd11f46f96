import type { Core } from '@strapi/strapi';
import { runAsSystem } from '../domain/request-context';
import { INBOX, type ExchangeEvent } from './outbox';

type Outcome = void | { refused: string };
type Apply = (event: ExchangeEvent) => Promise<Outcome>;
/** Applies the batch's events not applied yet, in their order, answering each one's outcome in that order. */
type ApplyAll = (events: ExchangeEvent[]) => Promise<Outcome[]>;

/**
 * Applies events from the other level once, a batch in one transaction: the inbox rows and the
 * events' effects are written together, so a redelivered event (the broker re-sends what was not
 * acknowledged, a whole batch when its acknowledgements were lost) finds its id and changes nothing.
 * The events apply in the order given (the stream's order). `prepare` runs first inside the
 * transaction with the events not applied yet (the nation takes its locks there). Returns how many
 * were applied. The other level's events are applied as the system, named in the audit trail (one
 * entry per batch) by sender and event types. An event the receiver refuses (a forged or replayed
 * statistics package) is recorded as refused, with the reason, and not retried: `apply` answers the
 * reason instead of applying it. `apply` takes one event, or all of them (`applyAll`, which may apply a
 * run of them with fewer statements).
 */
export async function applyBatch(strapi: Core.Strapi, events: ExchangeEvent[], apply: Apply | { applyAll: ApplyAll }, prepare?: (fresh: ExchangeEvent[]) => Promise<void>): Promise<number> {
  for (const event of events) if (!event?.eventId || typeof event.eventId !== 'string') throw new Error('exchange: an event without an id is refused');
  if (!events.length) return 0;
  const types = new Map<string, number>();
  for (const event of events) types.set(event.type, (types.get(event.type) ?? 0) + 1);
  const sources = [...new Set(events.map((event) => event.source))].join(',');
  const reason = events.length === 1
    ? `exchange: ${events[0].type} from ${events[0].source}`
    : `exchange: ${events.length} events from ${sources} (${[...types].map(([type, n]) => `${type}×${n}`).join(', ')})`;
  return runAsSystem(strapi, reason, () => strapi.db.transaction(async () => {
    const seen = new Set<string>((await strapi.db.query(INBOX as any).findMany({ where: { eventId: { $in: [...new Set(events.map((event) => event.eventId))] } }, select: ['eventId'] })).map((row: any) => row.eventId));
    const fresh: ExchangeEvent[] = [];
    for (const event of events) {
      if (seen.has(event.eventId)) continue;
      seen.add(event.eventId); // the same event twice in one batch (re-sent under another message id)
      fresh.push(event);
    }
    if (!fresh.length) return 0;
    await prepare?.(fresh);
    const receivedAt = new Date();
    await strapi.db.query(INBOX as any).createMany({ data: fresh.map((event) => ({ eventId: event.eventId, type: event.type, source: event.source, receivedAt, outcome: 'applied' })) });
    const outcomes: Outcome[] = [];
    if (typeof apply === 'function') for (const event of fresh) outcomes.push(await apply(event));
    else outcomes.push(...(await apply.applyAll(fresh)));
    for (const [n, event] of fresh.entries()) {
      const result = outcomes[n];
      if (result && 'refused' in result) {
        strapi.log.warn(`exchange: ${event.type} ${event.eventId} from ${event.source} refused: ${result.refused}`);
        await strapi.db.query(INBOX as any).updateMany({ where: { eventId: event.eventId }, data: { outcome: 'refused', reason: result.refused.slice(0, 500) } });
      }
    }
    return fresh.length;
  }));
}
