import { factories } from '@strapi/strapi';

/** Core CRUD, scoped by the access-scope plugin; the rules (child in reach, codes, ranges, growth) are in cms/src/domain/health-rules.ts. */
export default factories.createCoreController('api::child-health-condition.child-health-condition');
