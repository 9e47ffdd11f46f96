import type { Core } from '@strapi/strapi';
import { safetyImport } from '../../../domain/import/safety-import';
import { importHandlers } from '../../../domain/import/handlers';

/** Excel import of safety self-inspections and incidents: thin handlers over cms/src/domain/import/safety-import.ts. */
export default ({ strapi }: { strapi: Core.Strapi }) => importHandlers(() => safetyImport(strapi));
