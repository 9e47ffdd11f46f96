import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { loginService } from '../../../security/login';
import { sessionService } from '../../../security/sessions';
import { recordAudit } from '../../../security/audit';
import { unauthorized } from '../../../security/errors';

function currentSession(ctx: any) {
  const session = ctx.state.securitySession;
  if (!session) throw unauthorized('请先登录', { code: 'SESSION_UNKNOWN' });
  return session;
}

/** Thin: the rules are in cms/src/security. */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async login(ctx) {
    ctx.body = await loginService(strapi).login(ctx, ctx.request.body ?? {});
  },

  async refresh(ctx) {
    const result = await sessionService(strapi).refresh(ctx.request.body?.refreshToken);
    if ('error' in result) throw unauthorized('会话已失效，请重新登录', { code: result.error });
    const user = await strapi.db.query('plugin::users-permissions.user').findOne({ where: { id: result.row.userId } });
    if (!user || user.blocked) throw unauthorized('会话已失效，请重新登录', { code: 'SESSION_UNKNOWN' });
    ctx.body = loginService(strapi).answer(user, result.row, result.accessToken, result.refreshToken);
  },

  async logout(ctx) {
    const sessions = sessionService(strapi);
    let session = ctx.state.securitySession;
    if (!session && ctx.request.body?.refreshToken) {
      const { hashToken } = await import('../../../security/sessions');
      session = await strapi.db.query('api::auth-session.auth-session').findOne({ where: { refreshHash: hashToken(String(ctx.request.body.refreshToken)) } });
    }
    if (session && !session.revokedAt) {
      await sessions.revoke(session.id);
      const user = await strapi.db.query('plugin::users-permissions.user').findOne({ where: { id: session.userId } });
      await recordAudit(strapi, { action: 'logout', actor: user ? { id: user.id, username: user.username, level: user.level } : null, ip: ctx.request.ip, targetType: 'session', targetId: session.id });
    }
    ctx.body = { ok: true };
  },

  async changePassword(ctx) {
    ctx.body = await loginService(strapi).changePassword(ctx, currentSession(ctx), ctx.request.body ?? {});
  },

  async totpSetup(ctx) {
    ctx.body = await loginService(strapi).totpSetup(currentSession(ctx));
  },

  async actAs(ctx) {
    ctx.body = await (strapi.service('api::delegation.delegation') as any).actAs(ctx, currentSession(ctx), ctx.request.body?.delegation);
  },

  async passwordRules(ctx) {
    const { securityConfig } = await import('../../../security/config');
    const { minLength, minKinds, historySize, maxAgeDays } = securityConfig().password;
    ctx.body = { data: { minLength, minKinds, historySize, maxAgeDays } };
  },

  async policy(ctx) {
    const { securityConfig } = await import('../../../security/config');
    ctx.body = { data: securityConfig() };
  },

  async totpEnable(ctx) {
    ctx.body = await loginService(strapi).totpEnable(currentSession(ctx), ctx.request.body ?? {});
  },
});
