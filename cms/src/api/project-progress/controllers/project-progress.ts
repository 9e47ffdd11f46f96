import { factories } from '@strapi/strapi';

/** Core list, read and create (scoped; rules in cms/src/domain/project-rules.ts); review is the project service's. */
export default factories.createCoreController('api::project-progress.project-progress');
