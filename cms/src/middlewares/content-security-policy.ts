import type { Core } from '@strapi/strapi';
import { contentSecurityPolicy } from '../security/http';

/** Sets the Content-Security-Policy of the request's part of the site (cms/src/security/http.ts). */
export default (_config: unknown, { strapi }: { strapi: Core.Strapi }) => {
  const adminPath = String(strapi.config.get('admin.path', '/admin') || '/admin');
  return async (ctx: any, next: () => Promise<unknown>) => {
    ctx.set('Content-Security-Policy', contentSecurityPolicy(ctx.path, adminPath));
    await next();
  };
};
