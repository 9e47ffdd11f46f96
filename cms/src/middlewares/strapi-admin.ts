import type { Core } from '@strapi/strapi';
import { strapiAdminGuard } from '../security/strapi-admin';

/**
 * Strapi's own admin: off in production unless STRAPI_ADMIN_ENABLED=true, no registration of the first
 * administrator from the network, its content manager kept away from personal data
 * (cms/src/security/strapi-admin.ts).
 */
export default (_config: unknown, { strapi }: { strapi: Core.Strapi }) => strapiAdminGuard(strapi);
