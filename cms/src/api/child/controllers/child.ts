import { factories } from '@strapi/strapi';
import qs from 'qs';
import type { ChildService } from '../services/child';
import { markEstimatedTotal } from '../../../domain/list-counts';
import { leanFind } from '../../../domain/lean-list';

const service = (strapi) => strapi.service('api::child.child') as unknown as ChildService;

/** Core CRUD (scoped, sanitised: ID numbers are private) plus the 学籍 actions of the child service. */
export default factories.createCoreController('api::child.child', ({ strapi }) => ({
  /** Lists: the 学籍号 and ID numbers are private (stripped by Strapi's sanitiser); rows carry their masked forms. */
  async find(ctx) {
    // Strapi's find, without re-validating a query already seen nor re-walking rows with nothing to strip
    const response: any = await leanFind(strapi, 'api::child.child', this as any, ctx);
    return markEstimatedTotal(ctx, response);
  },
  /** One record, whole by default: its guardians and its class (the edit form needs both). */
  async findOne(ctx) {
    if (!ctx.query.populate) {
      ctx.querystring = qs.stringify({ ...ctx.query, populate: ['guardians', 'schoolClass'] }, { encodeValuesOnly: true });
    }
    const response: any = await super.findOne(ctx);
    if (response?.data) response.data = await service(strapi).withFullNumbers(ctx.state.user, response.data);
    return response;
  },
  async checkDuplicates(ctx) {
    ctx.body = { data: await service(strapi).checkDuplicates(ctx.state.user, ctx.request.body?.data ?? {}) };
  },
  async confirmation(ctx) {
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = await strapi.service('api::child.confirmation').forChild(ctx.state.user, ctx.params.id);
  },
  async classConfirmation(ctx) {
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = await strapi.service('api::child.confirmation').forClass(ctx.state.user, ctx.params.classId);
  },
  async register(ctx) {
    ctx.body = { data: await service(strapi).register(ctx.state.user, ctx.params.id, ctx.request.body?.data ?? {}) };
  },
}));
