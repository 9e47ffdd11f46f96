import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { newDocumentId } from '../../../domain/document-ids';
import { fieldError, conflictError } from '../../../utils/validation';
import { forbidden } from '../../../security/errors';
import { sessionService } from '../../../security/sessions';
import { recordAudit } from '../../../security/audit';

const DELEGATION = 'api::delegation.delegation';
const USER = 'plugin::users-permissions.user';
/** Longest a delegation may last (days). */
const MAX_DAYS = 30;

type Actor = { id: number; username: string; level?: string | null; role?: { type?: string } | null };

const isAdmin = (actor: Actor) => actor.role?.type === 'sysadmin';
/**
 * Delegation instead of lending a password (domain §8): a user asks that a colleague of the same
 * level and place act for them for a bounded time; the system administrator consents; actions
 * under it record both people (cms/src/security/audit.ts); revoking ends its sessions.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  query() {
    return strapi.db.query(DELEGATION as any);
  },

  async request(actor: Actor, input: Record<string, any>) {
    if (!actor.level) throw forbidden('只有业务账号可以申请授权代理', { code: 'DELEGATION_NOT_ALLOWED' });
    const delegate = typeof input?.delegate === 'string' ? await strapi.db.query(USER).findOne({ where: { username: input.delegate.trim() } }) : null;
    if (!delegate || delegate.id === actor.id || delegate.blocked) throw fieldError('delegate', '被授权人不存在或不可用');
    const me = await strapi.db.query(USER).findOne({ where: { id: actor.id } });
    if (delegate.level !== me.level || delegate.regionCode !== me.regionCode || (delegate.institutionCode ?? null) !== (me.institutionCode ?? null)) {
      throw fieldError('delegate', '被授权人须为同一单位、同一层级的账号');
    }
    const startsAt = new Date(input?.startsAt ?? Date.now());
    const endsAt = new Date(input?.endsAt);
    if (Number.isNaN(startsAt.getTime())) throw fieldError('startsAt', '开始时间格式不正确');
    if (Number.isNaN(endsAt.getTime()) || endsAt <= startsAt) throw fieldError('endsAt', '结束时间须晚于开始时间');
    if (endsAt.getTime() - startsAt.getTime() > MAX_DAYS * 86_400_000) throw fieldError('endsAt', `授权期限不超过 ${MAX_DAYS} 天`);
    const reason = typeof input?.reason === 'string' ? input.reason.trim() : '';
    if (!reason) throw fieldError('reason', '授权理由必填');
    const now = new Date();
    const row = await this.query().create({
      data: {
        documentId: newDocumentId(), delegatorId: me.id, delegatorUsername: me.username, delegateId: delegate.id, delegateUsername: delegate.username,
        startsAt, endsAt, reason: reason.slice(0, 500), state: 'requested', createdAt: now, updatedAt: now,
      },
    });
    return this.toPublic(row);
  },

  toPublic(row: any) {
    return {
      id: row.documentId, delegator: row.delegatorUsername, delegate: row.delegateUsername, startsAt: row.startsAt, endsAt: row.endsAt,
      reason: row.reason, state: row.state, decidedBy: row.decidedBy ?? null, decidedAt: row.decidedAt ?? null,
    };
  },

  /** The caller's delegations (given or received); all of them for the system administrator. */
  async list(actor: Actor) {
    const where = isAdmin(actor) ? {} : { $or: [{ delegatorId: actor.id }, { delegateId: actor.id }] };
    const rows = await this.query().findMany({ where, orderBy: { createdAt: 'desc' }, limit: 200 });
    return { data: rows.map((row: any) => this.toPublic(row)), meta: { pagination: { start: 0, limit: 200, total: rows.length } } };
  },

  async load(actor: Actor, id: string) {
    const row = await this.query().findOne({ where: { documentId: id } });
    if (!row || (!isAdmin(actor) && row.delegatorId !== actor.id && row.delegateId !== actor.id)) throw new errors.NotFoundError('Not Found');
    return row;
  },

  /** The system administrator consents or refuses, once: one guarded UPDATE. */
  async decide(actor: Actor, id: string, approve: boolean) {
    if (!isAdmin(actor)) throw forbidden('授权代理须由系统管理员同意', { code: 'DELEGATION_ADMIN_ONLY' });
    const row = await this.load(actor, id);
    const changed = await this.query().updateMany({
      where: { id: row.id, state: 'requested' },
      data: { state: approve ? 'approved' : 'rejected', decidedBy: actor.username, decidedAt: new Date() },
    });
    if (!changed.count) throw conflictError('该授权已处理', ['state']);
    return this.toPublic(await this.query().findOne({ where: { id: row.id } }));
  },

  /** The delegator or the administrator ends it; its sessions end at once. */
  async revoke(actor: Actor, id: string) {
    const row = await this.load(actor, id);
    if (!isAdmin(actor) && row.delegatorId !== actor.id) throw forbidden('只有授权人或系统管理员可以撤销', { code: 'DELEGATION_REVOKE' });
    await this.query().update({ where: { id: row.id }, data: { state: 'revoked', decidedBy: actor.username, decidedAt: new Date() } });
    await sessionService(strapi).revokeDelegation(row.id);
    return this.toPublic(await this.query().findOne({ where: { id: row.id } }));
  },

  /**
   * The delegate, signed in as themself, opens a session as the delegator under an approved
   * delegation in force; it ends with the delegation.
   */
  async actAs(ctx: any, session: { userId: number; delegateId?: number | null }, id: unknown) {
    if (session.delegateId) throw forbidden('代理会话不能再次代理', { code: 'DELEGATION_NESTED' });
    const row = typeof id === 'string' ? await this.query().findOne({ where: { documentId: id } }) : null;
    if (!row || row.delegateId !== session.userId) throw new errors.NotFoundError('Not Found');
    const now = Date.now();
    if (row.state !== 'approved' || new Date(row.startsAt).getTime() > now || new Date(row.endsAt).getTime() <= now) {
      throw forbidden('该授权未被同意或不在有效期内', { code: 'DELEGATION_NOT_IN_FORCE' });
    }
    const delegator = await strapi.db.query(USER).findOne({ where: { id: row.delegatorId } });
    if (!delegator || delegator.blocked) throw forbidden('授权人账号不可用', { code: 'DELEGATION_NOT_IN_FORCE' });
    const created = await sessionService(strapi).create(delegator.id, {
      ip: ctx.request?.ip, userAgent: ctx.request?.header?.['user-agent'],
      delegation: { id: row.id, delegateId: row.delegateId, delegateUsername: row.delegateUsername, endsAt: row.endsAt },
    });
    await recordAudit(strapi, {
      action: 'delegation.act-as', targetType: DELEGATION, targetId: row.documentId,
      actor: { id: row.delegateId, username: row.delegateUsername, level: delegator.level }, onBehalfOf: { id: delegator.id, username: delegator.username }, ip: ctx.request?.ip ?? null,
    });
    return { jwt: created.accessToken, refreshToken: created.refreshToken, actingFor: delegator.username, endsAt: created.row.expiresAt };
  },
});
