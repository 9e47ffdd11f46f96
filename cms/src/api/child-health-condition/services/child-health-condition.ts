import { factories } from '@strapi/strapi';

export default factories.createCoreService('api::child-health-condition.child-health-condition');
