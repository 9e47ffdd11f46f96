import type { Core } from '@strapi/strapi';

/** Thin: rules in the delegation service. */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const service = () => strapi.service('api::delegation.delegation') as any;
  return {
    async find(ctx) { ctx.body = await service().list(ctx.state.user); },
    async create(ctx) { ctx.status = 201; ctx.body = { data: await service().request(ctx.state.user, ctx.request.body?.data ?? ctx.request.body ?? {}) }; },
    async approve(ctx) { ctx.body = { data: await service().decide(ctx.state.user, ctx.params.id, true) }; },
    async reject(ctx) { ctx.body = { data: await service().decide(ctx.state.user, ctx.params.id, false) }; },
    async revoke(ctx) { ctx.body = { data: await service().revoke(ctx.state.user, ctx.params.id) }; },
  };
};
