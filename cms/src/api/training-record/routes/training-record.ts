import { factories } from '@strapi/strapi';

export default factories.createCoreRouter('api::training-record.training-record');
