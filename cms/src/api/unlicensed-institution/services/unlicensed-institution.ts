import { factories } from '@strapi/strapi';

export default factories.createCoreService('api::unlicensed-institution.unlicensed-institution');
