import type { Core } from '@strapi/strapi';
import type { RequestService } from '../services/request';

const service = (strapi: Core.Strapi) => strapi.service('api::request.request') as unknown as RequestService;
const body = (ctx) => ctx.request.body?.data ?? {};

/** Thin: the approval mechanism is the request service. */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async find(ctx) {
    ctx.body = await service(strapi).list(ctx.query, ctx.state.user);
  },
  async findOne(ctx) {
    ctx.body = { data: await service(strapi).get(ctx.params.id, ctx.state.user) };
  },
  async submit(ctx) {
    ctx.status = 201;
    ctx.body = { data: await service(strapi).submit(ctx.state.user, body(ctx)) };
  },
  async approve(ctx) {
    ctx.body = { data: await service(strapi).decide(ctx.state.user, ctx.params.id, 'approve', body(ctx)) };
  },
  async reject(ctx) {
    ctx.body = { data: await service(strapi).decide(ctx.state.user, ctx.params.id, 'reject', body(ctx)) };
  },
  async return(ctx) {
    ctx.body = { data: await service(strapi).decide(ctx.state.user, ctx.params.id, 'return', body(ctx)) };
  },
  async resubmit(ctx) {
    ctx.body = { data: await service(strapi).resubmit(ctx.state.user, ctx.params.id, body(ctx)) };
  },
  async bulkApprove(ctx) {
    const { ids, comment } = body(ctx);
    ctx.body = { data: await service(strapi).bulkApprove(ctx.state.user, ids, comment) };
  },
  async addEvidence(ctx) {
    ctx.body = { data: await service(strapi).addEvidence(ctx.state.user, ctx.params.id, ctx.request.files?.files) };
  },
  async overdueSummary(ctx) {
    ctx.body = await service(strapi).overdueSummary();
  },
});
