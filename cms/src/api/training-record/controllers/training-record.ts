import { factories } from '@strapi/strapi';

/** Core CRUD, scoped; the rules (staff in reach, dates) are in cms/src/domain/staff-rules.ts. */
export default factories.createCoreController('api::training-record.training-record');
