import { factories } from '@strapi/strapi';

export default factories.createCoreController('api::unlicensed-institution.unlicensed-institution');
