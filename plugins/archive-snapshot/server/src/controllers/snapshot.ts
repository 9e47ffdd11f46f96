import type { Core } from '@strapi/strapi';
import type { ScopeService } from 'access-scope';

const service = (strapi: Core.Strapi) => strapi.plugin('archive-snapshot').service('snapshots');
const reachOf = (strapi: Core.Strapi, user: unknown) => (strapi.plugin('access-scope').service('scope') as ScopeService).reachOf(user as any);

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async find(ctx) {
    ctx.body = { data: await service(strapi).list() };
  },
  async findOne(ctx) {
    ctx.body = { data: await service(strapi).read(ctx.params.period, reachOf(strapi, ctx.state.user)) };
  },
  async projectsTrend(ctx) {
    ctx.body = { data: await service(strapi).projectsTrend(reachOf(strapi, ctx.state.user), ctx.query.from, ctx.query.to) };
  },
  async run(ctx) {
    const snapshot = await service(strapi).run(ctx.request.body?.data?.period, `manual by ${ctx.state.user?.username ?? 'system'}`);
    ctx.body = { data: { period: snapshot.period, state: snapshot.state, finishedAt: snapshot.finishedAt, trigger: snapshot.trigger } };
  },
});
