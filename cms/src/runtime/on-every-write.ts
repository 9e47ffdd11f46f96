import type { Core } from '@strapi/strapi';

/**
 * Calls `handler` after every create, update and delete (single or many) of the given models, through
 * the query engine's lifecycles: the one way caches here learn that what they hold changed.
 */
export function onEveryWrite(strapi: Core.Strapi, models: string[], handler: (event: any) => unknown): void {
  strapi.db.lifecycles.subscribe({
    models,
    afterCreate: handler,
    afterCreateMany: handler,
    afterUpdate: handler,
    afterUpdateMany: handler,
    afterDelete: handler,
    afterDeleteMany: handler,
  } as any);
}
