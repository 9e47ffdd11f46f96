import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { securityConfig } from './config';
import { isRateLimitedPath, rateLimited } from './rate-limit';
import { aliveReason, bearerOf, readAccessToken, sessionService } from './sessions';
import { recordAudit } from './audit';
import { signFileUrls } from './files';
import { isUnder, routeIdentity } from './route-identity';
import { auditRevealedIds } from './pii-read-audit';

/** Routes a session with pending duties (change the password, enrol TOTP) may still call. */
const DUTY_ROUTES = ['/api/auth/change-password', '/api/auth/logout', '/api/auth/refresh', '/api/auth/totp/setup', '/api/auth/totp/enable', '/api/auth/password-rules', '/api/me'];

const MESSAGES: Record<string, string> = {
  SESSION_UNKNOWN: '会话无效，请重新登录',
  SESSION_REVOKED: '会话已注销，请重新登录',
  SESSION_EXPIRED: '会话已过期，请重新登录',
  SESSION_IDLE: '长时间未操作，会话已超时，请重新登录',
};

function routeAudits() {
  return securityConfig().audit.routes.map((route) => ({ ...route, regex: new RegExp(route.pattern) }));
}

/**
 * The security middleware, before Strapi's router:
 * - a per-IP rate limit on the auth routes (429 + Retry-After);
 * - every bearer token of ours must belong to a live session (not revoked, not idle, not past its
 *   absolute end): otherwise 401 with a code;
 * - a session with duties (first-login or expired password, TOTP enrolment) reaches only the
 *   routes that fulfil them: otherwise 403 PASSWORD_CHANGE_REQUIRED / TOTP_ENROLMENT_REQUIRED;
 * - afterwards, routes named in config audit.routes (decisions, exports, accounts, roles) and every
 *   answer that shows a full ID number are written to the audit trail.
 */
export function securityGuard(strapi: Core.Strapi) {
  const sessions = sessionService(strapi);
  const audits = routeAudits();
  return async (ctx: any, next: () => Promise<any>) => {
    // every decision below is taken on the one canonical, lower-case identity of the path, never on
    // the URL as sent (cms/src/security/route-identity.ts)
    const path = routeIdentity(ctx);
    if (isRateLimitedPath(path)) {
      const { limited, retryAfter } = await rateLimited(strapi, ctx.request.ip);
      if (limited) {
        ctx.set('Retry-After', String(retryAfter));
        throw new errors.RateLimitError('请求过于频繁，请稍后再试', { code: 'RATE_LIMITED', retryAfter });
      }
    }
    // Uploaded files are not public: only signed links (cms/src/security/files.ts).
    if (isUnder(path, '/uploads')) throw new errors.NotFoundError('Not Found');
    // a token of ours is checked whatever the path: no route is outside the session rules
    const token = bearerOf(ctx);
    const payload = token ? readAccessToken(token) : null;
    if (payload) {
      if (typeof payload.sid !== 'number') throw new errors.UnauthorizedError(MESSAGES.SESSION_UNKNOWN, { code: 'SESSION_UNKNOWN' });
      const row = await sessions.get(payload.sid);
      const reason = row && Number(row.userId) !== Number(payload.id) ? 'SESSION_UNKNOWN' : aliveReason(row);
      if (reason) throw new errors.UnauthorizedError(MESSAGES[reason], { code: reason });
      await sessions.touch(row!);
      ctx.state.securitySession = row;
      // Acting under a delegation: the request runs as the delegator; the trail names both.
      if (row!.delegateId) {
        ctx.state.delegation = { delegationId: row!.delegationId, delegateId: row!.delegateId, delegateUsername: row!.delegateUsername };
        // what stays personal: the delegator's password, second factor and delegations
        if (/^\/api\/(auth\/(change-password|totp|act-as)|delegations)/.test(path)) {
          throw new errors.ForbiddenError('代理会话不能修改授权人的密码、动态口令或授权', { code: 'DELEGATION_PERSONAL' });
        }
      }
      const pending = row!.pending ? row!.pending.split(',') : [];
      if (pending.length && !DUTY_ROUTES.includes(path)) {
        const code = pending.includes('password') ? 'PASSWORD_CHANGE_REQUIRED' : 'TOTP_ENROLMENT_REQUIRED';
        throw new errors.ForbiddenError(code === 'PASSWORD_CHANGE_REQUIRED' ? '请先修改密码' : '请先绑定动态口令 (TOTP)', { code, pending });
      }
    }
    await next();
    if (isUnder(path, '/api') && ctx.body && typeof ctx.body === 'object' && !Buffer.isBuffer(ctx.body) && typeof ctx.body.pipe !== 'function') signFileUrls(ctx.body);
    const method = ctx.method;
    const matched = audits.find((route) => (route.method === '*' || route.method.split(',').includes(method)) && route.regex.test(path));
    if (matched && method !== 'OPTIONS') {
      await recordAudit(strapi, {
        action: matched.action,
        outcome: ctx.status < 400 ? 'ok' : 'failed',
        targetType: path,
        targetId: ctx.params?.id ?? null,
        details: { method, status: ctx.status, query: ctx.querystring ? ctx.querystring.slice(0, 500) : undefined },
      });
    }
    // every answer that shows a full ID number: JSON records, printable forms, import reports
    await auditRevealedIds(strapi, ctx, path);
  };
}
