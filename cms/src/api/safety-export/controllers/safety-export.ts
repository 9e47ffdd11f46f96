import type { Core } from '@strapi/strapi';
import { sendExport } from '../../../domain/export-stream';

const TITLES: Record<string, string> = { inspections: '安全检查', findings: '安全隐患整改', incidents: '意外事故', inventories: '玩教具与图书' };

/** GET /api/safety-export/<list>?format=xlsx|csv&filters[...] (or filter={json} as the panel's list). */
export default ({ strapi }: { strapi: Core.Strapi }) => Object.fromEntries(Object.entries(TITLES).map(([list, title]) => [list, async (ctx: any) => {
  const service: any = strapi.service('api::safety-export.safety-export');
  sendExport(ctx, `${title}-${new Date().toISOString().slice(0, 10)}`, await service[list](ctx.state.user, ctx.state.auth, ctx.query, ctx.request.ip));
}]));
