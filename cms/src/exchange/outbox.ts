import crypto from 'node:crypto';
import type { Core } from '@strapi/strapi';
import type { ExchangeSettings } from './settings';

export const OUTBOX = 'api::exchange.outbox-event';
export const INBOX = 'api::exchange.inbox-event';
export const NATIONAL_INDEX = 'api::exchange.national-index-entry';

/** What crosses between the levels: an envelope around one event (never a plain ID number). */
export type ExchangeEvent = {
  eventId: string;
  type: string;
  /** The sending deployment: a province code, or 'national'. */
  source: string;
  /** The sender's outbox id: increases with every event it sends, whatever the clocks say. */
  sequence: number;
  occurredAt: string;
  data: Record<string, any>;
};

/**
 * Writes an event for the other level into the outbox. Called inside the transaction of the change
 * it reports (Strapi's db.query joins the transaction of the current async context), so the event
 * exists if and only if the change does; the relay (cms/src/exchange/relay.ts) publishes it.
 */
export async function enqueue(strapi: Core.Strapi, subject: string, type: string, data: Record<string, any>): Promise<void> {
  await strapi.db.query(OUTBOX as any).create({
    data: { eventId: crypto.randomUUID(), subject, type, body: { type, data, occurredAt: new Date().toISOString() }, attempts: 0 },
  });
}

/**
 * The national blind index of an identity document: HMAC-SHA256 with the country's shared key over
 * the document type and the normalised number. A province computes it at registration; the nation
 * only ever sees the result.
 */
export function nationalKey(settings: ExchangeSettings, idType: string | null | undefined, idNumber: string | null | undefined): string | null {
  if (!settings.nationalKey || !idType || !idNumber) return null;
  const normalised = String(idNumber).trim().toUpperCase();
  return crypto.createHmac('sha256', settings.nationalKey).update(`${idType}:${normalised}`).digest('hex');
}

/**
 * The national blind index of a 学籍号 (a temporary L 学籍号 carries no ID number): what a receiving
 * province sends to find a child by its 学籍号 in another province.
 */
export function studentKey(settings: ExchangeSettings, studentNumber: string | null | undefined): string | null {
  if (!settings.nationalKey || !studentNumber) return null;
  return crypto.createHmac('sha256', settings.nationalKey).update(`student-number:${String(studentNumber).trim().toUpperCase()}`).digest('hex');
}
