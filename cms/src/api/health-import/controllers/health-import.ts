import type { Core } from '@strapi/strapi';
import { healthImport } from '../../../domain/import/health-import';
import { importHandlers } from '../../../domain/import/handlers';

/** Excel import of health and certificate checks: thin handlers over cms/src/domain/import/health-import.ts. */
export default ({ strapi }: { strapi: Core.Strapi }) => importHandlers(() => healthImport(strapi));
