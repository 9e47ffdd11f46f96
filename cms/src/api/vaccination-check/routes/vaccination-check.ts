import { factories } from '@strapi/strapi';

export default factories.createCoreRouter('api::vaccination-check.vaccination-check');
