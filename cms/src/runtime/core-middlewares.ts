/**
 * Two of Strapi's core middlewares, kept under their names in cms/config/middlewares.ts (Strapi
 * requires `strapi::security` there) with the same behaviour and less work per request:
 * - `strapi::security` (@strapi/core middlewares/security) merges its defaults into the configured
 *   options (lodash defaultsDeep) and builds a new helmet — a dozen header middlewares — for every
 *   request: a few per cent of a list request's CPU. Here the same merge of the same defaults is made
 *   once, by the koa-helmet and lodash that @strapi/core uses, so each header is what Strapi's sets
 *   (tests/unit/request-middlewares.test.ts compares the two). Strapi's per-path exceptions only add
 *   Content-Security-Policy directives (its API documentation, its admin in development), and that
 *   header is set after this one, per part of the site, by global::content-security-policy.
 * - `strapi::logger` formats "GET /api/children (12 ms) 200" and hands it to winston on every request,
 *   which drops it below the http level only after its transform stream (about 2 % of a list
 *   request's CPU): here the line is made only when the http level is logged.
 * Installed at register (cms/src/index.ts), on the middlewares registry.
 */
import { createRequire } from 'node:module';
import type { Core } from '@strapi/strapi';
import { CSP_DEFAULTS } from '@strapi/utils';

const requireFromCore = createRequire(require.resolve('@strapi/core'));

/** @strapi/core's own defaults for strapi::security (middlewares/security, 5.x). */
export const STRAPI_SECURITY_DEFAULTS = {
  crossOriginEmbedderPolicy: false,
  crossOriginOpenerPolicy: false,
  crossOriginResourcePolicy: false,
  originAgentCluster: false,
  contentSecurityPolicy: { useDefaults: true, directives: { ...CSP_DEFAULTS, upgradeInsecureRequests: null } },
  xssFilter: false,
  hsts: { maxAge: 31536000, includeSubDomains: true },
  frameguard: { action: 'sameorigin' },
};

/** strapi::security with its helmet made once for the configured options. */
export function securityHeaders(config: Record<string, unknown> = {}) {
  const fp = requireFromCore('lodash/fp');
  const helmet = requireFromCore('koa-helmet');
  return helmet(fp.defaultsDeep(STRAPI_SECURITY_DEFAULTS, config));
}

/** strapi::logger's line, made only when the http level is logged. */
export function requestLog(strapi: { log: any }) {
  const log = strapi.log;
  return async (ctx: any, next: () => Promise<unknown>) => {
    if (!log.isLevelEnabled?.('http')) return next();
    const start = Date.now();
    await next();
    log.http(`${ctx.method} ${ctx.url} (${Math.ceil(Date.now() - start)} ms) ${ctx.status}`);
  };
}

export function installLeanCoreMiddlewares(strapi: Core.Strapi): void {
  const registry: any = strapi.get('middlewares');
  registry.extend('strapi::security', () => (config: Record<string, unknown>) => securityHeaders(config));
  registry.extend('strapi::logger', () => (_config: unknown, { strapi: app }: { strapi: Core.Strapi }) => requestLog(app));
}
