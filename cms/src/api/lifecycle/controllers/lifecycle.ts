import type { Core } from '@strapi/strapi';
import type { LifecycleService } from '../services/lifecycle';

const service = (strapi: Core.Strapi) => strapi.service('api::lifecycle.lifecycle') as unknown as LifecycleService;
const body = (ctx) => {
  const data = ctx.request.body?.data;
  if (typeof data === 'string') {
    try {
      return JSON.parse(data);
    } catch {
      return {};
    }
  }
  return data ?? {};
};

/** Thin: the 学籍 lifecycle's rules are in its service and cms/src/domain/lifecycle.ts. */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async place(ctx) {
    ctx.body = { data: await service(strapi).place(ctx.state.user, ctx.params.id, body(ctx)) };
  },
  async leave(ctx) {
    ctx.body = { data: await service(strapi).leave(ctx.state.user, ctx.params.id, body(ctx)) };
  },
  async accidentalLeave(ctx) {
    ctx.body = { data: await service(strapi).accidentalLeave(ctx.state.user, ctx.params.id, body(ctx), ctx.request.files?.files) };
  },
  async keyChange(ctx) {
    ctx.status = 201;
    ctx.body = { data: await service(strapi).keyChange(ctx.state.user, ctx.params.id, body(ctx)) };
  },
  async restore(ctx) {
    ctx.status = 201;
    ctx.body = { data: await service(strapi).restore(ctx.state.user, ctx.params.id, body(ctx)) };
  },
  async history(ctx) {
    ctx.body = { data: await service(strapi).history(ctx.params.id) };
  },
  async preview(ctx) {
    ctx.body = { data: await service(strapi).preview(ctx.state.user, ctx.params.id) };
  },
  async promote(ctx) {
    ctx.body = { data: await service(strapi).promote(ctx.state.user, ctx.params.id, body(ctx)) };
  },
  async graduate(ctx) {
    ctx.body = { data: await service(strapi).graduate(ctx.state.user, ctx.params.id, body(ctx)) };
  },
});
