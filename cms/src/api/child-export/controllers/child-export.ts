import type { Core } from '@strapi/strapi';
import type { ChildExportService } from '../services/child-export';
import { listExportController, sendExport } from '../../../domain/export-stream';

const SERVICE = 'api::child-export.child-export';
const service = (strapi: Core.Strapi) => strapi.service(SERVICE) as unknown as ChildExportService;

/** Exports of children's records: thin handlers over the child-export service. */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  /** GET /api/child-export?format=xlsx|csv&filters[...] (or filter={json} as the panel's list) */
  ...listExportController(SERVICE, '幼儿学籍', 'children')({ strapi }),
  /** GET /api/child-export/graduates?schoolYear=2025-2026&format=xlsx|csv */
  async graduates(ctx) {
    sendExport(ctx, `毕业生-${ctx.query.schoolYear}`, await service(strapi).graduates(ctx.state.user, ctx.query, ctx.request.ip));
  },
});
