import { factories } from '@strapi/strapi';

export default factories.createCoreRouter('api::child-health-check.child-health-check');
