import { factories } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { fieldError } from '../../../utils/validation';
import type { StaffService } from '../services/staff';
import { markEstimatedTotal } from '../../../domain/list-counts';
import { leanFind } from '../../../domain/lean-list';
import { accessScope } from '../../../domain/request-context';

const service = (strapi) => strapi.service('api::staff.staff') as unknown as StaffService;
const GROUPS = ['county', 'prefecture', 'province'];

/** Core CRUD (scoped; ID numbers private, masked in lists) plus staffing check, analysis and the teacher's own record. */
export default factories.createCoreController('api::staff.staff', ({ strapi }) => ({
  async find(ctx) {
    // Strapi's find, without re-validating a query already seen nor re-walking rows with nothing to strip
    return markEstimatedTotal(ctx, await leanFind(strapi, 'api::staff.staff', this as any, ctx));
  },
  async findOne(ctx) {
    const response: any = await super.findOne(ctx);
    if (response?.data) response.data = await service(strapi).withFullNumber(ctx.state.user, response.data);
    return response;
  },
  async staffing(ctx) {
    ctx.body = { data: await service(strapi).staffingCheck(ctx.query.kindergarten) };
  },
  async analysis(ctx) {
    const groupBy = String(ctx.query.groupBy ?? 'county');
    if (!GROUPS.includes(groupBy)) throw fieldError('groupBy', '分组须为 county、prefecture 或 province');
    const where = accessScope(strapi).sqlReach(accessScope(strapi).reachOf(ctx.state.user));
    if (!where) throw new errors.ForbiddenError('超出管辖范围');
    ctx.body = await service(strapi).analysis(where, groupBy as any);
  },
  async teacherAccount(ctx) {
    ctx.status = 201;
    ctx.body = { data: await service(strapi).teacherAccount(ctx.state.user, ctx.params.id, ctx.request.body?.data ?? {}) };
  },
  async mine(ctx) {
    ctx.body = { data: await service(strapi).ownRecord(ctx.state.user) };
  },
  async correction(ctx) {
    ctx.status = 201;
    ctx.body = { data: await service(strapi).fileCorrection(ctx.state.user, ctx.request.body?.data ?? {}) };
  },
}));
