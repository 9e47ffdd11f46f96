import type { Core } from '@strapi/strapi';

const service = (strapi: Core.Strapi) => strapi.service('api::code-table.code-table') as any;
const body = (ctx: any) => ctx.request.body?.data ?? ctx.request.body ?? {};

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async find(ctx) {
    ctx.body = { data: service(strapi).list() };
  },
  async create(ctx) {
    ctx.status = 201;
    ctx.body = { data: await service(strapi).add(ctx.state.user, ctx.params.table, body(ctx)) };
  },
  async createTable(ctx) {
    ctx.status = 201;
    ctx.body = { data: await service(strapi).createTable(ctx.state.user, body(ctx)) };
  },
  async update(ctx) {
    ctx.body = { data: await service(strapi).change(ctx.state.user, ctx.params.table, ctx.params.code, body(ctx)) };
  },
});
