import { factories } from '@strapi/strapi';

export default factories.createCoreService('api::child-event.child-event');
