import { factories } from '@strapi/strapi';

/**
 * Core CRUD, scoped by the access-scope plugin; the rules (child in reach, codes, ranges, growth) are in
 * cms/src/domain/health-rules.ts. Reads carry the child's name (a populate the scope filters like any relation).
 */
export default factories.createCoreController('api::vaccination-check.vaccination-check', () => ({
  async find(ctx: any) {
    ctx.query = { ...ctx.query, populate: { child: { fields: ['name'] } } };
    return super.find(ctx);
  },
  async findOne(ctx: any) {
    ctx.query = { ...ctx.query, populate: { child: { fields: ['name'] } } };
    return super.findOne(ctx);
  },
}));
