import { corsOrigins, securityHeaders } from '../src/security/http';

export default [
  // first: the path in its one canonical spelling for everything after (cms/src/security/route-identity.ts)
  'global::canonical-path',
  // the client's address: X-Forwarded-For believed only from TRUSTED_PROXIES (cms/src/middlewares/client-address.ts)
  'global::client-address',
  { name: 'global::ra-bridge', config: { search: { kindergartens: ['name', 'code', 'address'], regions: ['name', 'code'], 'school-classes': ['name'], 'unlicensed-institutions': ['name', 'address'], children: ['name', 'studentNumber:eq'] } } },
  'strapi::logger',
  'strapi::errors',
  // Strapi's own admin: off in production, no registration from the network, no personal data (cms/src/security/strapi-admin.ts)
  'global::strapi-admin',
  'global::database-errors',
  // Security headers (CSP, HSTS, no framing, no referrer) and CORS for the configured origins only:
  // config/security.json `http`, see cms/src/security/http.ts. (strapi::security and strapi::logger do
  // less per request than Strapi's own, same headers and lines: cms/src/runtime/core-middlewares.ts)
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
  // at most config/cluster.json server.admission.concurrent requests worked on at once, the others
  // served in arrival order (cms/src/middlewares/admission.ts)
  'global::admission',
  'global::ra-body',
  'global::security',
  // 学籍号 in filters: the full number only, looked up by its blind index (cms/src/security/student-numbers.ts)
  'global::student-number-filters',
  'strapi::session',
  'strapi::favicon',
  'strapi::public',
];
