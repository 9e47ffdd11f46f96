import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { fieldError } from '../../../utils/validation';

const GROUPS = ['county', 'prefecture', 'province'];

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  /** GET /api/statistics?groupBy=county|prefecture|province: figures and indicators inside the caller's reach. */
  async report(ctx) {
    const groupBy = String(ctx.query.groupBy ?? 'county');
    if (!GROUPS.includes(groupBy)) throw fieldError('groupBy', '分组须为 county、prefecture 或 province');
    const statistics = strapi.service('api::statistics.statistics');
    const where = statistics.whereFor(strapi.plugin('access-scope').service('scope').reachOf(ctx.state.user));
    if (!where) throw new errors.ForbiddenError('超出管辖范围');
    ctx.body = await statistics.report(where, groupBy);
  },
});
