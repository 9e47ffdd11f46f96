import type { Core } from '@strapi/strapi';

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async report(ctx) {
    ctx.body = await strapi.service('api::compliance.compliance').report(ctx.query.month, ctx.state.user);
  },
});
