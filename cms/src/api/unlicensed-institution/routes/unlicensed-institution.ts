import { factories } from '@strapi/strapi';

export default factories.createCoreRouter('api::unlicensed-institution.unlicensed-institution');
