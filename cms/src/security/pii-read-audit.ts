import type { Core } from '@strapi/strapi';
import { recordAudit } from './audit';

/**
 * The one mechanism that writes `pii.read` to the audit trail: every answer that shows a full
 * (unmasked) ID number, whatever its form (JSON record, printable HTML form, Excel report).
 *
 * - Code that decides to reveal full ID numbers in an answer that is not a JSON record (the
 *   confirmation forms, cms/src/api/child/services/confirmation.ts; the import reports,
 *   cms/src/api/child-import/services/child-import.ts) marks it on the request: markRevealedIds.
 * - JSON answers are inspected as they leave (records with an unmasked idNumber, a guardian's too).
 * - After the route has answered, the security guard (cms/src/security/guard.ts) calls
 *   auditRevealedIds once: one entry per mark, only for an answer that was sent (status < 400).
 */
export type RevealedIds = {
  /** what was read: 'children', 'child-import', 'class-confirmation', ... */
  targetType: string;
  targetId?: string | number | null;
  /** how many full ID numbers the answer shows */
  count: number;
};

/** Marks, on the request, that its answer shows full ID numbers. */
export function markRevealedIds(ctx: any, revealed: RevealedIds): void {
  if (!ctx?.state || !(revealed.count > 0)) return;
  (ctx.state.revealedIds ??= []).push(revealed);
}

/** The same, for a service that does not hold the request: marks the current request, if any. */
export function markRevealedInRequest(strapi: Core.Strapi, revealed: RevealedIds): void {
  markRevealedIds(strapi.requestContext.get(), revealed);
}

const full = (value: unknown): boolean => typeof value === 'string' && value !== '' && !value.includes('*');

/** How many full ID numbers a set of records shows (the child's or staff member's own, and their guardians'). */
export function countFullIdNumbers(records: unknown): number {
  const list = Array.isArray(records) ? records : [records];
  let count = 0;
  for (const record of list as any[]) {
    if (!record || typeof record !== 'object') continue;
    if (full(record.idNumber)) count += 1;
    if (Array.isArray(record.guardians)) count += record.guardians.filter((g: any) => full(g?.idNumber)).length;
  }
  return count;
}

function isJsonBody(body: unknown): boolean {
  return Boolean(body) && typeof body === 'object' && !Buffer.isBuffer(body) && typeof (body as any).pipe !== 'function';
}

/** After the answer: writes one `pii.read` entry per full-ID reveal of this request. */
export async function auditRevealedIds(strapi: Core.Strapi, ctx: any, path: string): Promise<void> {
  if (ctx.status >= 400) return;
  const marks: RevealedIds[] = [...(ctx.state?.revealedIds ?? [])];
  if (!marks.length && ctx.method === 'GET' && path.startsWith('/api/') && isJsonBody(ctx.body)) {
    const count = countFullIdNumbers(ctx.body?.data ?? ctx.body);
    if (count) marks.push({ targetType: path.split('/')[2] ?? 'api', targetId: ctx.body?.data?.documentId ?? path.split('/')[3] ?? null, count });
  }
  for (const mark of marks) {
    await recordAudit(strapi, { action: 'pii.read', targetType: mark.targetType, targetId: mark.targetId ?? null, details: { path, method: ctx.method, count: mark.count } });
  }
}
