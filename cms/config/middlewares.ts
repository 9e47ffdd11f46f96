import { corsOrigins, securityHeaders } from '../src/security/http';

export default [
  { name: 'global::ra-bridge', config: { search: { kindergartens: ['name', 'code', 'address'], regions: ['name', 'code'], 'school-classes': ['name'], 'unlicensed-institutions': ['name', 'address'], children: ['name', 'studentNumber'] } } },
  'strapi::logger',
  'strapi::errors',
  'global::database-errors',
  // Security headers (CSP, HSTS, no framing, no referrer) and CORS for the configured origins only:
  // config/security.json `http`, see cms/src/security/http.ts.
  { name: 'strapi::security', config: securityHeaders() },
  // Content-Security-Policy per part of the site (panel, Strapi's admin): cms/src/security/http.ts
  'global::content-security-policy',
  { name: 'strapi::cors', config: { expose: ['Content-Range', 'Retry-After', 'X-Total-Estimated'], origin: corsOrigins() } },
  // no 'strapi::poweredBy': the server does not announce what it runs
  'global::panel',
  'strapi::query',
  // removes the temporary files of every upload once answered (strapi::body removes only `files`)
  'global::upload-cleanup',
  'strapi::body',
  'global::ra-body',
  'global::security',
  'strapi::session',
  'strapi::favicon',
  'strapi::public',
];
