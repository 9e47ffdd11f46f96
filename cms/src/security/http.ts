import { securityConfig } from './config';

/**
 * HTTP hardening from config/security.json `http`: the security headers of `strapi::security`
 * (helmet) with a Content-Security-Policy that allows the panel's own scripts and nothing foreign,
 * CORS for the configured origins only, upload types and size.
 */
export function securityHeaders() {
  return {
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'", "'unsafe-inline'"],
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:', 'blob:'],
        'font-src': ["'self'", 'data:'],
        'connect-src': ["'self'"],
        'object-src': ["'none'"],
        'frame-ancestors': ["'none'"],
        'base-uri': ["'self'"],
        'form-action': ["'self'"],
        upgradeInsecureRequests: null,
      },
    },
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
