import { factories } from '@strapi/strapi';

export default factories.createCoreService('api::child-health-check.child-health-check');
