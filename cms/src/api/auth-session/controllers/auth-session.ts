import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { loginService } from '../../../security/login';
import { clearRefreshCookie, hashToken, PANEL_HEADER, presentedRefreshToken, sessionService, setRefreshCookie } from '../../../security/sessions';
import { recordAudit } from '../../../security/audit';
import { forbidden, unauthorized } from '../../../security/errors';

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

  /** The refresh token from the body (API clients) or the httpOnly cookie (the panel, with its header). */
  async refresh(ctx) {
    const presented = presentedRefreshToken(ctx);
    if (presented.error) {
      throw forbidden(`以 Cookie 续期会话须带请求头 ${PANEL_HEADER.name}: ${PANEL_HEADER.value}（防止跨站请求伪造）`, { code: presented.error });
    }
    const result = await sessionService(strapi).refresh(presented.token);
    if ('error' in result) throw unauthorized('会话已失效，请重新登录', { code: result.error });
    const user = await strapi.db.query('plugin::users-permissions.user').findOne({ where: { id: result.row.userId } });
    if (!user || user.blocked) throw unauthorized('会话已失效，请重新登录', { code: 'SESSION_UNKNOWN' });
    setRefreshCookie(ctx, result.refreshToken, result.row.expiresAt);
    ctx.body = loginService(strapi).answer(user, result.row, result.accessToken, result.refreshToken);
  },

  /** Ends the bearer's session, or the one of the refresh token presented (body, or cookie with the panel's header); clears the cookie. */
  async logout(ctx) {
    const sessions = sessionService(strapi);
    let session = ctx.state.securitySession;
    if (!session) {
      const presented = presentedRefreshToken(ctx);
      if (presented.token) {
        session = await strapi.db.query('api::auth-session.auth-session').findOne({ where: { refreshHash: hashToken(String(presented.token)) } });
      }
    }
    if (session && !session.revokedAt) {
      await sessions.revoke(session.id);
      const user = await strapi.db.query('plugin::users-permissions.user').findOne({ where: { id: session.userId } });
      await recordAudit(strapi, { action: 'logout', actor: user ? { id: user.id, username: user.username, level: user.level } : null, ip: ctx.request.ip, targetType: 'session', targetId: session.id });
    }
    clearRefreshCookie(ctx);
    ctx.body = { ok: true };
  },

  async changePassword(ctx) {
    ctx.body = await loginService(strapi).changePassword(ctx, currentSession(ctx), ctx.request.body ?? {});
  },

  async totpSetup(ctx) {
    ctx.body = await loginService(strapi).totpSetup(currentSession(ctx));
  },

  async actAs(ctx) {
    const answer = await (strapi.service('api::delegation.delegation') as any).actAs(ctx, currentSession(ctx), ctx.request.body?.delegation);
    // like every answer that issues a session: the browser keeps its refresh token in the cookie
    setRefreshCookie(ctx, answer.refreshToken, answer.endsAt);
    ctx.body = answer;
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
