import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { auditTable, searchAudit, toPublicEntry } from '../../../security/audit';

/** The audit administrator's search (role `auditadmin` in config/roles.json); rules in cms/src/security/audit.ts. */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async find(ctx) {
    ctx.body = await searchAudit(strapi, ctx.query ?? {});
  },
  async findOne(ctx) {
    const id = Number(ctx.params.id);
    const row = Number.isInteger(id) ? await strapi.db.connection(auditTable(strapi)).where({ id }).first() : null;
    if (!row) throw new errors.NotFoundError('Not Found');
    ctx.body = { data: toPublicEntry(row) };
  },
});
