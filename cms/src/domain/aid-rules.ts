import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { conflictError, fieldError, fieldsError } from '../utils/validation';
import { codeMessage, codeProblem } from './dictionaries';
import { actingUser, runningAsSystem } from './request-context';
import { staffingConfig } from './staff-rules';

const GRANT = 'api::aid-grant.aid-grant';
const DISBURSEMENT = 'api::aid-disbursement.aid-disbursement';
const CHILD = 'api::child.child';
const UNIQUE_VIOLATIONS = new Set(['23505', 'SQLITE_CONSTRAINT_UNIQUE']);

export function isUniqueViolation(error: any, index: string, columns: string): boolean {
  const code = error?.code ?? error?.cause?.code;
  const text = `${error?.constraint ?? ''} ${error?.message ?? ''}`;
  return UNIQUE_VIOLATIONS.has(code) && (text.includes(index) || text.includes(columns));
}

/** Term of a grant or payment: YYYY-1 (spring) or YYYY-2 (autumn), config/staffing.json aid.termPattern. */
export function checkTerm(term: unknown, field = 'term') {
  if (typeof term !== 'string' || !new RegExp(staffingConfig().aid.termPattern).test(term)) throw fieldError(field, '学期格式须为 YYYY-1（春季）或 YYYY-2（秋季）');
}

/** A whole number of 元, at least 1 and at most `max`. */
export function checkAmount(amount: unknown, field = 'amount', max = staffingConfig().aid.maxAmount): number {
  const value = Number(amount);
  if (!Number.isInteger(value) || value < 1) throw fieldError(field, '金额须为不小于 1 的整数（元）');
  if (value > max) throw fieldError(field, `金额不能超过 ${max} 元`);
  return value;
}

/** The proposal of an aid application (workflow aid-application): category, term, amount. */
export function checkAidProposal(proposed: Record<string, any>) {
  const problems: { field: string; message: string }[] = [];
  const categoryProblem = codeProblem('aidCategory', proposed.category);
  if (categoryProblem) problems.push({ field: 'category', message: codeMessage('资助类别', categoryProblem) });
  try { checkTerm(proposed.term); } catch (e: any) { problems.push({ field: 'term', message: e.message }); }
  try { proposed.amount = checkAmount(proposed.amount); } catch (e: any) { problems.push({ field: 'amount', message: e.message }); }
  if (problems.length) throw fieldsError(problems);
}

/**
 * Aid grants are made only by the approval of an aid application (the engine applies it as the
 * reviewer) and disbursements only by the aid service: no user creates or edits them directly, so
 * approved and paid amounts cannot be typed in. A second grant for one child and term is a 409.
 */
export function aidRulesMiddleware(strapi: Core.Strapi) {
  return async (context: any, next: () => Promise<unknown>) => {
    if (context.uid !== GRANT && context.uid !== DISBURSEMENT) return next();
    if (!['create', 'update', 'delete'].includes(context.action)) return next();
    const system = !actingUser(strapi) || runningAsSystem(strapi);
    if (!system) throw new errors.ForbiddenError('资助批准与发放记录只能通过资助申请审核和发放登记产生');
    if (context.uid === DISBURSEMENT || context.action !== 'create') return next();
    const data = context.params?.data ?? {};
    if (data.amount !== undefined && data.approvedAmount === undefined) data.approvedAmount = data.amount;
    delete data.amount;
    checkAidProposal({ category: data.category, term: data.term, amount: data.approvedAmount });
    const child = data.childId ? await strapi.db.query(CHILD).findOne({ where: { documentId: data.childId }, select: ['name'] }) : null;
    if (!child) throw fieldError('childId', '幼儿不存在');
    data.childName = child.name;
    data.disbursedAmount = 0;
    try {
      return await next();
    } catch (error) {
      if (isUniqueViolation(error, 'aid_grants__child_id_term__unique', 'aid_grants.child_id')) throw conflictError(`该幼儿 ${data.term} 学期已获批资助，不能重复批准`, ['term']);
      throw error;
    }
  };
}
