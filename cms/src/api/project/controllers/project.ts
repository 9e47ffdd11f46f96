import { factories } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { fieldError } from '../../../utils/validation';
import { accessScope } from '../../../domain/request-context';

const GROUPS = ['level', 'province', 'prefecture', 'county'];
const service = (strapi) => strapi.service('api::project.project') as any;
const body = (ctx) => ctx.request.body?.data ?? {};

/** Core CRUD (scoped by region prefix; rules in cms/src/domain/project-rules.ts) plus review, reporting and roll-ups. */
export default factories.createCoreController('api::project.project', ({ strapi }) => ({
  /** Records carry the transitions the caller may take now (config/transitions.json): the panel's review buttons. */
  async find(ctx) {
    const result: any = await super.find(ctx);
    await (strapi.service('api::project.project') as any).withActions(ctx.state.user, 'api::project.project', result?.data);
    return result;
  },
  async findOne(ctx) {
    const result: any = await super.findOne(ctx);
    await (strapi.service('api::project.project') as any).withActions(ctx.state.user, 'api::project.project', result?.data);
    return result;
  },
  async create(ctx) {
    const data = body(ctx);
    // a level enters its own projects by default: the region of the caller
    if (ctx.request.body?.data && (data.regionCode === undefined || data.regionCode === '') && ctx.state.user?.regionCode) data.regionCode = ctx.state.user.regionCode;
    return super.create(ctx);
  },
  async submit(ctx) {
    ctx.body = { data: await service(strapi).submit(ctx.state.user, ctx.params.id) };
  },
  async addAttachments(ctx) {
    ctx.body = { data: await service(strapi).addAttachments(ctx.state.user, ctx.params.id, ctx.request.files?.files) };
  },
  async review(ctx) {
    ctx.body = { data: await service(strapi).review(ctx.state.user, ctx.params.id, body(ctx)) };
  },
  async reviewProgress(ctx) {
    ctx.body = { data: await service(strapi).reviewProgress(ctx.state.user, ctx.params.id, body(ctx)) };
  },
  async reporting(ctx) {
    ctx.body = await service(strapi).reporting(ctx.query.month);
  },
  async rollup(ctx) {
    const groupBy = String(ctx.query.groupBy ?? 'level');
    if (!GROUPS.includes(groupBy)) throw fieldError('groupBy', '分组须为 level、province、prefecture 或 county');
    const where = accessScope(strapi).sqlReach(accessScope(strapi).reachOf(ctx.state.user));
    if (!where) throw new errors.ForbiddenError('超出管辖范围');
    ctx.body = await service(strapi).rollup(where, groupBy);
  },
}));
