import { factories } from '@strapi/strapi';

const service = (strapi: any) => strapi.service('api::resource-inventory.resource-inventory');

/** Lists and reads scoped by plugins/access-scope; writes and shortfalls through the service. */
export default factories.createCoreController('api::resource-inventory.resource-inventory', ({ strapi }) => ({
  async create(ctx) {
    ctx.status = 201;
    ctx.body = { data: await service(strapi).record(ctx.state.user, ctx.request.body?.data) };
  },
  async update(ctx) {
    ctx.body = { data: await service(strapi).change(ctx.state.user, String(ctx.params.id), ctx.request.body?.data) };
  },
  async import(ctx) {
    ctx.body = { data: await service(strapi).importFile(ctx.state.user, ctx.request.files?.file) };
  },
  async shortfalls(ctx) {
    ctx.body = await service(strapi).shortfalls(ctx.query);
  },
}));
