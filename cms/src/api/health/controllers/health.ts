import type { Core } from '@strapi/strapi';
import { databaseReachable } from '../../../middlewares/database-errors';
import { replicaStatus } from '../../../runtime/read-replica';
import { clusterBus } from '../../../runtime/cluster-bus';
import { servedOpenApi } from '../../../runtime/openapi';

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async check(ctx) {
    const ok = await databaseReachable(strapi);
    ctx.status = ok ? 200 : 503;
    if (!ok) ctx.set('Retry-After', '30');
    ctx.body = { status: ok ? 'ok' : 'unavailable', database: ok ? 'ok' : 'unreachable' };
    // with a read replica (docs/scale-out.md): its lag, and whether other instances' writes are heard
    const replica = replicaStatus();
    if (replica) ctx.body = { ...ctx.body, replica, cacheBus: clusterBus(strapi).listening ? 'listening' : 'not listening' };
  },
  /** GET /api/openapi.json: every route of the API, made from the routes the app declares. */
  async openapi(ctx) {
    ctx.body = servedOpenApi(strapi);
  },
});
