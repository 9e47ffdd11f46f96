import type { Core } from '@strapi/strapi';

/** The content types whose writes change the statistics' figures. */
const SOURCES = new Set([
  'api::kindergarten.kindergarten', 'api::school-class.school-class', 'api::child.child', 'api::population.population', 'api::staff.staff',
]);
const READS = new Set(['findMany', 'findFirst', 'findOne', 'count']);

/** A document-service middleware: any write to the data behind the statistics drops the dashboards' cached figures. */
export function statisticsCacheMiddleware(strapi: Core.Strapi) {
  return async (context: { uid: string; action: string }, next: () => Promise<unknown>) => {
    const result = await next();
    if (SOURCES.has(context.uid) && !READS.has(context.action)) strapi.service('api::statistics.statistics')?.invalidate?.();
    return result;
  };
}
