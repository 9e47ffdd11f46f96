import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { actionsFor, transition, workflow, type Step, type TransitionContext, type Workflow } from '../../../domain/workflows';
import { PROPOSAL_CHECKS } from '../../../domain/proposal-checks';
import { addWorkingDays, localDate } from '../../../domain/working-days';
import { OPEN_STATES, pendingFields } from '../../../domain/subject-locks';
import { checkKindergartenData } from '../../../domain/kindergarten-rules';
import { approvedSets } from '../../../domain/governed-fields';
import { runAsSystem } from '../../../domain/request-context';
import { codeMessage, codeProblem, entry } from '../../../domain/dictionaries';
import { levelOf } from '../../../domain/levels';
import { fieldLabel } from '../../../domain/messages';
import { conflictError, fieldError } from '../../../utils/validation';
import { checkStaffData } from '../../../domain/staff-rules';
import { verifyUploads } from '../../../security/upload-content';
import { assertAllowed } from '../../../security/can';

const REQUEST = 'api::request.request';
/** The states in which a reviewer decides. */
export const DECIDABLE = ['submitted', 'resubmitted'];
const DECISIONS = ['approve', 'reject', 'return'] as const;
type Decision = (typeof DECISIONS)[number];

export type Actor = { id: number; username: string; fullName?: string; level?: string; role?: { id?: number } | null };
type Input = { type?: string; subjectId?: string; changes?: Record<string, unknown>; reason?: string };

/** Subject rules reused on submission, so a bad value is refused when proposed, not when approved. */
const SUBJECT_CHECKS: Record<string, (strapi: Core.Strapi, data: Record<string, any>, documentId: string) => Promise<void>> = {
  'api::kindergarten.kindergarten': checkKindergartenData,
  'api::staff.staff': checkStaffData,
};

/**
 * The one approval mechanism (docs/kindergartens-and-approvals.md). A request proposes changes to a subject
 * record; its workflow (config/workflows.json) says which fields, who submits, who reviews and by
 * when (working days). States: submitted → returned → resubmitted → approved | rejected; every
 * step is kept in the history with who, when and why. A decision and its effect on the subject are
 * written in one transaction, guarded by the request's version: of two reviewers deciding at once,
 * exactly one succeeds and the other gets 409.
 */
const requestService = ({ strapi }: { strapi: Core.Strapi }) => ({
  workflowOf(type: unknown): Workflow {
    const found = workflow(type);
    if (!found) throw fieldError('type', '申请类型不存在');
    return found;
  },

  actorName(actor: Actor) {
    return actor.fullName || actor.username;
  },

  historyEntry(actor: Actor, action: Step, comment?: string) {
    return { action, actorId: actor.id, actorName: this.actorName(actor), level: actor.level, at: new Date().toISOString(), comment: comment ?? null };
  },

  /** Picks and checks the proposed values; returns them with the subject's current values. */
  async proposal(wf: Workflow, subject: Record<string, any>, changes: Record<string, unknown> | undefined, exceptRequest?: number) {
    if (!changes || typeof changes !== 'object') throw fieldError('changes', '请填写申请内容');
    const unknown = Object.keys(changes).filter((field) => !wf.fields.includes(field));
    if (unknown.length) throw fieldError(unknown[0], `${fieldLabel(unknown[0], 'request')}不能通过此类申请修改`);
    const proposed: Record<string, any> = Object.fromEntries(Object.entries(changes).map(([k, v]) => [k, typeof v === 'string' ? v.trim() : v]));
    const previous: Record<string, any> = {};
    if (wf.apply === 'update') {
      for (const field of Object.keys(proposed)) {
        if (String(proposed[field] ?? '') === String(subject[field] ?? '')) delete proposed[field];
        else previous[field] = subject[field] ?? null;
      }
    }
    for (const field of wf.required) {
      const value = proposed[field] ?? (wf.apply === 'update' ? subject[field] : undefined);
      if (value === undefined || value === null || value === '') throw fieldError(field, `${fieldLabel(field, wf.apply === 'update' ? wf.subject.split('.').pop() : 'request')}必填`);
    }
    if (Object.keys(proposed).length === 0) throw fieldError('changes', '没有需要变更的内容');
    // the workflow's named validators (config/workflows.json checks: cms/src/domain/proposal-checks.ts)
    for (const check of wf.checks ?? []) await PROPOSAL_CHECKS[check](proposed, { strapi, workflow: wf, subjectId: subject.documentId, exceptRequest });
    if (wf.apply === 'update') {
      await SUBJECT_CHECKS[wf.subject]?.(strapi, { ...proposed }, subject.documentId);
      const pending = await pendingFields(strapi, subject.documentId, exceptRequest);
      const clashing = Object.keys(proposed).filter((field) => pending.has(field));
      if (clashing.length) throw conflictError('这些字段已有待审核的变更申请', clashing);
    }
    return { proposed, previous };
  },

  /**
   * The subject's own bookkeeping at each step: a transition of its state machine (config/workflows.json
   * subjectTransitions, e.g. a problem record's), or plain field updates (subjectUpdates, e.g. its registration state).
   */
  async setSubjectState(wf: Workflow, subjectId: string, step: Step, actor?: Actor) {
    const action = wf.subjectTransitions?.[step];
    if (wf.subjectMachine && action) {
      const record = await strapi.db.query(wf.subject as any).findOne({ where: { documentId: subjectId } });
      await transition(strapi, { machine: wf.subjectMachine, action, actor, record });
      return;
    }
    const updates = wf.subjectUpdates?.[step];
    if (!updates) return;
    const data = { ...updates, ...('resolution' in updates ? { resolvedAt: new Date() } : {}) };
    await strapi.db.query(wf.subject as any).update({ where: { documentId: subjectId }, data });
  },

  async submit(actor: Actor, input: Input) {
    const wf = this.workflowOf(input?.type);
    if (!wf.submitters.includes(actor.level ?? '')) throw new errors.ForbiddenError('无权提交此类申请');
    const subject = input.subjectId ? await strapi.documents(wf.subject as any).findOne({ documentId: String(input.subjectId) }) : null;
    if (!subject) throw fieldError('subjectId', '申请对象不存在或不在管辖范围内');
    const { proposed, previous } = await this.proposal(wf, subject, input.changes);
    const today = localDate();
    const created = await strapi.db.transaction(async () => {
      const request = await strapi.documents(REQUEST).create({
        data: {
          type: wf.key,
          subjectUid: wf.subject,
          subjectId: subject.documentId,
          subjectName: subject.name ?? null,
          countyCode: subject.countyCode,
          institutionCode: subject.code ?? subject.institutionCode ?? null,
          proposed,
          previous,
          reason: input.reason ?? null,
          state: 'submitted',
          reviewerLevel: wf.reviewer,
          dueAt: addWorkingDays(today, wf.dueWorkingDays),
          submittedById: actor.id,
          submittedByName: this.actorName(actor),
          submittedAt: new Date(),
          history: [this.historyEntry(actor, 'submit', input.reason)],
          version: 1,
        } as any,
      });
      await this.setSubjectState(wf, subject.documentId, 'submit', actor);
      return request;
    });
    return this.get(created.documentId, actor);
  },

  /** Loads a request inside the caller's reach (404 outside), with its evidence. */
  async load(documentId: string) {
    const request = await strapi.documents(REQUEST).findOne({ documentId, populate: ['evidence'] });
    if (!request) throw new errors.NotFoundError('Not Found');
    return request as any;
  },

  async get(documentId: string, actor?: Actor) {
    const request = await this.load(documentId);
    return this.present(request, (await this.actionsOf([request], actor))[0]);
  },

  /** The request routes the caller's role may call (users-permissions, through the cached lookup the route check uses). */
  async routesOf(actor?: Actor): Promise<Set<string>> {
    if (!actor?.role?.id) return new Set();
    const rows: { action: string }[] = await strapi.plugin('users-permissions').service('permission').findRolePermissions(actor.role.id);
    return new Set(rows.map((row) => row.action).filter((action) => action.startsWith(`${REQUEST}.`)).map((action) => action.slice(REQUEST.length + 1)));
  },

  /**
   * What the caller may do with this request now: the transitions of the request machine
   * (config/transitions.json) the one engine allows (state, actor rule, permission), and adding
   * evidence while the request is open, for its submitters holding the route. The panel shows these
   * buttons and no others.
   */
  async actionsOf(requests: any[], actor?: Actor): Promise<string[][]> {
    if (!actor?.level) return requests.map(() => []);
    const allowed = await actionsFor(strapi, 'request', actor, requests);
    const evidence = (await this.routesOf(actor)).has('addEvidence');
    return requests.map((request, i) => {
      const wf = workflow(request.type);
      const canAdd = evidence && wf && OPEN_STATES.includes(request.state) && wf.submitters.includes(actor.level ?? '');
      return [...allowed[i], ...(canAdd ? ['evidence'] : [])];
    });
  },

  /** A reviewer's decision: the request machine's approve, reject or return (config/transitions.json), through the one transition(). */
  async decide(actor: Actor, documentId: string, decision: Decision, input: { comment?: string; version?: number } = {}) {
    if (!DECISIONS.includes(decision)) throw new errors.NotFoundError('Not Found');
    const request = await this.load(documentId);
    this.workflowOf(request.type);
    await transition(strapi, { machine: 'request', action: decision, actor, record: request, input: { comment: typeof input.comment === 'string' ? input.comment : '', version: input.version } });
    return this.get(documentId, actor);
  },

  /** The effect of a decision (config/transitions.json request.approve|reject|return): an approval's effect, then the subject's own step. */
  async decided(ctx: TransitionContext) {
    const wf = this.workflowOf(ctx.record.type);
    if (ctx.action === 'approve') await this.apply(wf, ctx.record, ctx.actor as Actor);
    await this.setSubjectState(wf, ctx.record.subjectId, ctx.action as Step, ctx.actor as Actor);
  },

  /**
   * Writes an approved request's effect, through the document service so the subject's rules hold.
   * Where the workflow names an effectPermission (config/workflows.json), the reviewer must hold it
   * in the permission matrix (cms/src/security/can.ts), inside the decision's transaction: a refusal
   * leaves the request as it was.
   */
  async apply(wf: Workflow, request: any, actor?: Actor) {
    if (wf.effectPermission) await assertAllowed(strapi, actor, wf.effectPermission);
    await runAsSystem(strapi, `request.apply ${wf.key ?? request.type} ${request.documentId}`, async () => {
      if (wf.effect) {
        // a named effect (config/workflows.json effect: '<service uid>#<method>')
        const [uid, method] = wf.effect.split('#');
        await (strapi.service(uid as any) as any)[method](wf, request, actor);
      } else if (wf.apply === 'update') {
        await strapi.documents(wf.subject as any).update({ documentId: request.subjectId, data: { ...request.proposed } });
      } else if (wf.apply === 'create' && wf.target) {
        await strapi.documents(wf.target as any).create({
          data: { ...request.proposed, ...(wf.subjectField ? { [wf.subjectField]: request.subjectId } : {}), institutionCode: request.institutionCode, countyCode: request.countyCode, approvedAt: new Date() },
        });
      }
      // the fields the approval writes onto its subject (config/workflows.json sets: a 停办/撤销 declaration's status)
      const sets = approvedSets(wf, request.proposed);
      if (Object.keys(sets).length) await strapi.documents(wf.subject as any).update({ documentId: request.subjectId, data: sets });
    });
  },

  async resubmit(actor: Actor, documentId: string, input: Input & { version?: number }) {
    const request = await this.load(documentId);
    this.workflowOf(request.type);
    await transition(strapi, { machine: 'request', action: 'resubmit', actor, record: request, input: { ...input, comment: undefined } });
    return this.get(documentId, actor);
  },

  /** Check of request.resubmit: the proposal (as sent, or as it was) checked again; its values written with the move. */
  async checkResubmission(ctx: TransitionContext) {
    const request = ctx.record;
    const wf = this.workflowOf(request.type);
    const subject = await strapi.documents(wf.subject as any).findOne({ documentId: request.subjectId });
    if (!subject) throw new errors.NotFoundError('Not Found');
    const { proposed, previous } = await this.proposal(wf, subject, ctx.input.changes ?? request.proposed, request.id);
    Object.assign(ctx.data, { proposed, previous, reason: ctx.input.reason ?? request.reason, dueAt: addWorkingDays(localDate(), wf.dueWorkingDays) });
  },

  /** The effect of request.resubmit: the subject's own step. */
  async resubmitted(ctx: TransitionContext) {
    await this.setSubjectState(this.workflowOf(ctx.record.type), ctx.record.subjectId, 'resubmit', ctx.actor as Actor);
  },

  /**
   * Approves each request in turn; one that fails is reported, the others still go through.
   * Its route has an action of its own (api::request.request.bulkApprove), outside the permission
   * matrix's 审核 cell: the approve permission is asked here (cms/src/security/can.ts).
   */
  async bulkApprove(actor: Actor, ids: unknown, comment?: string) {
    await assertAllowed(strapi, actor, 'api::request.request.approve');
    if (!Array.isArray(ids) || ids.length === 0) throw fieldError('ids', '请选择要通过的申请');
    const approved: string[] = [];
    const failed: { id: string; message: string }[] = [];
    for (const id of ids.map(String)) {
      try {
        await this.decide(actor, id, 'approve', { comment });
        approved.push(id);
      } catch (error: any) {
        failed.push({ id, message: error?.message ?? '处理失败' });
      }
    }
    return { approved, failed };
  },

  async addEvidence(actor: Actor, documentId: string, files: any) {
    const request = await this.load(documentId);
    const wf = this.workflowOf(request.type);
    if (!wf.submitters.includes(actor.level ?? '')) throw new errors.ForbiddenError('无权上传此申请的佐证材料');
    if (!OPEN_STATES.includes(request.state)) throw conflictError('申请已处理，不能再上传佐证材料');
    // checked by content, stored under a generated name (cms/src/security/upload-content.ts)
    const list = verifyUploads(files, 'evidence');
    if (list.length === 0) throw fieldError('files', '请选择要上传的文件');
    await strapi.plugin('upload').service('upload').upload({ data: { ref: REQUEST, refId: request.id, field: 'evidence' }, files: list });
    return this.get(documentId, actor);
  },

  isOverdue(request: { state: string; dueAt?: string | null }, today = localDate()) {
    return DECIDABLE.includes(request.state) && Boolean(request.dueAt) && String(request.dueAt) < today;
  },

  /** A proposed or previous value as shown: ID numbers (a child's key change) only masked, to every level. */
  shown(field: string, value: unknown) {
    if (field !== 'idNumber' || typeof value !== 'string' || !value) return value;
    return strapi.plugin('student-id').service('identity').maskIdNumber(value);
  },

  /** The shape the panel shows: changes as field / label / from / to, overdue flag, names. */
  present(request: any, actions: string[] = []) {
    const wf = workflow(request.type);
    const resource = wf?.apply === 'update' ? wf.subject.split('.').pop() : 'request';
    return {
      id: request.documentId,
      type: request.type,
      typeName: wf?.name ?? request.type,
      // a notice, not a review (config/workflows.json notice): the proposed kind's entry says review false
      notice: wf?.notice ? entry(wf.notice.dictionary, request.proposed?.[wf.notice.field])?.review === false : false,
      subjectId: request.subjectId,
      subjectName: request.subjectName,
      countyCode: request.countyCode,
      institutionCode: request.institutionCode,
      state: request.state,
      changes: Object.entries(request.proposed ?? {}).map(([field, to]) => ({ field, label: fieldLabel(field, resource), from: this.shown(field, request.previous?.[field] ?? null), to: this.shown(field, to) })),
      reason: request.reason,
      dueAt: request.dueAt,
      overdue: this.isOverdue(request),
      reviewerLevel: request.reviewerLevel,
      submittedByName: request.submittedByName,
      submittedAt: request.submittedAt,
      decidedAt: request.decidedAt,
      decidedByName: request.decidedByName,
      history: (request.history ?? []).map(({ actorId, ...step }) => step),
      evidence: (request.evidence ?? []).map((file) => ({ id: file.documentId, name: file.name, url: file.url, mime: file.mime, size: file.size })),
      version: request.version,
      actions,
    };
  },

  /** A page of requests in reach; filters: state, type, subjectId, overdue, q. */
  async list(query: { filters?: Record<string, any>; sort?: any; pagination?: { start?: any; limit?: any } }, actor?: Actor) {
    const filters = query.filters ?? {};
    const conditions: Record<string, unknown>[] = [];
    const plain = (value: any) => (value && typeof value === 'object' && !Array.isArray(value) ? value.$eq ?? value.$in ?? value : value);
    for (const field of ['state', 'type', 'subjectId', 'institutionCode', 'countyCode']) {
      const value = plain(filters[field]);
      if (value !== undefined && value !== '') conditions.push({ [field]: Array.isArray(value) ? { $in: value } : { $eq: value } });
    }
    const documentIds = plain(filters.documentId);
    if (documentIds) conditions.push({ documentId: Array.isArray(documentIds) ? { $in: documentIds } : { $eq: documentIds } });
    if (String(plain(filters.overdue)) === 'true') conditions.push({ state: { $in: DECIDABLE }, dueAt: { $lt: localDate() } });
    if (filters.q) conditions.push({ $or: [{ subjectName: { $containsi: String(plain(filters.q)) } }, { institutionCode: { $startsWith: String(plain(filters.q)) } }] });
    const start = Math.max(0, Number(query.pagination?.start) || 0);
    const limit = Math.min(200, Math.max(1, Number(query.pagination?.limit) || 25));
    const sort = typeof query.sort === 'string' && /^[a-zA-Z]+:(asc|desc)$/.test(query.sort) ? query.sort : 'submittedAt:desc';
    const params = { filters: conditions.length ? { $and: conditions } : {}, sort };
    const [rows, total] = await Promise.all([
      strapi.documents(REQUEST).findMany({ ...params, start, limit, populate: ['evidence'] } as any),
      strapi.documents(REQUEST).count(params as any),
    ]);
    const actions = await this.actionsOf(rows, actor);
    return { data: rows.map((row, i) => this.present(row, actions[i])), meta: { pagination: { start, limit, total } } };
  },

  /** Open and overdue requests per county in reach (prefecture and province see who lags). */
  async overdueSummary() {
    const rows = await strapi.documents(REQUEST).findMany({ filters: { state: { $in: DECIDABLE } }, fields: ['countyCode', 'state', 'dueAt'] } as any);
    const today = localDate();
    const byCounty = new Map<string, { open: number; overdue: number }>();
    for (const row of rows as any[]) {
      const counts = byCounty.get(row.countyCode) ?? { open: 0, overdue: 0 };
      counts.open += 1;
      if (this.isOverdue(row, today)) counts.overdue += 1;
      byCounty.set(row.countyCode, counts);
    }
    const regions = await strapi.db.query('api::region.region').findMany({ where: { code: { $in: [...byCounty.keys()] } }, select: ['code', 'name'] });
    const names = new Map(regions.map((r) => [r.code, r.name]));
    return {
      byCounty: [...byCounty.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([countyCode, counts]) => ({ countyCode, countyName: names.get(countyCode) ?? countyCode, ...counts })),
    };
  },
});

export type RequestService = ReturnType<typeof requestService>;
export default requestService;
