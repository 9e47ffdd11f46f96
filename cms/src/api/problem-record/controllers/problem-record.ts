import { factories } from '@strapi/strapi';
import { actionsFor } from '../../../domain/workflows';

/** Records carry the transitions the caller may take now (config/transitions.json problem-record): the panel's buttons. */
async function withActions(strapi: any, user: any, data: any) {
  const list = Array.isArray(data) ? data : data ? [data] : [];
  const actions = await actionsFor(strapi, 'problem-record', user, list);
  list.forEach((record, i) => { record.actions = actions[i]; });
}

export default factories.createCoreController('api::problem-record.problem-record', ({ strapi }) => ({
  async find(ctx) {
    const result: any = await super.find(ctx);
    await withActions(strapi, ctx.state.user, result?.data);
    return result;
  },
  async findOne(ctx) {
    const result: any = await super.findOne(ctx);
    await withActions(strapi, ctx.state.user, result?.data);
    return result;
  },
  async create(ctx) {
    const { child: childId, kind, description } = ctx.request.body?.data ?? {};
    ctx.status = 201;
    ctx.body = { data: await strapi.service('api::problem-record.problem-record').openFor(childId, kind, description) };
  },
  async summary(ctx) {
    ctx.body = await strapi.service('api::problem-record.problem-record').summary();
  },
}));
