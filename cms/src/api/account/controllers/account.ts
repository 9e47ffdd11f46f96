import type { Core } from '@strapi/strapi';
import type { AccountService } from '../services/account';

const service = (strapi: Core.Strapi) => strapi.service('api::account.account') as unknown as AccountService;

/** Thin: the rules are in the account service. */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async find(ctx) {
    ctx.body = await service(strapi).list(ctx.state.user, ctx.query);
  },
  async findOne(ctx) {
    ctx.body = { data: await service(strapi).get(ctx.state.user, ctx.params.id) };
  },
  async create(ctx) {
    ctx.status = 201;
    ctx.body = { data: await service(strapi).create(ctx.state.user, ctx.request.body?.data ?? {}) };
  },
  async update(ctx) {
    ctx.body = { data: await service(strapi).update(ctx.state.user, ctx.params.id, ctx.request.body?.data ?? {}) };
  },
  async resetPassword(ctx) {
    ctx.body = { data: await service(strapi).resetPassword(ctx.state.user, ctx.params.id) };
  },
});
