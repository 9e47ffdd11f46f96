import { defaultSecurityConfig, securityConfig } from './config';

/**
 * HTTP hardening from config/security.json `http`: the security headers of `strapi::security`
 * (helmet), CORS for the configured origins only, upload types and size.
 *
 * The Content-Security-Policy is not helmet's: `strapi::security` fills a configured directive
 * list from its own defaults index by index (lodash defaultsDeep), which silently added `https:`
 * to connect-src and a third-party image host to img-src. It is set by the middleware
 * global::content-security-policy from config/security.json `contentSecurityPolicy` instead
 * (see contentSecurityPolicy below).
 */
export function securityHeaders() {
  return {
    contentSecurityPolicy: false,
    hsts: { maxAge: 31_536_000, includeSubDomains: true },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginEmbedderPolicy: false,
  };
}

export function corsOrigins(env = process.env): string[] {
  if (env.CORS_ORIGINS) return env.CORS_ORIGINS.split(',').map((origin) => origin.trim()).filter(Boolean);
  const configured = (securityConfig() as any).http?.corsOrigins ?? [];
  return env.PUBLIC_URL ? [...new Set([...configured, new URL(env.PUBLIC_URL).origin])] : configured;
}

export function uploadConfig() {
  const http = (securityConfig() as any).http ?? {};
  return { sizeLimit: http.uploadMaxBytes ?? 10 * 1024 * 1024, security: { allowedTypes: http.uploadTypes ?? ['image/*', 'application/pdf'] } };
}

type Directives = Record<string, string[] | string>;

/** A policy's header value: `name source source; name …` (the `$comment` key is not a directive). */
function headerValue(directives: Directives): string {
  return Object.entries(directives)
    .filter(([name, sources]) => !name.startsWith('$') && Array.isArray(sources))
    .map(([name, sources]) => [name, ...(sources as string[])].join(' '))
    .join('; ');
}

let cachedPolicies: { panel: string; strapiAdmin: string } | undefined;

/**
 * The Content-Security-Policy of a request path: Strapi's own admin (admin.path and below, the path
 * as Koa has it — a spelling that is not literally under it gets the stricter policy) has the one
 * its build needs; everything else — the panel, its assets, every API answer — the panel's:
 * scripts, connections and images from this origin only, no inline script.
 */
export function contentSecurityPolicy(path: string, adminPath = '/admin'): string {
  if (!cachedPolicies) {
    const policies = (defaultSecurityConfig() as any).contentSecurityPolicy ?? {};
    cachedPolicies = { panel: headerValue(policies.panel ?? { 'default-src': ["'self'"] }), strapiAdmin: headerValue(policies.strapiAdmin ?? policies.panel ?? { 'default-src': ["'self'"] }) };
  }
  const underAdmin = path === adminPath || path.startsWith(`${adminPath}/`);
  return underAdmin ? cachedPolicies.strapiAdmin : cachedPolicies.panel;
}
