import { factories } from '@strapi/strapi';

/** Read-only (scoped): grants are made by approving aid applications (workflow aid-application). */
export default factories.createCoreController('api::aid-grant.aid-grant');
