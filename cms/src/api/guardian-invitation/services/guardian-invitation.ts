import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import QRCode from 'qrcode';
import { codeKey, guardiansConfig, newCode, normaliseCode, phoneTail, printedCode, type GuardianGrant } from '../../../domain/guardians';
import { workflow, type Workflow } from '../../../domain/workflows';
import { activeEntries, entry, stateName } from '../../../domain/dictionaries';
import { fieldLabel } from '../../../domain/messages';
import { runAsSystem } from '../../../domain/request-context';
import { checkChildData } from '../../../domain/child-rules';
import { OPEN_STATES } from '../../../domain/subject-locks';
import { decryptValue, encryptValue, isEncrypted } from '../../../security/pii';
import { recordAudit } from '../../../security/audit';
import { verifyUploads } from '../../../security/upload-content';
import { conflictError, fieldError } from '../../../utils/validation';
import { forbidden } from '../../../security/errors';
import { escapeHtml as escape } from '../../../utils/html';

const INVITATION = 'api::guardian-invitation.guardian-invitation';
const CHILD = 'api::child.child';
const CLASS = 'api::school-class.school-class';
const KINDERGARTEN = 'api::kindergarten.kindergarten';
const REQUEST = 'api::request.request';
const KEY_CHANGE = 'child-key-change';
const CORRECTION = 'guardian-correction';
/** The guardian's own contact, proposed through the correction workflow (config/workflows.json guardian-correction). */
const CONTACT: Record<string, string> = { guardianPhone: 'phone', guardianEmployer: 'employer' };
const SEX: Record<string, string> = { male: '男', female: '女' };
/** Coded fields of the form and their code tables (config/dictionaries.json). */
const CODED: Record<string, string> = { idType: 'idType', ethnicity: 'ethnicity', nationality: 'nationality', householdType: 'householdType', health: 'health', bloodType: 'bloodType' };
const REGION_FIELDS = ['birthPlace', 'householdRegion'];

type Guardian = { invitation: any; guardian: number };
/** The sealed code in clear (reads may come back already opened by the query engine's decryption, cms/src/security/pii.ts). */
const unseal = (sealed: string) => (isEncrypted(sealed) ? decryptValue(sealed) : sealed);
const live = (invitation: any, now = Date.now()) => invitation && invitation.state !== 'revoked' && !invitation.revokedAt && new Date(invitation.expiresAt).getTime() > now;

/**
 * Guardians confirm the 学籍基础信息确认表 online (docs/guardians.md). The kindergarten issues
 * invitations (per child or per class) and follows 确认进度; a guardian redeems a code with a fact
 * the kindergarten holds, reads the child's form (ID numbers masked), confirms each field or proposes
 * a correction, and signs electronically. Corrections are requests on the one approval mechanism
 * (cms/src/api/request): key information through child-key-change with the guardian's proof, the
 * rest through guardian-correction, whose effect (applyApproved, below) the kindergarten's approval
 * writes. Nothing a guardian types changes a record by itself. Guardian reads and writes act beyond
 * any staff reach, only for the children of the session's invitations, each audited.
 */
const invitationService = ({ strapi }: { strapi: Core.Strapi }) => ({
  // ---------- staff side ----------

  /** Issues a new invitation for a child, or for every child of a class; an earlier live one is revoked. */
  async issue(user: any, input: { childId?: unknown; classId?: unknown }) {
    if (user?.level !== 'institution') throw forbidden('家长确认邀请由幼儿所在园发放', { code: 'INSTITUTION_ONLY' });
    let children: any[];
    if (input?.childId) {
      const child = await strapi.documents(CHILD).findOne({ documentId: String(input.childId), populate: ['schoolClass'] } as any);
      if (!child) throw new errors.NotFoundError('Not Found');
      children = [child];
    } else if (input?.classId) {
      const schoolClass = await strapi.documents(CLASS).findOne({ documentId: String(input.classId) } as any);
      if (!schoolClass) throw new errors.NotFoundError('Not Found');
      const inClass = await strapi.documents(CHILD).findMany({ filters: { schoolClass: { documentId: schoolClass.documentId }, status: { $in: ['draft', 'registered'] } }, populate: ['schoolClass'], sort: 'name:asc', limit: 500 } as any);
      // a class at once: the children still without a usable or used invitation
      const held = await strapi.db.query(INVITATION).findMany({ where: { childId: { $in: inClass.map((c: any) => c.documentId) }, state: { $ne: 'revoked' } } });
      const covered = new Set(held.filter((row: any) => row.state === 'confirmed' || live(row)).map((row: any) => row.childId));
      children = inClass.filter((c: any) => !covered.has(c.documentId));
    } else throw fieldError('childId', '请选择幼儿或班级');
    const issued: any[] = [];
    for (const child of children) issued.push(await this.present(await this.create(child, user.fullName || user.username), true));
    await recordAudit(strapi, { action: 'guardian.invite', targetType: input.childId ? 'children' : 'school-classes', targetId: String(input.childId ?? input.classId), details: { count: issued.length } });
    return issued;
  },

  /** A new invitation for a child (documentId, name, class, place), replacing its usable one. */
  async create(child: any, issuedByName: string) {
    const expiresAt = new Date(Date.now() + guardiansConfig().invitation.validDays * 86_400_000);
    const code = newCode();
    return strapi.db.transaction(async () => {
      await this.revokeLiveOf(child.documentId);
      return strapi.documents(INVITATION).create({
        data: {
          childId: child.documentId, childName: child.name, classId: child.schoolClass?.documentId ?? null, className: child.schoolClass?.name ?? null,
          codeKey: codeKey(code), codeSealed: encryptValue(code), state: 'issued', expiresAt, failedAttempts: 0,
          issuedByName, countyCode: child.countyCode, institutionCode: child.institutionCode,
        } as any,
      });
    });
  },

  async revokeLiveOf(childId: string) {
    // a confirmed invitation stays: it is the guardian's confirmation
    await strapi.db.query(INVITATION).updateMany({ where: { childId, state: { $in: ['issued', 'opened'] } }, data: { state: 'revoked', revokedAt: new Date() } });
  },

  async revoke(user: any, documentId: string) {
    if (user?.level !== 'institution') throw forbidden('家长确认邀请由幼儿所在园撤销', { code: 'INSTITUTION_ONLY' });
    const found = await strapi.documents(INVITATION).findOne({ documentId } as any);
    if (!found) throw new errors.NotFoundError('Not Found');
    if (found.state === 'revoked') throw conflictError('该邀请已撤销');
    await strapi.documents(INVITATION).update({ documentId, data: { state: 'revoked', revokedAt: new Date() } as any });
    await recordAudit(strapi, { action: 'guardian.invite-revoke', targetType: 'guardian-invitations', targetId: documentId });
    return this.present(await strapi.documents(INVITATION).findOne({ documentId } as any), false);
  },

  /** The link a QR code carries: the guardian page, the code in the fragment (never sent to a server log). */
  link(code: string) {
    const ctx: any = strapi.requestContext.get();
    const base = String(strapi.config.get('server.url', '') || ctx?.request?.origin || '').replace(/\/+$/, '');
    return `${base}/guardian#code=${printedCode(code)}`;
  },

  async qrSvg(code: string): Promise<string> {
    return QRCode.toString(this.link(code), { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
  },

  /** An invitation as the panel shows it; the code and its QR code only while the invitation is usable, to the kindergarten. */
  async present(row: any, withCode: boolean) {
    const isLive = live(row);
    const code = withCode && isLive && row.state !== 'confirmed' && row.codeSealed ? unseal(row.codeSealed) : null;
    return {
      id: row.documentId, childId: row.childId, childName: row.childName, classId: row.classId, className: row.className,
      state: isLive || row.state === 'revoked' || row.state === 'confirmed' ? row.state : 'expired',
      expiresAt: row.expiresAt, openedAt: row.openedAt ?? null, confirmedAt: row.confirmedAt ?? null, revokedAt: row.revokedAt ?? null,
      locked: Boolean(row.lockedUntil && new Date(row.lockedUntil).getTime() > Date.now()),
      guardianName: row.guardianName ?? null, confirmation: row.confirmation ?? null, issuedByName: row.issuedByName,
      code: code ? printedCode(code) : null,
      qr: code ? `data:image/svg+xml;base64,${Buffer.from(await this.qrSvg(code)).toString('base64')}` : null,
      link: code ? this.link(code) : null,
    };
  },

  /** Invitations in reach (the scope plugin filters), newest first; filters: classId, childId, state. */
  async list(user: any, query: any) {
    const filters = query?.filters ?? {};
    const plain = (value: any) => (value && typeof value === 'object' ? value.$eq ?? value : value);
    const where: Record<string, unknown> = {};
    for (const field of ['classId', 'childId', 'state']) if (plain(filters[field])) where[field] = { $eq: String(plain(filters[field])) };
    const start = Math.max(0, Number(query?.pagination?.start) || 0);
    const limit = Math.min(500, Math.max(1, Number(query?.pagination?.limit) || 100));
    const [rows, total] = await Promise.all([
      strapi.documents(INVITATION).findMany({ filters: where, sort: 'createdAt:desc', start, limit } as any),
      strapi.documents(INVITATION).count({ filters: where } as any),
    ]);
    const withCode = user?.level === 'institution';
    return { data: await Promise.all(rows.map((row) => this.present(row, withCode))), meta: { pagination: { start, limit, total } } };
  },

  /** The live invitations of these children (the printed 确认表 shows each one's code and QR code). */
  async liveFor(childIds: string[]) {
    if (!childIds.length) return new Map<string, { code: string; qr: string }>();
    const rows = await strapi.db.query(INVITATION).findMany({ where: { childId: { $in: childIds }, state: { $ne: 'revoked' } } });
    const result = new Map<string, { code: string; qr: string }>();
    for (const row of rows) {
      if (!live(row) || row.state === 'confirmed' || !row.codeSealed) continue;
      const code = unseal(row.codeSealed);
      result.set(row.childId, { code: printedCode(code), qr: await this.qrSvg(code) });
    }
    return result;
  },

  /**
   * 确认进度: per class of the kindergarten (institution) or per kindergarten (every other level):
   * children, invited (a live or used invitation), opened, confirmed, corrections pending, the rate.
   */
  async progress(user: any) {
    const invitations = await strapi.documents(INVITATION).findMany({ filters: { state: { $ne: 'revoked' } }, fields: ['childId', 'classId', 'className', 'state', 'expiresAt', 'requestIds', 'institutionCode'], limit: 100_000 } as any);
    const children = await strapi.documents(CHILD).findMany({ filters: { status: { $in: ['draft', 'registered'] } }, fields: ['documentId', 'institutionCode'], populate: { schoolClass: { fields: ['documentId', 'name'] } }, limit: 100_000 } as any);
    const requestIds = invitations.flatMap((row: any) => row.requestIds ?? []);
    const open = requestIds.length ? await strapi.db.query(REQUEST).findMany({ where: { documentId: { $in: requestIds }, state: { $in: OPEN_STATES } }, select: ['documentId'] }) : [];
    const openIds = new Set(open.map((r: any) => r.documentId));
    const byInstitution = user?.level !== 'institution';
    const groupOf = (child: any) => (byInstitution ? child.institutionCode : child.schoolClass?.documentId ?? '');
    const rows = new Map<string, { key: string; name: string; children: number; invited: number; opened: number; confirmed: number; correctionsPending: number }>();
    const childGroup = new Map<string, string>();
    for (const child of children as any[]) {
      const key = groupOf(child);
      childGroup.set(child.documentId, key);
      const row = rows.get(key) ?? { key, name: byInstitution ? key : child.schoolClass?.name ?? '未分班', children: 0, invited: 0, opened: 0, confirmed: 0, correctionsPending: 0 };
      row.children += 1;
      rows.set(key, row);
    }
    const counted = new Set<string>();
    // a child counts once, by its most advanced invitation
    const rank = (row: any) => ['confirmed', 'opened', 'issued'].indexOf(row.state);
    for (const invitation of [...(invitations as any[])].sort((a, b) => rank(a) - rank(b))) {
      const key = childGroup.get(invitation.childId);
      if (key === undefined || counted.has(invitation.childId)) continue;
      if (invitation.state !== 'confirmed' && !live(invitation)) continue;
      counted.add(invitation.childId);
      const row = rows.get(key)!;
      row.invited += 1;
      if (invitation.state === 'opened' || invitation.state === 'confirmed') row.opened += 1;
      if (invitation.state === 'confirmed') row.confirmed += 1;
      row.correctionsPending += (invitation.requestIds ?? []).filter((id: string) => openIds.has(id)).length;
    }
    if (byInstitution && rows.size) {
      const kindergartens = await strapi.db.query(KINDERGARTEN).findMany({ where: { code: { $in: [...rows.keys()] } }, select: ['code', 'name'] });
      for (const k of kindergartens) rows.get(k.code)!.name = k.name;
    }
    const list = [...rows.values()].sort((a, b) => a.name.localeCompare(b.name, 'zh-CN')).map((row) => ({ ...row, rate: row.children ? Math.round((row.confirmed / row.children) * 1000) / 10 : 0 }));
    const total = list.reduce((sum, row) => ({ children: sum.children + row.children, invited: sum.invited + row.invited, opened: sum.opened + row.opened, confirmed: sum.confirmed + row.confirmed, correctionsPending: sum.correctionsPending + row.correctionsPending }), { children: 0, invited: 0, opened: 0, confirmed: 0, correctionsPending: 0 });
    return { groupBy: byInstitution ? 'kindergarten' : 'class', rows: list, total: { ...total, rate: total.children ? Math.round((total.confirmed / total.children) * 1000) / 10 : 0 } };
  },

  /** 提醒名单: a printable page of the children of a class (or the kindergarten) whose guardians have not confirmed. */
  async reminders(user: any, classId?: string) {
    const filters: any = { status: { $in: ['draft', 'registered'] } };
    if (classId) filters.schoolClass = { documentId: classId };
    const children = await strapi.documents(CHILD).findMany({ filters, fields: ['documentId', 'name'], populate: { schoolClass: { fields: ['name'] } }, sort: 'name:asc', limit: 5000 } as any);
    const invitations = await strapi.documents(INVITATION).findMany({ filters: { childId: { $in: children.map((c: any) => c.documentId) }, state: { $ne: 'revoked' } }, limit: 100_000 } as any);
    const byChild = new Map<string, any>();
    for (const invitation of invitations as any[]) {
      if (byChild.get(invitation.childId)?.state === 'confirmed') continue;
      if (invitation.state === 'confirmed' || live(invitation)) byChild.set(invitation.childId, invitation);
    }
    const STATE: Record<string, string> = { issued: '已邀请，未打开', opened: '已打开，未确认' };
    const pending = (children as any[]).filter((child) => byChild.get(child.documentId)?.state !== 'confirmed');
    const rows = pending.map((child, i) => {
      const invitation = byChild.get(child.documentId);
      return `<tr><td>${i + 1}</td><td>${escape(child.schoolClass?.name ?? '')}</td><td>${escape(child.name)}</td><td>${escape(invitation ? STATE[invitation.state] ?? '' : '未发放邀请')}</td><td>${invitation ? escape(new Date(invitation.expiresAt).toISOString().slice(0, 10)) : ''}</td><td></td></tr>`;
    }).join('');
    await recordAudit(strapi, { action: 'guardian.reminders', targetType: 'school-classes', targetId: classId ?? null, details: { count: pending.length } });
    return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>家长确认提醒名单</title><style>@page { size: A4; margin: 15mm; } body { font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif; font-size: 11pt; } table { width: 100%; border-collapse: collapse; } th, td { border: 1px solid #000; padding: 1.5mm 2mm; text-align: left; } th { background: #f2f2f2; font-weight: normal; }</style></head><body><h1 style="font-size:16pt;text-align:center">家长确认提醒名单</h1><p>尚未完成学籍信息确认的幼儿共 ${pending.length} 名（共 ${children.length} 名）。请提醒家长在有效期内扫码或登录家长确认页完成确认。</p><table><tr><th>序号</th><th>班级</th><th>幼儿姓名</th><th>状态</th><th>邀请有效期至</th><th>提醒记录</th></tr>${rows}</table></body></html>`;
  },

  /**
   * The effect of an approved guardian-correction (config/workflows.json `effect`), in the decision's
   * transaction: the plain fields and the guardian's own contact written through the document service,
   * so the child's rules hold (the reviewer's 幼儿学籍 × 修改 permission was asked by the engine).
   */
  async applyApproved(wf: Workflow, request: any) {
    if (wf.key !== CORRECTION) throw new errors.ApplicationError(`unknown guardian workflow ${wf.key}`);
    const child = await strapi.db.query(CHILD).findOne({ where: { documentId: request.subjectId }, populate: { guardians: true } });
    if (!child) throw new errors.NotFoundError('Not Found');
    const { guardianName, guardianPhone, guardianEmployer, ...plain } = request.proposed ?? {};
    const data: Record<string, any> = { ...plain };
    if (guardianPhone !== undefined || guardianEmployer !== undefined) {
      const index = (child.guardians ?? []).findIndex((g: any) => g.name === guardianName);
      if (index < 0) throw conflictError('该监护人已不在幼儿的监护人名单中', ['guardianName']);
      data.guardians = child.guardians.map((g: any, i: number) => {
        const { id, idKey, idNumberMasked, ...kept } = g;
        return i === index ? { ...kept, ...(guardianPhone !== undefined ? { phone: guardianPhone } : {}), ...(guardianEmployer !== undefined ? { employer: guardianEmployer } : {}) } : kept;
      });
    }
    await strapi.documents(CHILD).update({ documentId: child.documentId, data } as any);
  },

  // ---------- guardian side ----------

  /** The guardian in the trail: the invitation, never a staff account. */
  actor(invitation: any) {
    return { id: null, username: `guardian:${invitation.documentId}`, level: 'guardian' };
  },

  async audit(invitation: any | null, action: string, outcome: 'ok' | 'failed' | 'refused', details?: Record<string, unknown>) {
    const ctx: any = strapi.requestContext.get();
    await recordAudit(strapi, {
      action, outcome, targetType: 'children', targetId: invitation?.childId ?? null,
      actor: invitation ? this.actor(invitation) : { id: null, username: 'guardian', level: 'guardian' },
      ip: ctx?.request?.ip ?? null, details: { ...details, userAgent: String(ctx?.get?.('user-agent') ?? '').slice(0, 200) },
    });
  },

  /**
   * Redeems a code with the fact: the last digits of a guardian's phone on the child's record. Wrong
   * facts count against the invitation (config/guardians.json: locked after maxFailures for
   * lockMinutes); an unknown, expired or revoked code and a wrong fact answer alike. The per-address
   * limit is the auth routes' (config/security.json rateLimit paths).
   */
  async redeem(input: { code?: unknown; fact?: unknown }, grants: GuardianGrant[]) {
    const code = normaliseCode(input?.code);
    const fact = String(input?.fact ?? '').replace(/\D/g, '');
    if (!code) throw fieldError('code', '请输入邀请码');
    if (fact.length !== guardiansConfig().fact.digits) throw fieldError('fact', `请输入监护人手机号码的后 ${guardiansConfig().fact.digits} 位`);
    const invitation = await strapi.db.query(INVITATION).findOne({ where: { codeKey: codeKey(code) } });
    const wrong = () => new errors.ApplicationError('邀请码或核对信息不正确', { code: 'GUARDIAN_REDEEM_FAILED' });
    if (!invitation) {
      await this.audit(null, 'guardian.redeem', 'failed', { reason: 'unknown code' });
      throw wrong();
    }
    const { maxFailures, lockMinutes } = guardiansConfig().invitation;
    if (invitation.lockedUntil && new Date(invitation.lockedUntil).getTime() > Date.now()) {
      await this.audit(invitation, 'guardian.redeem', 'refused', { reason: 'locked' });
      const retryAfter = Math.ceil((new Date(invitation.lockedUntil).getTime() - Date.now()) / 1000);
      strapi.requestContext.get()?.set?.('Retry-After', String(retryAfter));
      throw new errors.RateLimitError(`核对信息错误次数过多，邀请已锁定，请 ${Math.ceil(retryAfter / 60)} 分钟后再试或联系幼儿园`, { code: 'GUARDIAN_LOCKED', retryAfter });
    }
    const child = await strapi.db.query(CHILD).findOne({ where: { documentId: invitation.childId }, populate: { guardians: true } });
    const index = (child?.guardians ?? []).findIndex((g: any) => phoneTail(g.phone) === fact);
    if (index < 0) {
      const table = strapi.db.metadata.get(INVITATION as any).tableName;
      await strapi.db.connection(table).where({ id: invitation.id }).increment('failed_attempts', 1);
      const after = await strapi.db.query(INVITATION).findOne({ where: { id: invitation.id }, select: ['failedAttempts'] });
      const locked = Number(after?.failedAttempts ?? 0) >= maxFailures;
      if (locked) await strapi.db.query(INVITATION).update({ where: { id: invitation.id }, data: { lockedUntil: new Date(Date.now() + lockMinutes * 60_000), failedAttempts: 0 } });
      await this.audit(invitation, 'guardian.redeem', 'failed', { reason: 'wrong fact', locked });
      throw wrong();
    }
    if (!live(invitation) || !child) {
      await this.audit(invitation, 'guardian.redeem', 'refused', { reason: 'expired or revoked' });
      throw forbidden('该邀请已过期或已撤销，请联系幼儿园重新发放', { code: 'GUARDIAN_INVITATION_ENDED' });
    }
    await strapi.db.query(INVITATION).update({ where: { id: invitation.id }, data: { failedAttempts: 0, lockedUntil: null, guardianName: child.guardians[index].name } });
    await this.audit(invitation, 'guardian.redeem', 'ok', { guardian: child.guardians[index].name });
    return [...grants.filter((g) => g.invitation !== invitation.documentId), { invitation: invitation.documentId, guardian: index }];
  },

  /** The session's live invitations by child: the guardian's whole reach. */
  async reach(grants: GuardianGrant[]): Promise<Map<string, Guardian>> {
    const ids = grants.map((g) => g.invitation);
    const rows = ids.length ? await strapi.db.query(INVITATION).findMany({ where: { documentId: { $in: ids } } }) : [];
    const reach = new Map<string, Guardian>();
    for (const row of rows) {
      if (!live(row)) continue;
      reach.set(row.childId, { invitation: row, guardian: grants.find((g) => g.invitation === row.documentId)!.guardian });
    }
    return reach;
  },

  /** One child of the session's reach; any other id answers as a child that does not exist (404). */
  async within(grants: GuardianGrant[], childId: string): Promise<Guardian> {
    const found = (await this.reach(grants)).get(String(childId ?? ''));
    if (!found) throw new errors.NotFoundError('Not Found');
    // every trail entry of this request (the requests filed, the files stored) names the guardian
    const state = strapi.requestContext.get()?.state;
    if (state) state.securityActor = this.actor(found.invitation);
    return found;
  },

  async childrenOf(grants: GuardianGrant[]) {
    const reach = await this.reach(grants);
    return [...reach.values()].map(({ invitation }) => ({ id: invitation.childId, name: invitation.childName, className: invitation.className, state: invitation.state, expiresAt: invitation.expiresAt }));
  },

  /** What a proposal for each field goes through: key information with proof, plain fields, or none (confirm only). */
  routeOf(field: string): 'key' | 'plain' | null {
    if (workflow(KEY_CHANGE)?.fields.includes(field)) return 'key';
    if (workflow(CORRECTION)?.fields.includes(field)) return 'plain';
    return null;
  },

  /** The child's 确认表 as the guardian reads it: ID numbers and 学籍号 only masked (plugins/student-id's rule, stored masked). */
  async form(grants: GuardianGrant[], childId: string) {
    const { invitation, guardian } = await this.within(grants, childId);
    const child = await strapi.db.query(CHILD).findOne({ where: { documentId: invitation.childId }, populate: { guardians: true, schoolClass: { select: ['name'] } } });
    if (!child) throw new errors.NotFoundError('Not Found');
    if (invitation.state === 'issued') {
      await strapi.db.query(INVITATION).update({ where: { id: invitation.id }, data: { state: 'opened', openedAt: new Date() } });
      invitation.state = 'opened';
    }
    const kindergarten = await strapi.db.query(KINDERGARTEN).findOne({ where: { code: child.institutionCode }, select: ['name'] });
    const regionCodes = REGION_FIELDS.map((f) => child[f]).filter(Boolean);
    const regions = regionCodes.length ? await strapi.db.query('api::region.region').findMany({ where: { code: { $in: regionCodes } }, select: ['code', 'name'] }) : [];
    const place = (code: string) => (code ? `${regions.find((r: any) => r.code === code)?.name ?? ''}（${code}）` : '');
    const shownValue = (field: string) => {
      if (field === 'idNumber') return child.idNumberMasked ?? '';
      if (field === 'studentNumber') return child.studentNumberMasked ?? '（待生成）';
      if (field === 'sex') return SEX[child.sex] ?? '';
      if (CODED[field]) return child[field] ? entry(CODED[field], child[field])?.name ?? child[field] : '';
      if (REGION_FIELDS.includes(field)) return place(child[field]);
      return child[field] ?? '';
    };
    const requestIds: string[] = invitation.requestIds ?? [];
    const requests = requestIds.length ? await strapi.db.query(REQUEST).findMany({ where: { documentId: { $in: requestIds } }, populate: { evidence: { select: ['id'] } }, orderBy: { submittedAt: 'desc' } }) : [];
    const present = strapi.service(REQUEST) as any;
    await this.audit(invitation, 'guardian.read', 'ok');
    return {
      id: child.documentId, name: child.name, className: child.schoolClass?.name ?? '', kindergartenName: kindergarten?.name ?? '',
      state: invitation.state, expiresAt: invitation.expiresAt, proof: guardiansConfig().proof,
      fields: guardiansConfig().shown.map((field) => {
        const route = field === 'idNumber' || field === 'studentNumber' ? (field === 'idNumber' ? 'key' : null) : this.routeOf(field);
        return {
          field, label: fieldLabel(field, 'children'), value: shownValue(field), route, proofRequired: route === 'key',
          ...(field === 'sex' ? { options: Object.entries(SEX).map(([code, name]) => ({ code, name })) } : {}),
          ...(CODED[field] && route ? { options: activeEntries(CODED[field]).map(({ code, name }) => ({ code, name })) } : {}),
        };
      }),
      guardians: (child.guardians ?? []).map((g: any, index: number) => ({
        name: g.name, relation: entry('guardianRelation', g.relation)?.name ?? g.relation, idNumber: g.idNumberMasked ?? '', phone: g.phone ?? '', employer: g.employer ?? '', mine: index === guardian,
      })),
      review: invitation.review ?? {},
      confirmation: invitation.confirmation ?? null,
      corrections: requests.map((r: any) => {
        const shown = present.present(r);
        return { id: shown.id, type: shown.type, typeName: shown.typeName, state: shown.state, stateName: stateName('requests.state', shown.state), canAddProof: r.type === KEY_CHANGE && OPEN_STATES.includes(shown.state), changes: shown.changes, evidence: (r.evidence ?? []).length, proofRequired: r.type === KEY_CHANGE };
      }),
    };
  },

  /** Acts as the system for the engine's own lookups, only inside this call (the staff reach rules do not apply to a guardian). */
  async asSystem<T>(work: () => Promise<T>): Promise<T> {
    return runAsSystem(strapi, 'guardian confirmation: the engine reads the guardian\'s child', work);
  },

  /**
   * Proposes corrections: the changes split by workflow — key information (child-key-change, proof
   * to follow) and the rest (guardian-correction) — each a request the kindergarten decides.
   */
  async propose(grants: GuardianGrant[], childId: string, input: { changes?: Record<string, unknown>; reason?: unknown }) {
    const { invitation, guardian } = await this.within(grants, childId);
    if (invitation.state === 'confirmed') throw conflictError('已完成电子确认，如需更正请联系幼儿园');
    const changes = input?.changes;
    if (!changes || typeof changes !== 'object' || Array.isArray(changes) || !Object.keys(changes).length) throw fieldError('changes', '请填写需要更正的内容');
    const child = await strapi.db.query(CHILD).findOne({ where: { documentId: invitation.childId }, populate: { guardians: true } });
    const me = child?.guardians?.[guardian];
    if (!me) throw new errors.NotFoundError('Not Found');
    const key: Record<string, unknown> = {};
    const plain: Record<string, unknown> = {};
    for (const [field, raw] of Object.entries(changes)) {
      const value = typeof raw === 'string' ? raw.trim() : raw;
      const contact = Object.keys(CONTACT).includes(field);
      const route = contact ? 'plain' : field === 'guardianName' ? null : this.routeOf(field);
      if (!route) throw fieldError(field, `${fieldLabel(field, 'children')}不能由家长更正，请联系幼儿园`);
      if (value === undefined || value === null || value === '') throw fieldError(field, `请填写${fieldLabel(field, 'children')}的正确值`);
      if (typeof value !== 'string' || value.length > 200) throw fieldError(field, `${fieldLabel(field, 'children')}格式不正确`);
      (route === 'key' ? key : plain)[field] = value;
    }
    if ('guardianPhone' in plain && !/^[0-9+\-\s]{7,20}$/.test(String(plain.guardianPhone))) throw fieldError('guardianPhone', '监护人联系电话格式不正确');
    if ('phone' in plain && !/^[0-9+\-\s]{7,20}$/.test(String(plain.phone))) throw fieldError('phone', '联系电话格式不正确');
    const plainChildFields = Object.fromEntries(Object.entries(plain).filter(([field]) => !(field in CONTACT)));
    const problems = checkChildData(strapi, { ...plainChildFields }, { creating: false, existing: child });
    if (problems.length) throw fieldError(problems[0].field, problems[0].message);
    if (Object.keys(plain).some((field) => field in CONTACT)) plain.guardianName = me.name;
    const reason = `家长${me.name}（${entry('guardianRelation', me.relation)?.name ?? me.relation}）在线确认时提出更正${typeof input.reason === 'string' && input.reason.trim() ? `：${input.reason.trim().slice(0, 500)}` : ''}`;
    const actor = { id: null as any, username: `guardian:${invitation.documentId}`, fullName: `家长 ${me.name}`, level: 'guardian' };
    const requests = strapi.service(REQUEST) as any;
    const filed: any[] = [];
    for (const [type, proposal] of [[KEY_CHANGE, key], [CORRECTION, plain]] as const) {
      if (!Object.keys(proposal).length) continue;
      try {
        filed.push(await this.asSystem(() => requests.submit(actor, { type, subjectId: invitation.childId, changes: proposal, reason })));
      } catch (error) {
        await this.audit(invitation, 'guardian.correction', 'failed', { type, fields: Object.keys(proposal), message: (error as any)?.message });
        throw error;
      }
    }
    const ids = [...(invitation.requestIds ?? []), ...filed.map((r) => r.id)];
    await strapi.db.query(INVITATION).update({ where: { id: invitation.id }, data: { requestIds: ids } });
    await this.audit(invitation, 'guardian.correction', 'ok', { requests: filed.map((r) => ({ id: r.id, type: r.type, fields: r.changes.map((c: any) => c.field) })) });
    return filed.map((r) => ({ id: r.id, type: r.type, typeName: r.typeName, state: r.state, stateName: stateName('requests.state', r.state), canAddProof: r.type === KEY_CHANGE && OPEN_STATES.includes(r.state), changes: r.changes, proofRequired: r.type === KEY_CHANGE }));
  },

  /** A photo of the proof for one of the session's requests, through the safe upload path (cms/src/security/upload-content.ts). */
  async proof(grants: GuardianGrant[], childId: string, requestId: string, files: unknown) {
    const { invitation } = await this.within(grants, childId);
    if (!(invitation.requestIds ?? []).includes(String(requestId))) throw new errors.NotFoundError('Not Found');
    verifyUploads(files, 'evidence');
    const actor = { id: null as any, username: `guardian:${invitation.documentId}`, fullName: `家长 ${invitation.guardianName ?? ''}`.trim(), level: 'guardian' };
    const requests = strapi.service(REQUEST) as any;
    const shown: any = await this.asSystem(() => requests.addEvidence(actor, String(requestId), files));
    await this.audit(invitation, 'guardian.proof', 'ok', { request: requestId, files: shown.evidence.length });
    return { id: shown.id, evidence: shown.evidence.length };
  },

  /**
   * The electronic confirmation: the guardian's typed name (one of the child's guardians), the
   * per-field review, time, device and address — kept on the invitation and in the audit trail.
   */
  async confirm(grants: GuardianGrant[], childId: string, input: { typedName?: unknown; review?: unknown }) {
    const { invitation, guardian } = await this.within(grants, childId);
    if (invitation.state === 'confirmed') throw conflictError('已完成电子确认');
    const child = await strapi.db.query(CHILD).findOne({ where: { documentId: invitation.childId }, populate: { guardians: true } });
    const me = child?.guardians?.[guardian];
    const typedName = String(input?.typedName ?? '').trim();
    if (!typedName) throw fieldError('typedName', '请输入监护人姓名以完成电子确认');
    if (typedName !== me?.name) throw fieldError('typedName', '输入的姓名与监护人姓名不一致');
    const review = input?.review && typeof input.review === 'object' && !Array.isArray(input.review) ? (input.review as Record<string, unknown>) : {};
    const shown = guardiansConfig().shown;
    const cleaned: Record<string, 'confirmed' | 'corrected'> = {};
    for (const field of shown) {
      const value = review[field] ?? 'confirmed';
      if (value !== 'confirmed' && value !== 'corrected') throw fieldError(`review.${field}`, `${fieldLabel(field, 'children')}须为“确认无误”或“已提出更正”`);
      cleaned[field] = value;
    }
    const ctx: any = strapi.requestContext.get();
    const confirmation = { typedName, guardianIndex: guardian, at: new Date().toISOString(), ip: ctx?.request?.ip ?? null, device: String(ctx?.get?.('user-agent') ?? '').slice(0, 300) };
    const { count } = await strapi.db.query(INVITATION).updateMany({ where: { id: invitation.id, state: { $ne: 'confirmed' } }, data: { state: 'confirmed', confirmedAt: new Date(), review: cleaned, confirmation } });
    if (count !== 1) throw conflictError('已完成电子确认');
    await this.audit(invitation, 'guardian.confirm', 'ok', { typedName, corrected: Object.keys(cleaned).filter((f) => cleaned[f] === 'corrected'), ip: confirmation.ip, device: confirmation.device });
    return { state: 'confirmed', confirmation };
  },
});

export type GuardianInvitationService = ReturnType<typeof invitationService>;
export default invitationService;
