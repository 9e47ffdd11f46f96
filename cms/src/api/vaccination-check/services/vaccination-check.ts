import { factories } from '@strapi/strapi';

export default factories.createCoreService('api::vaccination-check.vaccination-check');
