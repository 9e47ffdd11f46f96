import type { Core } from '@strapi/strapi';
import { codeMessage, codeProblem } from './dictionaries';
import { localDate } from './working-days';
import { checkAidProposal } from './aid-rules';
import { conflictError, fieldError } from '../utils/validation';
import { OPEN_STATES } from './subject-locks';
import type { Workflow } from './workflows';

const REQUEST = 'api::request.request';

export type ProposalCheck = (proposed: Record<string, any>, context: { strapi: Core.Strapi; workflow: Workflow; subjectId: string; exceptRequest?: number }) => void | Promise<void>;

/**
 * The named validators of proposed values a workflow declares (config/workflows.json `checks`),
 * beyond the subject's own rules: each workflow's own code, referenced by name, run by the one
 * approval mechanism (cms/src/api/request/services/request.ts) on submission and resubmission.
 */
export const PROPOSAL_CHECKS: Record<string, ProposalCheck> = {
  /** A financial aid application: category, term and amount (cms/src/domain/aid-rules.ts). */
  'aid-proposal': (proposed) => checkAidProposal(proposed),
  /** A report's year: a whole number from 2000 to this year. */
  'report-year': (proposed) => {
    const year = Number(proposed.year);
    if (!Number.isInteger(year) || year < 2000 || year > new Date().getFullYear()) throw fieldError('year', '年度须为 2000 年至今的整数');
    proposed.year = year;
  },
  /** One open request of the workflow per subject and year. */
  'one-open-per-year': async (proposed, { strapi, workflow, subjectId, exceptRequest }) => {
    const open = await strapi.db.query(REQUEST).findMany({
      where: { subjectId, type: workflow.key, state: { $in: OPEN_STATES }, ...(exceptRequest ? { id: { $ne: exceptRequest } } : {}) },
      select: ['proposed'],
    });
    if (open.some((r) => Number(r.proposed?.year) === proposed.year)) throw conflictError(`${proposed.year} 年度报告已有待审核的申请`, ['year']);
  },
  /** A declaration of change: its kind from the declarationKind table, its date not after today. */
  'declaration-kind': (proposed) => {
    const kindProblem = codeProblem('declarationKind', proposed.kind);
    if (kindProblem) throw fieldError('kind', codeMessage('异动类型', kindProblem));
    if (!/^\d{4}-\d{2}-\d{2}$/.test(String(proposed.occurredOn)) || String(proposed.occurredOn) > localDate()) {
      throw fieldError('occurredOn', '发生日期须为不晚于今天的日期');
    }
  },
};
