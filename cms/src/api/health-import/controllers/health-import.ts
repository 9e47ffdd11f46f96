import type { Core } from '@strapi/strapi';
import { healthImport } from '../../../domain/import/health-import';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Excel import of health and certificate checks: thin handlers over cms/src/domain/import/health-import.ts. */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const download = (ctx: any, file: { name: string; body: Buffer }) => {
    ctx.set('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`);
    ctx.type = XLSX;
    ctx.body = file.body;
  };
  return {
    async template(ctx: any) {
      download(ctx, await healthImport(strapi).template(ctx.state.user, ctx.params.record));
    },
    async create(ctx: any) {
      ctx.body = { data: await healthImport(strapi).importFile(ctx.state.user, ctx.params.record, ctx.request.files?.file) };
    },
    async report(ctx: any) {
      download(ctx, await healthImport(strapi).report(ctx.state.user, ctx.params.record, ctx.request.files?.file));
    },
  };
};
