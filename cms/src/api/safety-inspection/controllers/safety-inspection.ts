import { factories } from '@strapi/strapi';

const service = (strapi: any) => strapi.service('api::safety-inspection.safety-inspection');

/** Lists and reads scoped by plugins/access-scope; an inspection is recorded with its findings by the service. */
export default factories.createCoreController('api::safety-inspection.safety-inspection', ({ strapi }) => ({
  async findOne(ctx) {
    const record: any = await strapi.documents('api::safety-inspection.safety-inspection').findOne({ documentId: String(ctx.params.id), populate: { findings: true } } as any);
    if (!record) return ctx.notFound();
    ctx.body = { data: record };
  },
  async create(ctx) {
    ctx.status = 201;
    ctx.body = { data: await service(strapi).record(ctx.state.user, ctx.request.body?.data) };
  },
  async coverage(ctx) {
    ctx.body = await service(strapi).coverage(ctx.query);
  },
}));
