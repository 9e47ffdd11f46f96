import { factories } from '@strapi/strapi';

export default factories.createCoreRouter('api::school-class.school-class');
