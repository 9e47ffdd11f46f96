import { factories } from '@strapi/strapi';

/**
 * The controller of a record about one child (health checks, vaccination checks, health conditions):
 * core CRUD, scoped by the access-scope plugin, the rules in the type's own service/lifecycles
 * (cms/src/domain/health-rules.ts); reads carry the child's name (a populate the scope filters like
 * any relation).
 */
export function childRecordController(uid: string) {
  return factories.createCoreController(uid as any, () => ({
    async find(ctx: any) {
      ctx.query = { ...ctx.query, populate: { child: { fields: ['name'] } } };
      return super.find(ctx);
    },
    async findOne(ctx: any) {
      ctx.query = { ...ctx.query, populate: { child: { fields: ['name'] } } };
      return super.findOne(ctx);
    },
  }));
}
