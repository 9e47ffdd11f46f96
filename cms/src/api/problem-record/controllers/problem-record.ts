import { factories } from '@strapi/strapi';

export default factories.createCoreController('api::problem-record.problem-record', ({ strapi }) => ({
  async create(ctx) {
    const { child: childId, kind, description } = ctx.request.body?.data ?? {};
    ctx.status = 201;
    ctx.body = { data: await strapi.service('api::problem-record.problem-record').openFor(childId, kind, description) };
  },
  async summary(ctx) {
    ctx.body = await strapi.service('api::problem-record.problem-record').summary();
  },
}));
