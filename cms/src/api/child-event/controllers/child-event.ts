import { factories } from '@strapi/strapi';

/** Read-only: events are written by the lifecycle service only (cms/src/domain/lifecycle.ts). */
export default factories.createCoreController('api::child-event.child-event');
