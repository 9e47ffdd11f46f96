import { placeName } from '../../../domain/messages';
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { conflictError, fieldError, fieldsError } from '../../../utils/validation';
import { codeMessage, codeProblem, entry } from '../../../domain/dictionaries';
import { actingUser } from '../../../domain/request-context';
import { KEY_FIELDS, applyingKeyChange } from '../../../domain/child-rules';
import { transition, type TransitionContext, type Workflow } from '../../../domain/workflows';
import { verifyUploads } from '../../../security/upload-content';
import type { RequestService } from '../../request/services/request';
import { assertAllowed } from '../../../security/can';
import {
  CHILD, CHILD_EVENT, CLOSED, IN_SCHOOL, KINDERGARTEN, SCHOOL_CLASS,
  type Actor, type EventInput, dueDate, gradeStep, inWindow, nextSchoolYear, today, windowOf, writeEvent, writeEvents,
} from '../../../domain/lifecycle';

const REQUEST = 'api::request.request';
const DATE = /^\d{4}-\d{2}-\d{2}$/;

type Input = Record<string, any>;

/**
 * The 学籍 lifecycle (docs/domain.md §5): one function per step, each writing the child's change and
 * its event (cms/src/domain/lifecycle.ts) in one transaction. The child's status changes (离园, 意外离园,
 * 恢复, 毕业) are transitions of the machine `child` (config/transitions.json), applied by the one
 * transition() of cms/src/domain/workflows.ts; the checks and effects they name are methods here. Transitions that need a decision
 * go through the approval engine (config/workflows.json: child-key-change, child-restoration,
 * kindergarten-promotion, kindergarten-graduation), whose approval calls applyApproved here.
 * Only the child's own kindergarten acts; every child or kindergarten is loaded inside the caller's
 * reach (404 outside).
 */
const lifecycleService = ({ strapi }: { strapi: Core.Strapi }) => {
  const requests = () => strapi.service('api::request.request') as unknown as RequestService;
  const identity = () => strapi.plugin('student-id').service('identity');
  const duplicates = () => strapi.plugin('dup-check').service('duplicates');

  const ensureInstitution = (user: Actor) => {
    if (user?.level !== 'institution') throw new errors.ForbiddenError('学籍变动由幼儿所在园办理');
  };

  /** The child in reach (404 outside), as stored, with its class. */
  /**
   * A lifecycle action the kindergarten applies at once writes the child's record (class, status)
   * beside the document service: it asks the form's permission, 幼儿学籍 × 修改 (and 班级 × 修改 for a
   * promotion, which moves classes up), by the permission matrix (cms/src/security/can.ts).
   * Applied as an approval's effect, the workflow's reviewer decided (config/workflows.json).
   */
  const CHILD_UPDATE = 'api::child.child.update';
  const CLASS_UPDATE = 'api::school-class.school-class.update';

  const loadChild = async (documentId: string) => {
    const visible = documentId ? await strapi.documents(CHILD).findOne({ documentId, fields: ['documentId'] } as any) : null;
    if (!visible) throw new errors.NotFoundError('Not Found');
    return strapi.db.query(CHILD).findOne({ where: { documentId }, populate: { schoolClass: { select: ['id', 'documentId', 'name', 'grade', 'schoolYear'] } } }) as Promise<any>;
  };

  const loadKindergarten = async (documentId: string) => {
    const found = documentId ? await strapi.documents(KINDERGARTEN).findOne({ documentId } as any) : null;
    if (!found) throw new errors.NotFoundError('Not Found');
    return found as any;
  };

  const classSnapshot = (child: any) => ({ status: child.status, className: child.schoolClass?.name ?? null, grade: child.schoolClass?.grade ?? null });

  const checkDate = (field: string, value: unknown, label: string) => {
    if (typeof value !== 'string' || !DATE.test(value) || Number.isNaN(Date.parse(value))) throw fieldError(field, `${label}须为 YYYY-MM-DD 格式的日期`);
    if (value > today()) throw fieldError(field, `${label}不能晚于今天`);
    return value;
  };

  const openRequest = async (type: string, subjectId: string) =>
    strapi.db.query(REQUEST).findOne({ where: { type, subjectId, state: { $in: ['submitted', 'returned', 'resubmitted'] } }, select: ['documentId'] });

  return {
    /** 分班 / 调班: into a class that exists, of the child's own kindergarten. */
    async place(user: Actor, childId: string, input: Input) {
      ensureInstitution(user);
      await assertAllowed(strapi, user, CHILD_UPDATE);
      const child = await loadChild(childId);
      if (!IN_SCHOOL.includes(child.status)) throw conflictError('该幼儿不在园，不能分班或调班', ['status']);
      const classId = typeof input.schoolClass === 'string' ? input.schoolClass : input.classId;
      const target: any = classId ? await strapi.documents(SCHOOL_CLASS).findOne({ documentId: String(classId), populate: ['kindergarten'] } as any) : null;
      if (!target?.kindergarten) throw fieldError('schoolClass', '班级不存在：请先建立班级，再为幼儿分班');
      if (target.kindergarten.code !== child.institutionCode) throw fieldError('schoolClass', '只能分到本园的班级；到其他幼儿园请走转园流程');
      if (child.schoolClass?.id === target.id) throw fieldError('schoolClass', '幼儿已在该班级');
      const type = child.schoolClass ? 'class-move' : 'placement';
      await strapi.db.transaction(async () => {
        await strapi.db.query(CHILD).update({ where: { id: child.id }, data: { schoolClass: target.id } });
        await writeEvent(strapi, {
          type, child, actor: user, reason: input.reason ?? null,
          before: classSnapshot(child),
          after: { status: child.status, className: target.name, grade: target.grade },
        });
      });
      return { id: child.documentId, type, schoolClass: { id: target.documentId, name: target.name, grade: target.grade } };
    },

    /** 离园 with a reason code of the leaveReason table: the 学籍 is closed (status left; child.leave). */
    async leave(user: Actor, childId: string, input: Input) {
      const child = await loadChild(childId);
      await transition(strapi, { machine: 'child', action: 'leave', actor: user, record: child, input: { ...input, comment: undefined } });
      return { id: child.documentId, status: 'left' };
    },

    /** Check of child.leave: the reason code, its explanation, the date. */
    async checkLeaving(ctx: TransitionContext) {
      const { input } = ctx;
      const reasonProblem = codeProblem('leaveReason', input.reasonCode);
      if (reasonProblem) throw fieldError('reasonCode', codeMessage('离园原因', reasonProblem));
      const reason = entry('leaveReason', input.reasonCode)!;
      if (reason.code === 'other' && !String(input.reason ?? '').trim()) throw fieldError('reason', '离园原因为“其他”时须填写说明');
      Object.assign(ctx.stash, { reason, occurredOn: checkDate('occurredOn', input.occurredOn ?? today(), '离园日期') });
    },

    /** Effect of child.leave: the event. */
    async recordLeaving(ctx: TransitionContext) {
      const { record: child, stash: { reason, occurredOn }, input } = ctx;
      await writeEvent(strapi, { type: 'leaving', child, actor: ctx.actor as Actor, reasonCode: reason.code, reason: input.reason ?? reason.name, occurredOn, before: classSnapshot(child), after: { status: 'left' } });
    },

    /**
     * 意外离园 (serious accident, death): recorded with proof within 30 working days of the event
     * (config/calendar.json lifecycleDeadlines); later only with a stated reason for the delay, and
     * flagged late. The 学籍 is cancelled (child.accidental-leave).
     */
    async accidentalLeave(user: Actor, childId: string, input: Input, files: any) {
      const child = await loadChild(childId);
      const ctx = await transition(strapi, { machine: 'child', action: 'accidental-leave', actor: user, record: child, input: { ...input, comment: undefined }, stash: { files } });
      return { id: child.documentId, status: 'cancelled', dueAt: ctx.stash.due, late: ctx.stash.late };
    },

    /** Check of child.accidental-leave: the date, the account, the proofs, the deadline. */
    async checkAccidentalLeave(ctx: TransitionContext) {
      const { input } = ctx;
      const occurredOn = checkDate('occurredOn', input.occurredOn, '事故发生日期');
      if (!String(input.reason ?? '').trim()) throw fieldError('reason', '请填写意外离园的情况说明');
      // checked by content, stored under a generated name (cms/src/security/upload-content.ts)
      const proofs = verifyUploads(ctx.stash.files, 'evidence');
      if (proofs.length === 0) throw fieldError('files', '意外离园须上传证明材料（图片或 PDF）');
      const due = dueDate(occurredOn, 'accidentalLeave');
      const late = today() > due;
      if (late && !String(input.lateReason ?? '').trim()) throw fieldError('lateReason', `已超过 30 个工作日的登记期限（${due}），须填写逾期说明`);
      Object.assign(ctx.stash, { occurredOn, proofs, due, late });
    },

    /** Effect of child.accidental-leave: the event and its proofs. */
    async recordAccidentalLeave(ctx: TransitionContext) {
      const { record: child, input, stash: { occurredOn, proofs, due, late } } = ctx;
      const event = await writeEvent(strapi, {
        type: 'accidental-leave', child, actor: ctx.actor as Actor, occurredOn, late,
        reason: late ? `${input.reason}（逾期说明：${input.lateReason}）` : input.reason,
        before: classSnapshot(child), after: { status: 'cancelled', dueAt: due },
      });
      await strapi.plugin('upload').service('upload').upload({ data: { ref: CHILD_EVENT, refId: event.id, field: 'evidence' }, files: proofs });
    },

    /**
     * 关键信息变更: the guardian's application, entered by the kindergarten with evidence and
     * approved by the kindergarten (workflow child-key-change). The values are checked now (ID
     * validity, agreement with sex and birth date, exact duplicates in the province) and again by
     * the child's rules when approved; the 学籍号 never changes.
     */
    async keyChange(user: Actor, childId: string, input: Input) {
      ensureInstitution(user);
      const child = await loadChild(childId);
      if (!IN_SCHOOL.includes(child.status)) throw conflictError('该幼儿已不在园，不能变更关键信息', ['status']);
      const changes: Record<string, any> = {};
      for (const field of KEY_FIELDS) if (input.changes?.[field] !== undefined) changes[field] = input.changes[field];
      if (['idNumber', 'idType', 'sex', 'birthDate'].some((field) => changes[field] !== undefined)) {
        const type = changes.idType ?? child.idType;
        if (changes.idType !== undefined && !entry('idType', type)) throw fieldError('idType', '身份证件类型不是代码表中的值');
        const number = identity().normalizeIdNumber(changes.idNumber !== undefined ? changes.idNumber : child.idNumber ?? '');
        if (number) {
          const result = identity().validateDocument(type || '1', number);
          if (!result.ok) throw fieldError('idNumber', result.reason);
          changes.idNumber = result.number;
          const mismatches = identity().checkAgainstTyped({ type, number: result.number, sex: changes.sex ?? child.sex, birthDate: changes.birthDate ?? child.birthDate });
          if (mismatches.length) throw fieldsError(mismatches);
          const holder = await duplicates().exactHolder(duplicates().idKey(type || '1', result.number), child.documentId);
          if (holder) throw conflictError(`该证件号码已有学籍，现就读于：${placeName(holder)}`, ['idNumber']);
        }
      }
      if (changes.sex !== undefined && !['male', 'female'].includes(changes.sex)) throw fieldError('sex', '性别须为男或女');
      if (changes.birthDate !== undefined) checkDate('birthDate', changes.birthDate, '出生日期');
      if (changes.name !== undefined && !String(changes.name).trim()) throw fieldError('name', '姓名不能为空');
      return requests().submit(user as any, { type: 'child-key-change', subjectId: child.documentId, changes, reason: input.reason });
    },

    /** 学籍恢复 of a record closed by mistake: an application to the county (workflow child-restoration). */
    async restore(user: Actor, childId: string, input: Input) {
      ensureInstitution(user);
      const child = await loadChild(childId);
      if (!CLOSED.includes(child.status)) throw conflictError('该幼儿的学籍未关闭，无需恢复', ['status']);
      if (await openRequest('child-restoration', child.documentId)) throw conflictError('已有待审核的学籍恢复申请', ['explanation']);
      return requests().submit(user as any, { type: 'child-restoration', subjectId: child.documentId, changes: { explanation: input.explanation }, reason: input.reason ?? input.explanation });
    },

    /** What a bulk promotion or graduation of the kindergarten would do now: classes and children counted. */
    async preview(user: Actor, kindergartenId: string) {
      const kindergarten = await loadKindergarten(kindergartenId);
      const classes = await strapi.db.query(SCHOOL_CLASS).findMany({ where: { kindergarten: { id: kindergarten.id } }, select: ['id', 'documentId', 'name', 'grade', 'schoolYear'] });
      const children = classes.length
        ? await strapi.db.query(CHILD).findMany({ where: { schoolClass: { id: { $in: classes.map((c) => c.id) } }, status: { $in: IN_SCHOOL } }, select: ['id', 'status'], populate: { schoolClass: { select: ['id'] } } })
        : [];
      const perClass = classes.map((c) => {
        const own = children.filter((child) => child.schoolClass?.id === c.id);
        const step = gradeStep(c.grade);
        return { id: c.documentId, name: c.name, grade: c.grade, schoolYear: c.schoolYear, nextGrade: step.next ?? null, graduates: step.graduates, children: own.length, registered: own.filter((x) => x.status === 'registered').length };
      });
      return {
        kindergarten: { id: kindergarten.documentId, name: kindergarten.name, code: kindergarten.code },
        today: today(),
        promotion: { window: windowOf('promotion'), inWindow: inWindow('promotion'), classes: perClass.filter((c) => c.nextGrade).length, children: perClass.filter((c) => c.nextGrade).reduce((n, c) => n + c.children, 0), pendingRequest: (await openRequest('kindergarten-promotion', kindergarten.documentId))?.documentId ?? null },
        graduation: { window: windowOf('graduation'), inWindow: inWindow('graduation'), classes: perClass.filter((c) => c.graduates).length, children: perClass.filter((c) => c.graduates).reduce((n, c) => n + c.registered, 0), notRegistered: perClass.filter((c) => c.graduates).reduce((n, c) => n + c.children - c.registered, 0), pendingRequest: (await openRequest('kindergarten-graduation', kindergarten.documentId))?.documentId ?? null },
        classes: perClass,
      };
    },

    /**
     * 升级 of a whole kindergarten. Classes are promoted, children stay in their class: each class
     * of a grade with a `next` grade (config/dictionaries.json classGrade) moves up one grade and one
     * school year, in one transaction, with one event per child (batch insert). Top-grade classes
     * (大班, `graduates`) are not promoted: while they still have children in school, promotion is
     * refused until they graduate. Mixed-age classes stay as they are. Outside the promotion window
     * the kindergarten applies to the county (workflow kindergarten-promotion) instead.
     */
    async promote(user: Actor, kindergartenId: string, input: Input = {}) {
      ensureInstitution(user);
      const preview = await this.preview(user, kindergartenId);
      const stuck = preview.classes.filter((c) => c.graduates && c.children > 0);
      if (stuck.length) throw conflictError(`请先办理毕业：${stuck.map((c) => c.name).join('、')}仍有在园幼儿`, ['grade']);
      if (preview.promotion.classes === 0) throw conflictError('没有可升级的班级', ['grade']);
      if (!preview.promotion.inWindow) {
        if (preview.promotion.pendingRequest) throw conflictError('已有待审核的升级申请', ['summary']);
        const window = preview.promotion.window;
        const summary = `升级 ${preview.promotion.classes} 个班、${preview.promotion.children} 名幼儿（升级窗口 ${window?.from}～${window?.to} 之外，${preview.today}）`;
        const request = await requests().submit(user as any, { type: 'kindergarten-promotion', subjectId: kindergartenId, changes: { summary }, reason: input.reason ?? summary });
        return { done: false, request };
      }
      await assertAllowed(strapi, user, CHILD_UPDATE, CLASS_UPDATE);
      return { done: true, ...(await this.promoteNow(user, preview.kindergarten.id, null)) };
    },

    async promoteNow(user: Actor, kindergartenId: string, requestId: string | null) {
      return strapi.db.transaction(async () => {
        const kindergarten = await strapi.db.query(KINDERGARTEN).findOne({ where: { documentId: kindergartenId }, select: ['id', 'code', 'countyCode'] });
        const classes = await strapi.db.query(SCHOOL_CLASS).findMany({ where: { kindergarten: { id: kindergarten.id } }, select: ['id', 'name', 'grade', 'schoolYear'] });
        const moving = classes.filter((c) => gradeStep(c.grade).next);
        const byClass = new Map(moving.map((c) => [c.id, c]));
        // Checked again inside the transaction: of two promotions at once, the second finds the
        // first's top grade full and stops (or, on PostgreSQL, loses the guarded UPDATE below).
        const top = classes.filter((c) => gradeStep(c.grade).graduates).map((c) => c.id);
        const stuck = top.length ? await strapi.db.query(CHILD).count({ where: { schoolClass: { id: { $in: top } }, status: { $in: IN_SCHOOL } } }) : 0;
        if (stuck) throw conflictError('请先办理毕业：大班仍有在园幼儿', ['grade']);
        if (!moving.length) throw conflictError('没有可升级的班级', ['grade']);
        const children = moving.length
          ? await strapi.db.query(CHILD).findMany({
            where: { schoolClass: { id: { $in: moving.map((c) => c.id) } }, status: { $in: IN_SCHOOL } },
            select: ['id', 'documentId', 'name', 'studentNumber', 'status', 'countyCode', 'institutionCode'],
            populate: { schoolClass: { select: ['id'] } },
          })
          : [];
        for (const c of moving) {
          const { count } = await strapi.db.query(SCHOOL_CLASS).updateMany({ where: { id: c.id, grade: c.grade }, data: { grade: gradeStep(c.grade).next, schoolYear: nextSchoolYear(c.schoolYear) } });
          if (count !== 1) throw conflictError('班级已被同时升级，请刷新后查看', ['grade']);
        }
        await writeEvents(strapi, children.map((child): EventInput => {
          const c = byClass.get(child.schoolClass.id)!;
          return {
            type: 'promotion', child, actor: user, requestId,
            before: { className: c.name, grade: c.grade, schoolYear: c.schoolYear },
            after: { className: c.name, grade: gradeStep(c.grade).next, schoolYear: nextSchoolYear(c.schoolYear) },
          };
        }));
        await strapi.db.query(KINDERGARTEN).update({ where: { id: kindergarten.id }, data: { lastUpdatedAt: new Date() } });
        return { classes: moving.length, children: children.length };
      });
    },

    /**
     * 毕业 of a whole kindergarten: every registered child of its top-grade classes (大班) graduates,
     * by one UPDATE, with one event per child (batch insert), in one transaction. Records still
     * awaiting their 学籍号 (draft) do not graduate and are counted apart. Outside the graduation
     * window the kindergarten applies to the county (workflow kindergarten-graduation) instead.
     */
    async graduate(user: Actor, kindergartenId: string, input: Input = {}) {
      ensureInstitution(user);
      const preview = await this.preview(user, kindergartenId);
      if (preview.graduation.children === 0) throw conflictError('没有可毕业的幼儿（大班中已注册学籍的幼儿）', ['grade']);
      if (!preview.graduation.inWindow) {
        if (preview.graduation.pendingRequest) throw conflictError('已有待审核的毕业申请', ['summary']);
        const window = preview.graduation.window;
        const summary = `毕业 ${preview.graduation.classes} 个班、${preview.graduation.children} 名幼儿（毕业窗口 ${window?.from}～${window?.to} 之外，${preview.today}）`;
        const request = await requests().submit(user as any, { type: 'kindergarten-graduation', subjectId: kindergartenId, changes: { summary }, reason: input.reason ?? summary });
        return { done: false, request };
      }
      // the permission is asked by the transition (config/transitions.json child.graduate)
      return { done: true, ...(await this.graduateNow(user, preview.kindergarten.id, null)) };
    },

    async graduateNow(user: Actor, kindergartenId: string, requestId: string | null) {
      return strapi.db.transaction(async () => {
        const kindergarten = await strapi.db.query(KINDERGARTEN).findOne({ where: { documentId: kindergartenId }, select: ['id'] });
        const classes = (await strapi.db.query(SCHOOL_CLASS).findMany({ where: { kindergarten: { id: kindergarten.id } }, select: ['id', 'name', 'grade', 'schoolYear'] }))
          .filter((c) => gradeStep(c.grade).graduates);
        const byClass = new Map(classes.map((c) => [c.id, c]));
        const children = classes.length
          ? await strapi.db.query(CHILD).findMany({
            where: { schoolClass: { id: { $in: classes.map((c) => c.id) } }, status: 'registered' },
            select: ['id', 'documentId', 'name', 'studentNumber', 'status', 'countyCode', 'institutionCode'],
            populate: { schoolClass: { select: ['id'] } },
          })
          : [];
        if (!children.length) throw conflictError('没有可毕业的幼儿（大班中已注册学籍的幼儿）', ['grade']);
        // Of two graduations at once, the second finds the children already graduated: nothing is written twice (child.graduate).
        await transition(strapi, { machine: 'child', action: requestId ? 'graduate-approved' : 'graduate', actor: user, records: children, stash: { byClass, requestId } });
        return { classes: classes.length, children: children.length };
      });
    },

    /** Effect of child.graduate: one event per child (batch insert). */
    async recordGraduation(ctx: TransitionContext) {
      const { records: children, stash: { byClass, requestId } } = ctx;
      await writeEvents(strapi, children.map((child): EventInput => {
        const c = byClass.get(child.schoolClass.id)!;
        return { type: 'graduation', child, actor: ctx.actor as Actor, requestId, before: { status: 'registered', className: c.name, grade: c.grade, schoolYear: c.schoolYear }, after: { status: 'graduated' } };
      }));
    },

    /** A child's history, oldest first; the child must be in reach (404 outside). */
    async history(childId: string) {
      const child = await loadChild(childId);
      const events = await strapi.db.query(CHILD_EVENT).findMany({ where: { childDocumentId: child.documentId }, orderBy: [{ occurredAt: 'asc' }, { id: 'asc' }], populate: { evidence: { select: ['documentId', 'name', 'url', 'mime', 'size'] } } });
      return events.map((event) => ({
        id: event.documentId,
        type: event.type,
        before: event.before,
        after: event.after,
        reasonCode: event.reasonCode,
        reasonName: event.reasonCode ? entry('leaveReason', event.reasonCode)?.name ?? null : null,
        reason: event.reason,
        occurredOn: event.occurredOn,
        occurredAt: event.occurredAt,
        late: event.late,
        actorName: event.actorName,
        requestId: event.requestId,
        transferId: event.transferId,
        institutionCode: event.institutionCode,
        evidence: (event.evidence ?? []).map((file) => ({ id: file.documentId, name: file.name, url: file.url, mime: file.mime, size: file.size })),
      }));
    },

    /** Check of child.restore: the status the 学籍 reopens in — the one before it closed, else registered (with a 学籍号) or draft. */
    async restoredStatus(ctx: TransitionContext) {
      const child = ctx.record;
      const last = await strapi.db.query(CHILD_EVENT).findOne({ where: { childDocumentId: child.documentId, type: { $in: ['leaving', 'accidental-leave', 'graduation'] } }, orderBy: [{ occurredAt: 'desc' }, { id: 'desc' }] });
      ctx.to = IN_SCHOOL.includes(last?.before?.status) ? last.before.status : child.studentNumber ? 'registered' : 'draft';
    },

    /** Effect of child.restore: the event. */
    async recordRestoration(ctx: TransitionContext) {
      const { record: child, stash: { request } } = ctx;
      await writeEvent(strapi, { type: 'restoration', child, actor: ctx.actor as Actor, requestId: request.documentId, reason: request.proposed?.explanation ?? request.reason, before: { status: child.status }, after: { status: ctx.to, className: child.schoolClass?.name ?? null } });
    },

    /*
     * The approval effects of the lifecycle's workflows (config/workflows.json effect), each named,
     * run by the request machine's approve inside the decision's transaction.
     */

    /** kindergarten-promotion: the promotion, applied outside its window. */
    async applyPromotion(wf: Workflow, request: any, actor?: Actor) {
      await this.promoteNow(actor ?? (actingUser(strapi) as Actor), request.subjectId, request.documentId);
    },

    /** kindergarten-graduation: the graduation, applied outside its window (child.graduate-approved). */
    async applyGraduation(wf: Workflow, request: any, actor?: Actor) {
      await this.graduateNow(actor ?? (actingUser(strapi) as Actor), request.subjectId, request.documentId);
    },

    async approvedChild(request: any) {
      const child = await strapi.db.query(CHILD).findOne({ where: { documentId: request.subjectId }, populate: { schoolClass: { select: ['id', 'name', 'grade'] } } });
      if (!child) throw new errors.NotFoundError('Not Found');
      return child;
    },

    /** child-key-change: the key fields written through the child's rules, the event kept. */
    async applyKeyChange(wf: Workflow, request: any, actor?: Actor) {
      const child = await this.approvedChild(request);
      const by = actor ?? (actingUser(strapi) as Actor);
      if (wf.evidence && !(request.evidence ?? []).length) throw fieldError('evidence', '须先上传监护人的申请及证件原件等佐证材料');
      if (!IN_SCHOOL.includes(child.status)) throw conflictError('该幼儿已不在园，不能变更关键信息', ['status']);
      const pick = (record: any) => ({ name: record.name, sex: record.sex, birthDate: record.birthDate, idType: record.idType, idNumberMasked: record.idNumberMasked ?? null, studentNumber: record.studentNumber ?? null });
      const data = { ...request.proposed };
      // The child's rules re-validate the document (and the exact duplicate check) whenever it is in the data.
      if (['idType', 'sex', 'birthDate'].some((field) => field in data) && !('idNumber' in data)) data.idNumber = child.idNumber;
      // The one write allowed to change a registered child's key fields (child-rules.ts).
      await applyingKeyChange(request.documentId, () => strapi.documents(CHILD).update({ documentId: child.documentId, data } as any));
      const after = await strapi.db.query(CHILD).findOne({ where: { id: child.id } });
      if (after.studentNumber !== child.studentNumber) throw conflictError('学籍号一经生成不能更改', ['studentNumber']);
      await writeEvent(strapi, { type: 'key-change', child: after, actor: by, requestId: request.documentId, reason: request.reason, before: pick(child), after: pick(after) });
    },

    /** child-restoration: the child machine's restore, by the reviewer who approved it. */
    async applyRestoration(wf: Workflow, request: any, actor?: Actor) {
      const child = await this.approvedChild(request);
      await transition(strapi, { machine: 'child', action: 'restore', actor: actor ?? (actingUser(strapi) as Actor), record: child, stash: { request } });
    },
  };
};

export type LifecycleService = ReturnType<typeof lifecycleService>;
export default lifecycleService;
