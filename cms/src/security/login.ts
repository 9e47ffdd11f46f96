import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { securityConfig } from './config';
import { passwordExpired, passwordProblem } from './passwords';
import { generateSecret, openTotpSecret, otpauthUri, sealTotpSecret, verifyTotp } from './totp';
import { recordAudit } from './audit';
import { sessionService, setRefreshCookie, type SessionRow } from './sessions';
import { fieldError } from '../utils/validation';
import { forbidden, unauthorized } from './errors';

const USER = 'plugin::users-permissions.user';
const INVALID = 'Invalid identifier or password';
/** A bcrypt hash of nothing anyone types: unknown usernames cost the same time as wrong passwords. */
const DUMMY_HASH = '$2a$10$C6El2Fj5nxk1H3LQuAmv2uqh6dpDS6qfJFr42MCI7TKeFQPhLKub6';

export type LoginAnswer = {
  jwt: string;
  refreshToken: string;
  expiresIn: number;
  user: { id: string; username: string; level: string | null };
  mustChangePassword: boolean;
  totpEnrolmentRequired: boolean;
  pending: string[];
};

function usersTable(strapi: Core.Strapi): string {
  return strapi.db.metadata.get(USER as any).tableName;
}

function clientOf(ctx: any) {
  return { ip: ctx?.request?.ip ?? null, userAgent: ctx?.request?.header?.['user-agent'] ?? null };
}

/** Whether the account must use a second factor (config totp.requiredLevels / requiredRoles). */
export function totpRequired(user: Record<string, any>): boolean {
  if (user.totpExempt) return false;
  const { requiredLevels, requiredRoles } = securityConfig().totp;
  return requiredLevels.includes(user.level) || requiredRoles.includes(user.role?.type);
}

/** What the user must do before anything else: change the password, enrol a second factor. */
export function pendingFor(user: Record<string, any>): string[] {
  const pending: string[] = [];
  if (user.mustChangePassword || passwordExpired(user.passwordChangedAt ?? user.createdAt)) pending.push('password');
  if (totpRequired(user) && !user.totpEnabled) pending.push('totp');
  return pending;
}

/**
 * The one login of the system — `POST /api/auth/login` and Strapi's own `POST /api/auth/local`:
 * lockout after lockout.maxFailures failures for lockMinutes (counted in the database, so every
 * instance shares it), the second factor, password expiry and first-login change, a new session
 * (its refresh token in the body and in the httpOnly refresh cookie, see sessions.ts).
 */
export function loginService(strapi: Core.Strapi) {
  const users = () => strapi.plugin('users-permissions').service('user');
  const sessions = sessionService(strapi);

  async function failed(user: Record<string, any> | null, identifier: string, ctx: any, reason: string) {
    if (user) {
      const { maxFailures, lockMinutes } = securityConfig().lockout;
      const table = usersTable(strapi);
      await strapi.db.connection(table).where({ id: user.id }).increment('failed_logins', 1);
      const row = await strapi.db.connection(table).where({ id: user.id }).first('failed_logins');
      if (Number(row?.failed_logins) >= maxFailures) {
        await strapi.db.connection(table).where({ id: user.id }).update({ failed_logins: 0, locked_until: new Date(Date.now() + lockMinutes * 60_000) });
        await recordAudit(strapi, { action: 'account.locked', outcome: 'refused', targetType: USER, targetId: user.documentId, actor: { id: user.id, username: user.username, level: user.level }, ip: clientOf(ctx).ip, details: { failures: maxFailures, minutes: lockMinutes } });
      }
    }
    await recordAudit(strapi, {
      action: 'login', outcome: 'failed', targetType: USER, targetId: user?.documentId ?? null,
      actor: { id: user?.id ?? null, username: user?.username ?? identifier.slice(0, 100), level: user?.level ?? null }, ip: clientOf(ctx).ip, details: { reason },
    });
  }

  return {
    async login(ctx: any, body: Record<string, any>): Promise<LoginAnswer> {
      const identifier = typeof body?.identifier === 'string' ? body.identifier.trim() : typeof body?.username === 'string' ? body.username.trim() : '';
      const password = typeof body?.password === 'string' ? body.password : '';
      if (!identifier) throw fieldError('identifier', '用户名必填');
      if (!password) throw fieldError('password', '密码必填');
      const user = await strapi.db.query(USER).findOne({
        where: { provider: 'local', $or: [{ username: identifier }, { email: identifier.toLowerCase() }] },
        populate: ['role'],
      });
      if (user?.lockedUntil && new Date(user.lockedUntil).getTime() > Date.now()) {
        const minutes = Math.ceil((new Date(user.lockedUntil).getTime() - Date.now()) / 60_000);
        await recordAudit(strapi, { action: 'login', outcome: 'refused', targetType: USER, targetId: user.documentId, actor: { id: user.id, username: user.username, level: user.level }, ip: clientOf(ctx).ip, details: { reason: 'locked' } });
        throw forbidden(`登录失败次数过多，账号已锁定，请 ${minutes} 分钟后再试`, { code: 'ACCOUNT_LOCKED', lockedUntil: new Date(user.lockedUntil).toISOString() });
      }
      const valid = await users().validatePassword(password, user?.password || DUMMY_HASH);
      if (!user || !user.password || !valid) {
        await failed(user, identifier, ctx, user ? 'password' : 'unknown');
        throw new errors.ValidationError(INVALID);
      }
      if (user.blocked) {
        await recordAudit(strapi, { action: 'login', outcome: 'refused', targetType: USER, targetId: user.documentId, actor: { id: user.id, username: user.username, level: user.level }, ip: clientOf(ctx).ip, details: { reason: 'blocked' } });
        throw new errors.ApplicationError('Your account has been blocked by an administrator');
      }
      if (user.totpEnabled && user.totpSecret) {
        const code = body.totp ?? body.otp;
        if (code === undefined || code === null || code === '') {
          throw new errors.ValidationError('请输入动态口令 (TOTP)', { code: 'TOTP_REQUIRED' });
        }
        if (!verifyTotp(openTotpSecret(user.totpSecret)!, code)) {
          await failed(user, identifier, ctx, 'totp');
          throw new errors.ValidationError('动态口令错误', { code: 'TOTP_INVALID' });
        }
      }
      if (user.failedLogins || user.lockedUntil) {
        await strapi.db.connection(usersTable(strapi)).where({ id: user.id }).update({ failed_logins: 0, locked_until: null });
      }
      const pending = pendingFor(user);
      const { row, refreshToken, accessToken } = await sessions.create(user.id, { pending, ...clientOf(ctx) });
      await recordAudit(strapi, { action: 'login', outcome: 'ok', targetType: USER, targetId: user.documentId, actor: { id: user.id, username: user.username, level: user.level }, ip: clientOf(ctx).ip, details: { session: row.id, pending } });
      // the browser keeps the refresh token in an httpOnly cookie; API clients take it from the body
      setRefreshCookie(ctx, refreshToken, row.expiresAt);
      return this.answer(user, row, accessToken, refreshToken);
    },

    answer(user: Record<string, any>, row: SessionRow, accessToken: string, refreshToken: string): LoginAnswer {
      const pending = row.pending ? row.pending.split(',') : [];
      return {
        jwt: accessToken,
        refreshToken,
        expiresIn: securityConfig().session.accessTokenMinutes * 60,
        user: { id: user.documentId, username: user.username, level: user.level ?? null },
        mustChangePassword: pending.includes('password'),
        totpEnrolmentRequired: pending.includes('totp'),
        pending,
      };
    },

    /**
     * Changes the caller's own password: the current one, the rules of config/security.json, none
     * of the last historySize; other sessions end; this one is freed from the 'password' duty.
     * Every refusal is audited too (password.change, outcome failed, the reason — never a password):
     * someone probing the current password of an open session, or trying old ones, shows in the trail.
     */
    async changePassword(ctx: any, session: SessionRow, body: Record<string, any>) {
      const user = await strapi.db.query(USER).findOne({ where: { id: session.userId }, populate: ['role'] });
      if (!user) throw unauthorized('请先登录', { code: 'SESSION_UNKNOWN' });
      const current = body?.currentPassword;
      const next = body?.password;
      /** Audits a refused change (the field and reason, no password) and gives back the 400 to throw. */
      const refused = async (reason: string, field: string, message: string) => {
        await recordAudit(strapi, { action: 'password.change', outcome: 'failed', targetType: USER, targetId: user.documentId, actor: { id: user.id, username: user.username, level: user.level }, ip: clientOf(ctx).ip, details: { reason, field, message } });
        return fieldError(field, message);
      };
      if (typeof current !== 'string' || !current) throw await refused('current password missing', 'currentPassword', '当前密码必填');
      const problem = passwordProblem(next, user.username);
      if (problem) throw await refused('policy', 'password', problem);
      if (body.passwordConfirmation !== undefined && body.passwordConfirmation !== next) throw await refused('confirmation mismatch', 'passwordConfirmation', '两次输入的新密码不一致');
      if (!(await users().validatePassword(current, user.password))) throw await refused('current password wrong', 'currentPassword', '当前密码不正确');
      const { historySize } = securityConfig().password;
      const history: string[] = Array.isArray(user.passwordHistory) ? user.passwordHistory : [];
      const previous = [user.password, ...history].slice(0, historySize);
      for (const hash of previous) {
        if (hash && (await users().validatePassword(next, hash))) throw await refused('reused', 'password', `新密码不能与最近 ${historySize} 次使用过的密码相同`);
      }
      if (ctx?.state) ctx.state.securityActor = { id: user.id, username: user.username, level: user.level };
      await users().edit(user.id, { password: next });
      await strapi.db.query(USER).update({
        where: { id: user.id },
        data: { passwordHistory: previous, passwordChangedAt: new Date(), mustChangePassword: false },
      });
      await sessions.revokeAllOf(user.id, session.id);
      const pending = (session.pending ? session.pending.split(',') : []).filter((duty) => duty !== 'password');
      await sessions.setPending(session, pending);
      await recordAudit(strapi, { action: 'password.change', outcome: 'ok', targetType: USER, targetId: user.documentId, actor: { id: user.id, username: user.username, level: user.level }, ip: clientOf(ctx).ip });
      return { ok: true, pending };
    },

    /** Starts (or restarts) TOTP enrolment: a new secret, shown once with its otpauth URI. */
    async totpSetup(session: SessionRow) {
      const user = await strapi.db.query(USER).findOne({ where: { id: session.userId } });
      if (!user) throw unauthorized('请先登录', { code: 'SESSION_UNKNOWN' });
      if (user.totpEnabled) throw new errors.ApplicationError('动态口令已启用', { code: 'TOTP_ALREADY_ENABLED' });
      const secret = generateSecret();
      await strapi.db.query(USER).update({ where: { id: user.id }, data: { totpSecret: sealTotpSecret(secret), totpEnabled: false } });
      return { secret, otpauthUri: otpauthUri(secret, user.username) };
    },

    /** Confirms enrolment with a first code; from then on every login asks for one. */
    async totpEnable(session: SessionRow, body: Record<string, any>) {
      const user = await strapi.db.query(USER).findOne({ where: { id: session.userId } });
      if (!user?.totpSecret) throw fieldError('code', '请先获取动态口令密钥');
      if (!verifyTotp(openTotpSecret(user.totpSecret)!, body?.code)) throw fieldError('code', '动态口令错误');
      await strapi.db.query(USER).update({ where: { id: user.id }, data: { totpEnabled: true } });
      const pending = (session.pending ? session.pending.split(',') : []).filter((duty) => duty !== 'totp');
      await sessionService(strapi).setPending(session, pending);
      await recordAudit(strapi, { action: 'totp.enable', outcome: 'ok', targetType: USER, targetId: user.documentId, actor: { id: user.id, username: user.username, level: user.level } });
      return { ok: true, pending };
    },
  };
}
