import type { Core } from '@strapi/strapi';
import type { TransferService } from '../services/transfer';

const service = (strapi: Core.Strapi) => strapi.service('api::transfer.transfer') as unknown as TransferService;
const body = (ctx) => ctx.request.body?.data ?? {};

/** Thin: the transfer's rules are in its service. */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async find(ctx) {
    ctx.body = await service(strapi).list(ctx.state.user, ctx.query);
  },
  async findOne(ctx) {
    ctx.body = { data: await service(strapi).get(ctx.state.user, ctx.params.id) };
  },
  async create(ctx) {
    ctx.status = 201;
    ctx.body = { data: await service(strapi).apply(ctx.state.user, body(ctx)) };
  },
  async agree(ctx) {
    ctx.body = { data: await service(strapi).decide(ctx.state.user, ctx.params.id, 'agree', body(ctx)) };
  },
  async refuse(ctx) {
    ctx.body = { data: await service(strapi).decide(ctx.state.user, ctx.params.id, 'refuse', body(ctx)) };
  },
  async cancel(ctx) {
    ctx.body = { data: await service(strapi).cancel(ctx.state.user, ctx.params.id, body(ctx)) };
  },
  async complete(ctx) {
    ctx.body = { data: await service(strapi).complete(ctx.state.user, ctx.params.id, body(ctx)) };
  },
  async overdueSummary(ctx) {
    ctx.body = await service(strapi).overdueSummary(ctx.state.user);
  },
});
