import type { Core } from '@strapi/strapi';

const service = (strapi: Core.Strapi) => strapi.service('api::permission-matrix.permission-matrix') as any;

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async find(ctx) {
    ctx.body = { data: await service(strapi).matrix(ctx.state.user) };
  },
  async update(ctx) {
    ctx.body = { data: await service(strapi).change(ctx.state.user, ctx.request.body?.data ?? ctx.request.body ?? {}) };
  },
});
