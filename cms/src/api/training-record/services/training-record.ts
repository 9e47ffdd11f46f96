import { factories } from '@strapi/strapi';

export default factories.createCoreService('api::training-record.training-record');
