import { factories } from '@strapi/strapi';

export default factories.createCoreService('api::custom-field.custom-field');
