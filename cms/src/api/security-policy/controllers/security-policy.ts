import type { Core } from '@strapi/strapi';

const service = (strapi: Core.Strapi) => strapi.service('api::security-policy.security-policy') as any;

/** Thin: the rules are in cms/src/security/policy.ts and the service. */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async find(ctx) {
    ctx.body = { data: await service(strapi).view() };
  },
  async update(ctx) {
    ctx.body = { data: await service(strapi).change(ctx.state.user, ctx.request.body?.data ?? ctx.request.body) };
  },
});
