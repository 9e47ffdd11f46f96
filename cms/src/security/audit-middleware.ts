import type { Core } from '@strapi/strapi';
import { recordAudit } from './audit';

const WRITES = new Set(['create', 'update', 'delete']);
const SKIPPED = new Set(['api::auth-session.auth-session', 'api::delegation.delegation']);

/** The attributes never written to the trail: private ones and passwords (hashes included). */
function hiddenAttributes(strapi: Core.Strapi, uid: string): Set<string> {
  const model: any = strapi.getModel(uid as any);
  const hidden = new Set<string>(['password', 'resetPasswordToken', 'confirmationToken']);
  for (const [name, attribute] of Object.entries<any>(model?.attributes ?? {})) {
    if (attribute.type === 'password' || (attribute.private && !/idNumber/i.test(name))) hidden.add(name);
  }
  return hidden;
}

function clean(value: Record<string, any> | null | undefined, hidden: Set<string>): Record<string, any> | null {
  if (!value) return null;
  return Object.fromEntries(Object.entries(value).filter(([key]) => !hidden.has(key) && !['id', 'createdAt', 'updatedAt', 'publishedAt', 'locale', 'createdBy', 'updatedBy'].includes(key)));
}

/** Only the fields that changed, before and after. */
function changes(before: Record<string, any> | null, after: Record<string, any> | null) {
  if (!before || !after) return { before, after };
  const changedBefore: Record<string, any> = {};
  const changedAfter: Record<string, any> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (!(key in after)) continue;
    if (JSON.stringify(before[key] ?? null) !== JSON.stringify(after[key] ?? null)) {
      changedBefore[key] = before[key] ?? null;
      changedAfter[key] = after[key] ?? null;
    }
  }
  return { before: changedBefore, after: changedAfter };
}

/**
 * Document-service middleware: every create, update and delete of the domain's records and of
 * accounts is appended to the audit trail with the values before and after (ID numbers masked,
 * private fields left out), in the same transaction as the change when there is one.
 */
export function auditMiddleware(strapi: Core.Strapi) {
  return async (context: { uid: string; action: string; params: any }, next: () => Promise<any>) => {
    if (!WRITES.has(context.action) || SKIPPED.has(context.uid)) return next();
    if (!context.uid.startsWith('api::') && context.uid !== 'plugin::users-permissions.user') return next();
    const hidden = hiddenAttributes(strapi, context.uid);
    const documentId = context.params?.documentId;
    const before = documentId && context.action !== 'create'
      ? await strapi.db.query(context.uid as any).findOne({ where: { documentId } })
      : null;
    const result = await next();
    const after = context.action === 'delete' ? null : (result && typeof result === 'object' ? (result as any) : null);
    const diff = changes(clean(before, hidden), clean(after, hidden));
    if (context.action === 'update' && diff.after && !Object.keys(diff.after).length) return result;
    await recordAudit(strapi, {
      action: `record.${context.action}`,
      targetType: context.uid,
      targetId: documentId ?? after?.documentId ?? null,
      details: diff,
    });
    return result;
  };
}
