import type { Core } from '@strapi/strapi';
import type { ChildImportService } from '../services/child-import';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const service = (strapi: Core.Strapi) => strapi.service('api::child-import.child-import') as unknown as ChildImportService;

/** Excel import of children: thin handlers over the child-import service. */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  /** GET /api/child-import/template */
  async template(ctx) {
    ctx.set('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent('幼儿学籍导入模板.xlsx')}`);
    ctx.type = XLSX;
    ctx.body = await service(strapi).template(ctx.state.user);
  },
  /** POST /api/child-import (multipart: file; mode; schoolClass) → 202 with the job. */
  async create(ctx) {
    const body = ctx.request.body ?? {};
    const job = await service(strapi).start(ctx.state.user, ctx.request.files?.file, { mode: body.mode, schoolClass: body.schoolClass });
    ctx.status = 202;
    ctx.body = { data: job };
  },
  /** GET /api/child-import: the imports inside the caller's reach, newest first. */
  async find(ctx) {
    const jobs = await strapi.documents('api::child-import.child-import').findMany({ sort: 'createdAt:desc', limit: 50 });
    ctx.body = { data: jobs.map((job) => service(strapi).present(job)) };
  },
  /** GET /api/child-import/:id: progress, counts, the first errors. */
  async findOne(ctx) {
    ctx.body = { data: await service(strapi).findOne(ctx.params.id) };
  },
  /** GET /api/child-import/:id/report: the uploaded rows with their result and reasons (the job's own kindergarten only). */
  async report(ctx) {
    const { name, body } = await service(strapi).report(ctx.state.user, ctx.params.id);
    ctx.set('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(name)}`);
    ctx.type = XLSX;
    ctx.body = body;
  },
});
