import type { Core } from '@strapi/strapi';
import { contentSecurityPolicy } from '../security/http';
import { routeIdentity } from '../security/route-identity';

/**
 * Sets the Content-Security-Policy of the request's part of the site (cms/src/security/http.ts),
 * decided on the route identity like every other path decision (cms/src/security/route-identity.ts).
 */
export default (_config: unknown, { strapi }: { strapi: Core.Strapi }) => {
  const adminPath = String(strapi.config.get('admin.path', '/admin') || '/admin').toLowerCase();
  return async (ctx: any, next: () => Promise<unknown>) => {
    ctx.set('Content-Security-Policy', contentSecurityPolicy(routeIdentity(ctx), adminPath));
    await next();
  };
};
