import { readDomainConfig } from '../runtime/paths';
import { calendar } from './working-days';

export type Step = 'submit' | 'resubmit' | 'return' | 'approve' | 'reject';

export type Workflow = {
  key: string;
  name: string;
  nameEn: string;
  subject: string;
  fields: string[];
  required: string[];
  submitters: string[];
  reviewer: string;
  dueWorkingDays: number;
  apply: 'update' | 'create' | 'none';
  target?: string;
  /** apply 'create': the target's field that receives the subject's documentId (e.g. an aid grant's childId). */
  subjectField?: string;
  /** A service uid whose applyApproved(workflow, request) writes the approval's effect instead of `apply` (e.g. the 学籍 lifecycle). */
  effect?: string;
  /** The users-permissions action the reviewer must hold for the effect to be written (cms/src/security/can.ts). */
  effectPermission?: string;
  evidence?: boolean;
  subjectUpdates?: Partial<Record<Step, Record<string, unknown>>>;
  /** Fields of the subject an approval writes, each from a proposed value through a table (a declaration's kind → the status). */
  sets?: Record<string, { from: string; values: Record<string, unknown> }>;
  /** The subject's fields that change only through this workflow (cms/src/domain/governed-fields.ts). */
  governs?: Governance;
};

export type Governance = {
  fields?: string[];
  when?: Record<string, unknown>;
  via?: string;
  message?: string;
  /** The rule holds for writes without a user too (jobs, scripts), not only for users' requests. */
  system?: boolean;
};

let cached: Record<string, Workflow> | undefined;
let withDeadlines: { deadlines: Record<string, number>; workflows: Record<string, Workflow> } | undefined;

/** The workflow declarations of config/workflows.json, as declared. */
export function declaredWorkflows(): Record<string, Workflow> {
  if (!cached) {
    const { $comment, ...declared } = readDomainConfig<Record<string, any>>('workflows.json');
    cached = Object.fromEntries(Object.entries(declared).map(([key, value]) => [key, { required: [], ...value, key } as Workflow]));
  }
  return cached;
}

/** The workflows in force: review deadlines edited by the province (calendar reviewDeadlines) over the declared ones. */
export function workflows(): Record<string, Workflow> {
  const deadlines = calendar().reviewDeadlines ?? {};
  if (withDeadlines?.deadlines === deadlines) return withDeadlines.workflows;
  const result = Object.fromEntries(Object.entries(declaredWorkflows()).map(([key, wf]) =>
    [key, typeof deadlines[key] === 'number' ? { ...wf, dueWorkingDays: deadlines[key] } : wf]));
  withDeadlines = { deadlines, workflows: result };
  return result;
}

export function workflow(key: unknown): Workflow | undefined {
  return typeof key === 'string' ? workflows()[key] : undefined;
}

/** The content types that workflows change; their fields under review are locked. */
export function subjectTypes(): Set<string> {
  return new Set(Object.values(workflows()).map((w) => w.subject));
}

/** The subject's fields a workflow governs (config/workflows.json `governs`): its own, by default those it sets, else its proposable fields. */
export function governedFields(wf: Workflow): string[] {
  if (!wf.governs) return [];
  return wf.governs.fields ?? (wf.sets ? Object.keys(wf.sets) : wf.fields);
}

/** Key fields: those a workflow both lets a user propose and governs (the key-change workflows' fields). */
export function keyFields(subject: string): string[] {
  return Object.values(declaredWorkflows()).filter((w) => w.subject === subject).flatMap((w) => governedFields(w).filter((field) => w.fields.includes(field)));
}
