import { factories } from '@strapi/strapi';
import { fieldError } from '../../../utils/validation';

const service = (strapi: any) => strapi.service('api::safety-finding.safety-finding');

/** Lists and reads (scoped by plugins/access-scope) with `actions` and `overdue`; moves through the engine. */
export default factories.createCoreController('api::safety-finding.safety-finding', ({ strapi }) => ({
  async find(ctx) {
    const result: any = await super.find(ctx);
    await service(strapi).decorate(ctx.state.user, result?.data);
    return result;
  },
  async findOne(ctx) {
    ctx.body = { data: await service(strapi).show(ctx.state.user, ctx.params.id) };
  },
  async summary(ctx) {
    ctx.body = await service(strapi).summary();
  },
  async rectify(ctx) {
    ctx.body = { data: await service(strapi).move(ctx.state.user, ctx.params.id, 'rectify', ctx.request.body?.data ?? {}) };
  },
  async review(ctx) {
    const input = ctx.request.body?.data ?? {};
    const action = input.decision === 'return' ? 'return' : input.decision === 'verify' ? 'verify' : null;
    if (!action) throw fieldError('decision', '审核结论须为 verify（验收通过）或 return（退回重新整改）');
    ctx.body = { data: await service(strapi).move(ctx.state.user, ctx.params.id, action, input) };
  },
  async photos(ctx) {
    const body = ctx.request.body ?? {};
    ctx.body = { data: await service(strapi).addPhotos(ctx.state.user, ctx.params.id, body.purpose ?? ctx.query.purpose, ctx.request.files?.files) };
  },
}));
