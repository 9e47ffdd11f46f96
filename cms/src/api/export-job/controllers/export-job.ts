import type { Core } from '@strapi/strapi';
import type { ExportJobService } from '../services/export-job';
import { sendExport } from '../../../domain/export-stream';

const service = (strapi: Core.Strapi) => strapi.service('api::export-job.export-job') as unknown as ExportJobService;

/** Large exports run as jobs (cms/src/api/export-job/services/export-job.ts): thin handlers, the asking user's jobs only. */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  /** GET /api/file-jobs/:id: state, rows written, and the file's address once done. */
  async findOne(ctx) {
    ctx.body = { data: await service(strapi).findOne(ctx.state.user, ctx.params.id) };
  },
  /** GET /api/file-jobs/:id/export: the finished file. */
  async download(ctx) {
    const { name, format, body } = await service(strapi).download(ctx.state.user, ctx.params.id);
    sendExport(ctx, name.replace(/\.[a-z]+$/, ''), { format, body: body as any });
  },
});
