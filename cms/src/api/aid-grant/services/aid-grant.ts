import { factories } from '@strapi/strapi';

export default factories.createCoreService('api::aid-grant.aid-grant');
