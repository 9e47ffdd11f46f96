import { factories } from '@strapi/strapi';
import { keepingRefusalReason } from '../../../security/errors';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const service = (strapi: any) => strapi.service('api::collection-task.collection-task') as any;

/**
 * Collection tasks (专项填报): thin handlers over the collection-task service. Lists and reads are the
 * core ones (scoped by the designer's region) with the transitions the caller may take now
 * (config/transitions.json collection-task); a kindergarten or county reads a task through its
 * own submissions (service `readable`).
 */
export default factories.createCoreController('api::collection-task.collection-task' as any, ({ strapi }) => ({
  async find(ctx) {
    const result: any = await super.find(ctx);
    await service(strapi).withActions(ctx.state.user, result?.data ?? []);
    return result;
  },
  async findOne(ctx) {
    const task = await keepingRefusalReason(() => service(strapi).readable(String(ctx.params.id)));
    await service(strapi).withActions(ctx.state.user, [task]);
    ctx.body = { data: task };
  },
  async create(ctx) {
    ctx.status = 201;
    ctx.body = { data: await keepingRefusalReason(() => service(strapi).design(ctx.state.user, ctx.request.body?.data ?? {})) };
  },
  async update(ctx) {
    ctx.body = { data: await keepingRefusalReason(() => service(strapi).revise(ctx.state.user, String(ctx.params.id), ctx.request.body?.data ?? {})) };
  },
  async publish(ctx) {
    ctx.body = { data: await keepingRefusalReason(() => service(strapi).move(ctx.state.user, String(ctx.params.id), 'publish')) };
  },
  async close(ctx) {
    ctx.body = { data: await keepingRefusalReason(() => service(strapi).move(ctx.state.user, String(ctx.params.id), 'close')) };
  },
  async newVersion(ctx) {
    ctx.status = 201;
    ctx.body = { data: await keepingRefusalReason(() => service(strapi).newVersion(ctx.state.user, String(ctx.params.id))) };
  },
  async completion(ctx) {
    ctx.body = { data: await keepingRefusalReason(() => service(strapi).completion(String(ctx.params.id))) };
  },
  async export(ctx) {
    const { buffer, fileName } = await service(strapi).exportAnswers(ctx.state.user, String(ctx.params.id), ctx.request.ip);
    ctx.set('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(fileName)}`);
    ctx.type = XLSX;
    ctx.body = buffer;
  },
  async figures(ctx) {
    ctx.body = { data: await keepingRefusalReason(() => service(strapi).figures(ctx.state.user, String(ctx.params.id), ctx.query ?? {})) };
  },
}));
