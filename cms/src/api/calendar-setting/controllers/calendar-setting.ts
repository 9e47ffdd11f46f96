import type { Core } from '@strapi/strapi';

const service = (strapi: Core.Strapi) => strapi.service('api::calendar-setting.calendar-setting') as any;

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async find(ctx) {
    ctx.body = { data: service(strapi).view() };
  },
  async update(ctx) {
    ctx.body = { data: await service(strapi).change(ctx.state.user, ctx.request.body?.data ?? ctx.request.body) };
  },
});
