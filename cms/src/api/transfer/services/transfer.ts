import { placeName } from '../../../domain/messages';
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { conflictError, fieldError } from '../../../utils/validation';
import { studentNumberKey } from '../../../security/student-numbers';
import { accessScope } from '../../../domain/request-context';
import { CHILD, KINDERGARTEN, SCHOOL_CLASS, type Actor, dueDate, today, writeEvents } from '../../../domain/lifecycle';
import { newDocumentId } from '../../../domain/document-ids';
import { actionsFor, transition, type TransitionContext } from '../../../domain/workflows';
import { applyAcrossProvinces, checkCrossProvinceCompletion, crossProvinceEnabled, crossProvinceSide, moveAcrossProvinces } from '../../../exchange/transfers';

const TRANSFER = 'api::transfer.transfer';
const OPEN = ['requested', 'agreed'];
const UNIQUE_VIOLATIONS = new Set(['23505', 'SQLITE_CONSTRAINT_UNIQUE']);

type Input = Record<string, any>;

/**
 * 转园 (docs/domain.md §5): the receiving kindergarten applies by the child's 学籍号 or ID number (looked
 * up nationally), the sending kindergarten agrees or refuses, then the receiver runs the duplicate
 * check and places the child in one of its classes. Within 30 working days of the application
 * (config/calendar.json lifecycleDeadlines); an open transfer past its date is flagged overdue to
 * both sides and both counties. A transfer belongs to two places (its schema declares both to the
 * access-scope plugin): a user reaches a transfer whose sending or receiving kindergarten (or
 * county) lies in their reach; outside, 404. Who may agree, refuse, cancel and
 * complete is declared in config/transitions.json (machine `transfer`) and enforced by the one
 * transition() of cms/src/domain/workflows.ts. Until it is completed the receiver sees
 * only the child's name, masked ID number and 学籍号 and the sending kindergarten; the child's
 * record stays with the sender until the one transaction that moves it, so at every moment the
 * child belongs to exactly one kindergarten.
 */
const transferService = ({ strapi }: { strapi: Core.Strapi }) => {
  const scope = () => accessScope(strapi);
  const identity = () => strapi.plugin('student-id').service('identity');
  const duplicates = () => strapi.plugin('dup-check').service('duplicates');

  /** A kindergarten's own account acts for it; a teacher's account (reach: nothing) does not. */
  const actsForKindergarten = (user: Actor) => scope().institutionOf(scope().reachOf(user as any)) !== null;
  const actorName = (user: Actor) => user?.fullName || user?.username || '';
  const step = (user: Actor, action: string, comment?: string | null) => ({ action, actorName: actorName(user), level: user?.level, at: new Date().toISOString(), comment: comment ?? null });

  /** Transfers in reach: either side's kindergarten (institution) or county (regions), by the access scope's two places. */
  const reachFilter = (user: Actor): Record<string, unknown> => scope().filterFor(TRANSFER, scope().reachOf(user as any)) ?? {};

  const load = async (user: Actor, documentId: string) => {
    const found = documentId ? await strapi.db.query(TRANSFER).findOne({ where: { $and: [{ documentId }, reachFilter(user)] } }) : null;
    if (!found) throw new errors.NotFoundError('Not Found');
    return found as any;
  };

  const isOverdue = (transfer: any, day = today()) => OPEN.includes(transfer.state) && String(transfer.dueAt) < day;

  return {
    isOverdue,

    present(user: Actor, transfer: any, actions: string[] = []) {
      const institution = scope().institutionOf(scope().reachOf(user as any));
      const side = institution ? (institution === transfer.fromInstitutionCode ? 'outgoing' : 'incoming') : null;
      // The receiving side learns which record it is only once the child is its own.
      const childVisible = side !== 'incoming' || transfer.state === 'completed';
      return {
        id: transfer.documentId,
        side,
        state: transfer.state,
        overdue: isOverdue(transfer),
        childId: childVisible ? transfer.childDocumentId : null,
        childName: transfer.childName,
        idNumberMasked: transfer.idNumberMasked,
        studentNumberMasked: transfer.studentNumberMasked,
        fromInstitutionCode: transfer.fromInstitutionCode,
        fromKindergartenName: transfer.fromKindergartenName,
        fromCountyCode: transfer.fromCountyCode,
        toInstitutionCode: transfer.toInstitutionCode,
        toKindergartenName: transfer.toKindergartenName,
        toCountyCode: transfer.toCountyCode,
        toClassName: transfer.toClassName,
        reason: transfer.reason,
        refusalReason: transfer.refusalReason,
        appliedOn: transfer.appliedOn,
        dueAt: transfer.dueAt,
        appliedByName: transfer.appliedByName,
        decidedAt: transfer.decidedAt,
        completedAt: transfer.completedAt,
        history: (transfer.history ?? []).map(({ actorId, ...entry }) => entry),
        version: transfer.version,
        actions,
      };
    },

    async get(user: Actor, documentId: string) {
      const transfer = await load(user, documentId);
      return this.present(user, transfer, (await actionsFor(strapi, 'transfer', user, [transfer]))[0]);
    },

    /** A page of transfers in reach; filters: state, direction (incoming|outgoing), overdue. */
    async list(user: Actor, query: { filters?: Record<string, any>; pagination?: { start?: any; limit?: any } }) {
      const filters = query.filters ?? {};
      const plain = (value: any) => (value && typeof value === 'object' && !Array.isArray(value) ? value.$eq ?? value.$in ?? value : value);
      const conditions: Record<string, unknown>[] = [reachFilter(user)];
      const state = plain(filters.state);
      if (state) conditions.push({ state: Array.isArray(state) ? { $in: state } : state });
      const direction = plain(filters.direction);
      if (user?.institutionCode && direction === 'incoming') conditions.push({ toInstitutionCode: user.institutionCode });
      if (user?.institutionCode && direction === 'outgoing') conditions.push({ fromInstitutionCode: user.institutionCode });
      if (String(plain(filters.overdue)) === 'true') conditions.push({ state: { $in: OPEN }, dueAt: { $lt: today() } });
      const start = Math.max(0, Number(query.pagination?.start) || 0);
      const limit = Math.min(200, Math.max(1, Number(query.pagination?.limit) || 25));
      const where = { $and: conditions };
      const [rows, total] = await Promise.all([
        strapi.db.query(TRANSFER).findMany({ where, orderBy: [{ appliedOn: 'desc' }, { id: 'desc' }], offset: start, limit }),
        strapi.db.query(TRANSFER).count({ where }),
      ]);
      const actions = await actionsFor(strapi, 'transfer', user, rows);
      return { data: rows.map((row, i) => this.present(user, row, actions[i])), meta: { pagination: { start, limit, total } } };
    },

    /** The receiving kindergarten applies, naming the child by 学籍号 or by document type and number. */
    async apply(user: Actor, input: Input) {
      if (!actsForKindergarten(user) || !user.institutionCode) throw new errors.ForbiddenError('转园由接收幼儿园申请');
      let child: any = null;
      const studentNumber = String(input.studentNumber ?? '').trim().toUpperCase();
      if (studentNumber) {
        // the full number, through its blind index (cms/src/security/student-numbers.ts)
        child = await strapi.db.query(CHILD).findOne({ where: { studentNumberKey: studentNumberKey(strapi, studentNumber) } });
        // a province deployment asks the nation for a child it does not hold (cms/src/exchange/transfers.ts)
        if (!child && crossProvinceEnabled()) return this.acrossProvinces(user, input, { studentNumber });
        if (!child) throw fieldError('studentNumber', '未找到该学籍号的幼儿');
      } else {
        const number = identity().normalizeIdNumber(input.idNumber ?? '');
        if (!number) throw fieldError('studentNumber', '请填写学籍号或证件号码');
        const type = input.idType || '1';
        const result = identity().validateDocument(type, number);
        if (!result.ok) throw fieldError('idNumber', result.reason);
        child = await strapi.db.query(CHILD).findOne({ where: { idKey: duplicates().idKey(type, result.number) } });
        if (!child && crossProvinceEnabled()) return this.acrossProvinces(user, input, { idType: type, idNumber: result.number });
        if (!child) throw fieldError('idNumber', '未找到持该证件的幼儿学籍');
      }
      if (child.institutionCode === user.institutionCode) throw fieldError('studentNumber', '该幼儿已在本园');
      if (child.status !== 'registered' || !child.studentNumber) throw conflictError('该幼儿没有在读的学籍，不能办理转园', ['studentNumber']);
      const open = await strapi.db.query(TRANSFER).findOne({ where: { childDocumentId: child.documentId, state: { $in: OPEN } }, select: ['id'] });
      if (open) throw conflictError('该幼儿已有办理中的转园申请', ['studentNumber']);
      const [from, to] = await Promise.all([
        strapi.db.query(KINDERGARTEN).findOne({ where: { code: child.institutionCode }, select: ['name', 'code', 'countyCode'] }),
        strapi.db.query(KINDERGARTEN).findOne({ where: { code: user.institutionCode }, select: ['name', 'code', 'countyCode'] }),
      ]);
      if (!to) throw new errors.ForbiddenError('本园信息不存在');
      const appliedOn = today();
      const created = await strapi.db.query(TRANSFER).create({
        data: {
          documentId: newDocumentId(),
          childDocumentId: child.documentId,
          openKey: child.documentId,
          childName: child.name,
          idNumberMasked: child.idNumberMasked ?? null,
          studentNumberMasked: child.studentNumberMasked ?? null,
          fromInstitutionCode: child.institutionCode,
          fromKindergartenName: from?.name ?? null,
          fromCountyCode: child.countyCode,
          toInstitutionCode: to.code,
          toKindergartenName: to.name,
          toCountyCode: to.countyCode,
          state: 'requested',
          reason: input.reason ?? null,
          appliedOn,
          dueAt: dueDate(appliedOn, 'transfer'),
          appliedByName: actorName(user),
          history: [step(user, 'apply', input.reason)],
          version: 1,
          publishedAt: new Date(),
        },
      }).catch((error) => {
        if (UNIQUE_VIOLATIONS.has(error?.code ?? error?.cause?.code)) throw conflictError('该幼儿已有办理中的转园申请', ['studentNumber']);
        throw error;
      });
      return this.present(user, created, (await actionsFor(strapi, 'transfer', user, [created]))[0]);
    },

    async acrossProvinces(user: Actor, input: Input, lookup: { idType?: string; idNumber?: string; studentNumber?: string }) {
      const created = await applyAcrossProvinces(strapi, user as any, input, lookup);
      return this.present(user, created, (await actionsFor(strapi, 'transfer', user, [created]))[0]);
    },

    /** The sending kindergarten agrees, or refuses with a reason (config/transitions.json transfer.agree|refuse). */
    async decide(user: Actor, documentId: string, decision: 'agree' | 'refuse', input: Input) {
      const transfer = await load(user, documentId);
      await transition(strapi, { machine: 'transfer', action: decision, actor: user, record: transfer, input });
      return this.get(user, documentId);
    },

    /** The receiver withdraws its application before completion (transfer.cancel). */
    async cancel(user: Actor, documentId: string, input: Input) {
      const transfer = await load(user, documentId);
      await transition(strapi, { machine: 'transfer', action: 'cancel', actor: user, record: transfer, input: { comment: input.comment, version: input.version } });
      return this.get(user, documentId);
    },

    /**
     * The receiver completes an agreed transfer (transfer.complete): the duplicate check (exact
     * anywhere; likely ones in the receiving kindergarten, confirmed by the user), then, in one
     * transaction, the transfer's state, the child's kindergarten, county and class, and the events on both sides.
     */
    async complete(user: Actor, documentId: string, input: Input) {
      const transfer = await load(user, documentId);
      const ctx = await transition(strapi, { machine: 'transfer', action: 'complete', actor: user, record: transfer, input: { ...input, comment: input.comment, reason: undefined } });
      return { ...(await this.get(user, documentId)), candidates: ctx.stash.candidates };
    },

    /** Check of transfer.complete: the class, the child still the sender's and registered, the duplicate check. */
    async checkCompletion(ctx: TransitionContext) {
      const { record: transfer, input } = ctx;
      const link = await crossProvinceSide(strapi, transfer.documentId);
      if (link) return checkCrossProvinceCompletion(strapi, ctx, link);
      const classId = input.schoolClass ?? input.classId;
      const target: any = classId ? await strapi.documents(SCHOOL_CLASS).findOne({ documentId: String(classId), populate: ['kindergarten'] } as any) : null;
      if (!target?.kindergarten || target.kindergarten.code !== transfer.toInstitutionCode) throw fieldError('schoolClass', '请选择本园已建立的班级');
      const child = await strapi.db.query(CHILD).findOne({ where: { documentId: transfer.childDocumentId }, populate: { schoolClass: { select: ['name', 'grade'] }, guardians: true } });
      if (!child || child.institutionCode !== transfer.fromInstitutionCode || child.status !== 'registered') throw conflictError('该幼儿的学籍已发生变化，不能完成转园', ['version']);
      if (child.idKey) {
        const holder = await duplicates().exactHolder(child.idKey, child.documentId);
        if (holder) throw conflictError(`查重未通过：该证件号码另有学籍，现就读于：${placeName(holder)}`, ['idNumber']);
      }
      const candidates = await duplicates().likelyMatches(
        { name: child.name, birthDate: child.birthDate, sex: child.sex, guardianKeys: (child.guardians ?? []).map((g) => g.idKey).filter(Boolean) },
        { exceptDocumentId: child.documentId, inReach: (other) => other.institutionCode === transfer.toInstitutionCode },
      );
      if (candidates.length && !input.acknowledgeCandidates) {
        const error = conflictError('本园发现疑似重复的学籍，请核实后确认', ['name']);
        (error as any).details.candidates = candidates;
        throw error;
      }
      const kindergarten = await strapi.db.query(KINDERGARTEN).findOne({ where: { code: transfer.toInstitutionCode }, select: ['countyCode'] });
      ctx.data.toClassName = target.name;
      Object.assign(ctx.stash, { target, child, candidates, countyCode: kindergarten.countyCode });
    },

    /** Effect of transfer.complete, in the move's transaction: the child's kindergarten, county and class, and the events on both sides. */
    async moveChild(ctx: TransitionContext) {
      const { record: transfer, stash: { target, child, countyCode } } = ctx;
      const link = await crossProvinceSide(strapi, transfer.documentId);
      if (link) return moveAcrossProvinces(strapi, ctx, link);
      const user = ctx.actor as Actor;
      const { count } = await strapi.db.query(CHILD).updateMany({
        where: { id: child.id, institutionCode: transfer.fromInstitutionCode, status: 'registered' },
        data: { institutionCode: transfer.toInstitutionCode, countyCode },
      });
      if (count !== 1) throw conflictError('该幼儿的学籍已发生变化，不能完成转园', ['version']);
      await strapi.db.query(CHILD).update({ where: { id: child.id }, data: { schoolClass: target.id } });
      const before = { kindergarten: transfer.fromKindergartenName, institutionCode: transfer.fromInstitutionCode, className: child.schoolClass?.name ?? null, grade: child.schoolClass?.grade ?? null };
      const after = { kindergarten: transfer.toKindergartenName, institutionCode: transfer.toInstitutionCode, className: target.name, grade: target.grade };
      await writeEvents(strapi, [
        { type: 'transfer-out', child, actor: user, transferId: transfer.documentId, reason: transfer.reason, before, after, countyCode: transfer.fromCountyCode, institutionCode: transfer.fromInstitutionCode },
        { type: 'transfer-in', child, actor: user, transferId: transfer.documentId, reason: transfer.reason, before, after, countyCode, institutionCode: transfer.toInstitutionCode },
      ]);
    },

    /** Open and overdue transfers per county in reach, counted on both sides. */
    async overdueSummary(user: Actor) {
      const byCounty = await this.openByCounty(user);
      return { byCounty: byCounty.map(({ countyCode, open, overdue }) => ({ countyCode, open, overdue })) };
    },

    /**
     * Per county in reach (sorted by code): its open transfers, how many are overdue, and the
     * overdue ones themselves with the side the county is on. A transfer between two counties is
     * counted in each of them; a county of neither side never sees it (the reach filter).
     */
    async openByCounty(user: Actor) {
      const rows = await strapi.db.query(TRANSFER).findMany({ where: { $and: [reachFilter(user), { state: { $in: OPEN } }] }, orderBy: [{ dueAt: 'asc' }, { id: 'asc' }] });
      const reach = scope().reachOf(user as any);
      const counts = new Map<string, { open: number; overdue: number; transfers: Record<string, unknown>[] }>();
      const day = today();
      for (const row of rows) {
        for (const county of new Set([row.fromCountyCode, row.toCountyCode])) {
          if (!scope().includesCounty(reach, county)) continue;
          const entry = counts.get(county) ?? { open: 0, overdue: 0, transfers: [] };
          entry.open += 1;
          if (isOverdue(row, day)) {
            entry.overdue += 1;
            entry.transfers.push({
              id: row.documentId, direction: county === row.fromCountyCode ? 'outgoing' : 'incoming', state: row.state,
              childName: row.childName, studentNumberMasked: row.studentNumberMasked,
              fromKindergartenName: row.fromKindergartenName, toKindergartenName: row.toKindergartenName, appliedOn: row.appliedOn, dueAt: row.dueAt,
            });
          }
          counts.set(county, entry);
        }
      }
      return [...counts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([countyCode, c]) => ({ countyCode, ...c }));
    },
  };
};

export type TransferService = ReturnType<typeof transferService>;
export default transferService;
