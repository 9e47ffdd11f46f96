import type { Core } from '@strapi/strapi';
import { documentScopeMiddleware } from './middlewares/document-scope';

export default function register({ strapi }: { strapi: Core.Strapi }) {
  strapi.documents.use(documentScopeMiddleware(strapi) as any);
}
