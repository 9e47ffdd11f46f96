import { factories } from '@strapi/strapi';

export default factories.createCoreRouter('api::child-health-condition.child-health-condition');
