import type { Core } from '@strapi/strapi';
import { transition } from './workflows';
import { actingUser } from './request-context';
import { SYSTEM } from '../security/can';

const CHILD = 'api::child.child';
const PROBLEM = 'api::problem-record.problem-record';
const IDENTITY_FIELDS = ['name', 'sex', 'birthDate', 'idType', 'idNumber'];
const UNRESOLVED = ['open', 'evidence-submitted', 'arbitration'];
/** Problem records whose resolution may be deleting the child's record (a record entered twice). */
const DUPLICATE_KINDS = ['duplicate-with-id', 'duplicate-without-id'];

/** Opens a problem record (问题学籍) on a child, unless one of that kind is already open. */
export async function openProblemRecord(strapi: Core.Strapi, child: { id: number; name: string; countyCode: string; institutionCode: string }, kind: string, description: string) {
  const existing = await strapi.db.query(PROBLEM).findOne({ where: { child: child.id, kind, state: { $in: UNRESOLVED } } });
  if (existing) return existing;
  return strapi.documents(PROBLEM).create({
    data: { child: { id: child.id } as any, name: child.name, kind, state: 'open', description, countyCode: child.countyCode, institutionCode: child.institutionCode } as any,
  });
}

/**
 * Whether deleting the child resolves a duplicate problem record (重复学籍 删除): the record was
 * declared a duplicate — opened by the county (POST /api/problem-records) or by the province-wide
 * duplicate check confirmed at registration (api/child/services/child.ts) — and is not resolved.
 * This is the one way a child with a 学籍号 is deleted (domain/child-rules.ts checkDeletable); the
 * problem record is the mark, kept with its resolution `deleted` by problemResolutionMiddleware.
 */
export async function resolvesDuplicateRecord(strapi: Core.Strapi, childId: number): Promise<boolean> {
  const count = await strapi.db.query(PROBLEM).count({ where: { child: childId, kind: { $in: DUPLICATE_KINDS }, state: { $in: UNRESOLVED } } });
  return count > 0;
}

/**
 * A kindergarten resolves a problem record by deleting the record or correcting it (the third way,
 * evidence, is the problem-evidence workflow): deleting a child, or changing its identity fields,
 * resolves its open problem records: the transitions resolve-by-deletion and resolve-by-correction of
 * the machine `problem-record` (config/transitions.json), taken by the writer (or the system).
 */
export function problemResolutionMiddleware(strapi: Core.Strapi) {
  return async (context: any, next: () => Promise<unknown>) => {
    if (context.uid !== CHILD || !['update', 'delete'].includes(context.action)) return next();
    const child = await strapi.db.query(CHILD).findOne({ where: { documentId: context.params?.documentId }, select: ['id'] });
    const touchesIdentity = context.action === 'delete' || IDENTITY_FIELDS.some((field) => context.params?.data?.[field] !== undefined);
    if (!child || !touchesIdentity) return next();
    const affected = await strapi.db.query(PROBLEM).findMany({
      where: { child: child.id, state: { $in: context.action === 'delete' ? UNRESOLVED : ['open'] } },
      select: ['id', 'state', 'institutionCode', 'countyCode'],
    });
    const result = await next();
    if (affected.length) {
      await transition(strapi, {
        machine: 'problem-record', action: context.action === 'delete' ? 'resolve-by-deletion' : 'resolve-by-correction',
        actor: actingUser(strapi) ?? SYSTEM, records: affected,
      });
    }
    return result;
  };
}
