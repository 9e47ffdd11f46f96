import { factories } from '@strapi/strapi';
import { fieldError } from '../../../utils/validation';

const service = (strapi: any) => strapi.service('api::incident.incident');

/** Lists and reads scoped by plugins/access-scope, with `actions`; the report and the moves through the service. */
export default factories.createCoreController('api::incident.incident', ({ strapi }) => ({
  async find(ctx) {
    const result: any = await super.find(ctx);
    await service(strapi).decorate(ctx.state.user, result?.data);
    return result;
  },
  async findOne(ctx) {
    ctx.body = { data: await service(strapi).show(ctx.state.user, ctx.params.id) };
  },
  async create(ctx) {
    ctx.status = 201;
    ctx.body = { data: await service(strapi).report(ctx.state.user, ctx.request.body?.data) };
  },
  async review(ctx) {
    const input = ctx.request.body?.data ?? {};
    const action = input.decision === 'return' ? 'return' : input.decision === 'approve' ? 'review' : null;
    if (!action) throw fieldError('decision', '审核结论须为 approve（审核通过）或 return（退回补充）');
    ctx.body = { data: await service(strapi).move(ctx.state.user, ctx.params.id, action, input) };
  },
  async summary(ctx) {
    ctx.body = await service(strapi).summary(ctx.query);
  },
  async resubmit(ctx) {
    ctx.body = { data: await service(strapi).move(ctx.state.user, ctx.params.id, 'resubmit', ctx.request.body?.data ?? {}) };
  },
}));
