import type { Core } from '@strapi/strapi';
import { conflictError } from '../utils/validation';
import { subjectTypes, workflows } from './workflows';
import { actingUser, runningAsSystem } from './request-context';

export const OPEN_STATES = ['submitted', 'returned', 'resubmitted'];

function changedFields(data: Record<string, any>, existing: Record<string, any>, fields: Iterable<string>): string[] {
  const normal = (value: unknown) => (value === undefined || value === '' ? null : typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value));
  return [...fields].filter((field) => field in data && normal(data[field]) !== normal(existing[field]));
}

/** The fields of `subjectId` that open requests propose to change (excluding `exceptRequest`). */
export async function pendingFields(strapi: Core.Strapi, subjectId: string, exceptRequest?: number): Promise<Set<string>> {
  const open = await strapi.db.query('api::request.request').findMany({
    where: { subjectId, state: { $in: OPEN_STATES }, ...(exceptRequest ? { id: { $ne: exceptRequest } } : {}) },
    select: ['type', 'proposed'],
  });
  return new Set(open.filter((r) => workflows()[r.type]?.apply === 'update').flatMap((r) => Object.keys(r.proposed ?? {})));
}

/**
 * No clashing changes (docs/kindergartens-and-approvals.md): while a request proposes to change fields of a record,
 * those fields cannot be edited directly (409). (Fields that change only through a workflow at all:
 * cms/src/domain/governed-fields.ts.) The approval engine itself, the
 * system and Strapi's own admin are not users here.
 */
export function subjectLockMiddleware(strapi: Core.Strapi) {
  return async (context: any, next: () => Promise<unknown>) => {
    if (context.action !== 'update' || !subjectTypes().has(context.uid) || !context.params?.data) return next();
    if (!actingUser(strapi) || runningAsSystem(strapi)) return next();
    const data = context.params.data;
    const existing = await strapi.db.query(context.uid).findOne({ where: { documentId: context.params.documentId } });
    if (!existing) return next();
    const pending = changedFields(data, existing, await pendingFields(strapi, existing.documentId));
    if (pending.length) throw conflictError('有待审核的变更申请，审核完成前不能直接修改', pending);
    // key fields of a registered record: cms/src/domain/governed-fields.ts (config/workflows.json governs)
    return next();
  };
}
