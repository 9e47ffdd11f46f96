import type { Core } from '@strapi/strapi';
import { fieldsError } from '../utils/validation';
import { declaredWorkflows, governedFields, type Workflow } from './workflows';
import { actingUser, runningAsSystem } from './request-context';
import { fieldLabel } from './messages';
import { applyingKeyChangeNow, changedKeyFields } from './child-rules';

const CHILD = 'api::child.child';

/** One governed field: the subject's field, the workflow that alone changes it. */
export type GovernedField = { field: string; workflow: Workflow };

/**
 * The governed fields of a content type, derived from config/workflows.json: every workflow's
 * `governs` (a declaration's status, the key-change workflows' key fields, a child's 学籍 status).
 */
export function governedFieldsOf(uid: string): GovernedField[] {
  return Object.values(declaredWorkflows())
    .filter((wf) => wf.subject === uid && wf.governs)
    .flatMap((wf) => governedFields(wf).map((field) => ({ field, workflow: wf })));
}

/** The content types that have governed fields. */
function governedSubjects(): Set<string> {
  return new Set(Object.values(declaredWorkflows()).filter((wf) => wf.governs).map((wf) => wf.subject));
}

/** What the refusal says: the field, and the workflow to use (“办园状态只能通过停办/撤销申报变更”). */
export function governedMessage(rule: GovernedField): string {
  const label = fieldLabel(rule.field, rule.workflow.subject.split('.').pop());
  const template = rule.workflow.governs?.message ?? `{label}只能通过${rule.workflow.governs?.via ?? rule.workflow.name}变更`;
  return template.replace('{label}', label);
}

/** Whether the stored record meets the workflow's `when` (no `when`: always; a new record meets no `when`). */
function ruleHolds(rule: GovernedField, existing: Record<string, any> | null): boolean {
  const when = rule.workflow.governs?.when;
  if (!when) return true;
  if (!existing) return false;
  return Object.entries(when).every(([field, condition]) => {
    const value = existing[field];
    if (condition && typeof condition === 'object' && '$notNull' in condition) return (value !== null && value !== undefined && value !== '') === Boolean((condition as any).$notNull);
    return value === condition;
  });
}

const normal = (value: unknown) =>
  value === undefined || value === null || value === '' ? null : typeof value === 'object' ? JSON.stringify(value) : String(value).trim();

/**
 * The governed fields that `data` would change. Values sent unchanged (the panel's edit form sends
 * the whole record) are no change; a child's key fields are compared as its own rules compare them
 * (an ID number in another spelling is the same number).
 */
function changedGoverned(strapi: Core.Strapi, uid: string, rules: GovernedField[], data: Record<string, any>, existing: Record<string, any> | null): GovernedField[] {
  const keyChanged = uid === CHILD && existing ? new Set(changedKeyFields(strapi, data, existing)) : null;
  return rules.filter((rule) => {
    if (!(rule.field in data) || !ruleHolds(rule, existing)) return false;
    if (keyChanged && rule.workflow.fields.includes(rule.field)) return keyChanged.has(rule.field);
    if (existing) return normal(data[rule.field]) !== normal(existing[rule.field]);
    // a new record: only the default value (or none) may be given
    const fallback = (strapi.contentType(uid as any) as any)?.attributes?.[rule.field]?.default;
    return normal(data[rule.field]) !== normal(fallback);
  });
}

/** Whether the write under way is a workflow's own effect (the approval engine's system work, or a child's approved key change). */
function applyingWorkflow(strapi: Core.Strapi): boolean {
  return runningAsSystem(strapi) || applyingKeyChangeNow();
}

/**
 * Every field a workflow governs changes only through that workflow (config/workflows.json
 * `governs`): a user's direct create or update that would change one is refused with 400, naming
 * the field and the workflow to use. The workflow's own effect (cms/src/api/request apply, the
 * lifecycle service) writes them. Writes without a user (jobs, scripts, bootstrap) are held only
 * where the workflow says `governs.system` (a registered child's key fields).
 */
export function governedFieldsMiddleware(strapi: Core.Strapi) {
  return async (context: any, next: () => Promise<unknown>) => {
    if (!['create', 'update'].includes(context.action) || !governedSubjects().has(context.uid)) return next();
    const data = context.params?.data;
    if (!data || typeof data !== 'object' || applyingWorkflow(strapi)) return next();
    const user = actingUser(strapi);
    const rules = governedFieldsOf(context.uid).filter((rule) => (user || rule.workflow.governs?.system) && rule.field in data);
    if (!rules.length) return next();
    const existing = context.action === 'update' && context.params.documentId
      ? await strapi.db.query(context.uid).findOne({ where: { documentId: context.params.documentId } })
      : null;
    if (context.action === 'update' && !existing) return next();
    const changed = changedGoverned(strapi, context.uid, rules, data, existing);
    if (changed.length) throw fieldsError(changed.map((rule) => ({ field: rule.field, message: governedMessage(rule) })));
    return next();
  };
}

/**
 * The values an approved request of `wf` writes onto its subject (config/workflows.json `sets`):
 * an approved 停办 declaration sets the kindergarten's status to suspended, a 撤销 one to closed.
 */
export function approvedSets(wf: Workflow, proposed: Record<string, unknown> | null | undefined): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [field, { from, values }] of Object.entries(wf.sets ?? {})) {
    const key = proposed?.[from];
    if (typeof key === 'string' && Object.prototype.hasOwnProperty.call(values, key)) result[field] = values[key];
  }
  return result;
}
