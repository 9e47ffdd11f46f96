import type { Core } from '@strapi/strapi';

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async summary(ctx) {
    ctx.body = await strapi.service('api::dashboard.dashboard').summary(ctx.state.user);
  },
});
