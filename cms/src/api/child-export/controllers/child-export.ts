import type { Core } from '@strapi/strapi';
import type { ChildExportService } from '../services/child-export';

const TYPES: Record<string, string> = { xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', csv: 'text/csv; charset=utf-8' };
const service = (strapi: Core.Strapi) => strapi.service('api::child-export.child-export') as unknown as ChildExportService;

function send(ctx: any, name: string, result: { format: string; body: unknown }) {
  ctx.set('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(`${name}.${result.format}`)}`);
  ctx.type = TYPES[result.format];
  ctx.body = result.body;
}

/** Exports of children's records: thin handlers over the child-export service. */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  /** GET /api/child-export?format=xlsx|csv&filters[...] (or filter={json} as the panel's list) */
  async export(ctx) {
    send(ctx, `幼儿学籍-${new Date().toISOString().slice(0, 10)}`, await service(strapi).children(ctx.state.user, ctx.state.auth, ctx.query, ctx.request.ip));
  },
  /** GET /api/child-export/graduates?schoolYear=2025-2026&format=xlsx|csv */
  async graduates(ctx) {
    send(ctx, `毕业生-${ctx.query.schoolYear}`, await service(strapi).graduates(ctx.state.user, ctx.query, ctx.request.ip));
  },
});
