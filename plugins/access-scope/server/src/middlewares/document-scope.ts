import type { Core } from '@strapi/strapi';
import { getService } from '../get-service';
import { scopePopulate } from './populate';
import { scopeFilters } from './filters';

const READS = new Set(['findMany', 'findFirst', 'findOne', 'count']);
const WRITES_TO_EXISTING = new Set(['update', 'delete', 'publish', 'unpublish', 'discardDraft', 'clone']);

/**
 * The one place where scope is enforced (docs/levels-and-reach.md): a document-service middleware that
 * every read and write of every content type passes through, from REST controllers, our own
 * services and plugins alike.
 * - reads get the scope filter added (lists, single reads and counts agree);
 * - writes to an existing record first load it inside the scope (404 when outside);
 * - creates and updates may not place a record outside the scope;
 * - every populated relation is filtered too, and so is every relation a filter goes through
 *   (filters.ts), so a filter cannot ask about related records out of reach.
 */
export function documentScopeMiddleware(strapi: Core.Strapi) {
  return async (context: any, next: () => Promise<unknown>) => {
    const scope = getService(strapi, 'scope');
    const reach = scope.currentReach();
    if (reach.kind === 'all') return next();

    const { uid, action } = context;
    const params = (context.params ??= {});
    if (params.populate !== undefined) params.populate = scopePopulate(strapi, scope, uid, params.populate, reach);
    if (READS.has(action)) {
      const filters = scope.readFilters(uid, params.filters, reach);
      if (filters !== undefined) params.filters = filters;
      return next();
    }
    if (params.filters !== undefined) params.filters = scopeFilters(strapi, scope, uid, params.filters, reach);

    const filter = scope.filterFor(uid, reach);
    if (!filter) return next();

    if (WRITES_TO_EXISTING.has(action)) {
      await scope.loadInReach(uid, params.documentId, reach);
      if (action === 'update') await scope.checkWritablePlace(uid, params.data, reach, false);
    } else if (action === 'create') {
      await scope.checkWritablePlace(uid, params.data, reach, true);
    }
    return next();
  };
}
