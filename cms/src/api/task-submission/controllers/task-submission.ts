import { factories } from '@strapi/strapi';
import { keepingRefusalReason } from '../../../security/errors';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const service = (strapi: any) => strapi.service('api::task-submission.task-submission') as any;

/**
 * Submissions to collection tasks (专项填报): the kindergarten's inbox and the county's review list
 * are the core list (scoped: a kindergarten sees its own, a county its kindergartens'), each record
 * with the transitions the caller may take now; the rest are thin handlers over the service.
 */
export default factories.createCoreController('api::task-submission.task-submission' as any, ({ strapi }) => ({
  async find(ctx) {
    const result: any = await super.find(ctx);
    await service(strapi).withActions(ctx.state.user, result?.data ?? []);
    return result;
  },
  async findOne(ctx) {
    ctx.body = { data: await keepingRefusalReason(() => service(strapi).show(ctx.state.user, String(ctx.params.id))) };
  },
  async update(ctx) {
    ctx.body = { data: await keepingRefusalReason(() => service(strapi).saveDraft(ctx.state.user, String(ctx.params.id), ctx.request.body?.data ?? {})) };
  },
  async submit(ctx) {
    ctx.body = { data: await keepingRefusalReason(() => service(strapi).submit(ctx.state.user, String(ctx.params.id), ctx.request.body?.data ?? {})) };
  },
  async review(ctx) {
    ctx.body = { data: await keepingRefusalReason(() => service(strapi).review(ctx.state.user, String(ctx.params.id), ctx.request.body?.data ?? {})) };
  },
  async template(ctx) {
    const { buffer, fileName } = await keepingRefusalReason<{ buffer: Buffer; fileName: string }>(() => service(strapi).template(ctx.state.user, String(ctx.params.id)));
    ctx.set('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(fileName)}`);
    ctx.type = XLSX;
    ctx.body = buffer;
  },
  async import(ctx) {
    ctx.body = { data: await keepingRefusalReason(() => service(strapi).importWorkbook(ctx.state.user, String(ctx.params.id), (ctx.request as any).files?.file)) };
  },
}));
