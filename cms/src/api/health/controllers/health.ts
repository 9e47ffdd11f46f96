import type { Core } from '@strapi/strapi';
import { databaseReachable } from '../../../middlewares/database-errors';
import { servedOpenApi } from '../../../runtime/openapi';

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async check(ctx) {
    const ok = await databaseReachable(strapi);
    ctx.status = ok ? 200 : 503;
    if (!ok) ctx.set('Retry-After', '30');
    ctx.body = { status: ok ? 'ok' : 'unavailable', database: ok ? 'ok' : 'unreachable' };
  },
  /** GET /api/openapi.json: every route of the API, made from the routes the app declares. */
  async openapi(ctx) {
    ctx.body = servedOpenApi(strapi);
  },
});
