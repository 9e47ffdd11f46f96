import type { Core } from '@strapi/strapi';
import { securityGuard } from '../security/guard';

/** Sessions, duties, rate limit and route audit: see cms/src/security/guard.ts. */
export default (_config: unknown, { strapi }: { strapi: Core.Strapi }) => securityGuard(strapi);
