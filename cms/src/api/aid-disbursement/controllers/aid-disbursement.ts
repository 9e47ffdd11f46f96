import { factories } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { fieldError } from '../../../utils/validation';
import { accessScope } from '../../../domain/request-context';

const GROUPS = ['county', 'prefecture', 'province'];
const service = (strapi) => strapi.service('api::aid-disbursement.aid-disbursement') as any;

/** Lists are core (scoped); recording a payment and the totals are the aid service's. */
export default factories.createCoreController('api::aid-disbursement.aid-disbursement', ({ strapi }) => ({
  async create(ctx) {
    ctx.status = 201;
    ctx.body = { data: await service(strapi).disburse(ctx.state.user, ctx.request.body?.data ?? {}) };
  },
  async totals(ctx) {
    const groupBy = String(ctx.query.groupBy ?? 'county');
    if (!GROUPS.includes(groupBy)) throw fieldError('groupBy', '分组须为 county、prefecture 或 province');
    const where = accessScope(strapi).sqlReach(accessScope(strapi).reachOf(ctx.state.user));
    if (!where) throw new errors.ForbiddenError('超出管辖范围');
    ctx.body = await service(strapi).totals(where, groupBy);
  },
}));
