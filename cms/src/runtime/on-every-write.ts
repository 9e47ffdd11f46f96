import type { Core } from '@strapi/strapi';
import { afterCommit, clusterBus } from './cluster-bus';

/**
 * The event a handler gets: the query engine's lifecycle event for a write in this instance
 * (`remote` false), or, for a write in another instance (announced through the cluster bus,
 * cms/src/runtime/cluster-bus.ts), `{ model: { uid }, remote: true, ids }` where `ids` are the
 * written rows' ids when known, else null (any row may have changed).
 */
export type WriteEvent = { model: { uid: string }; remote?: boolean; ids?: Array<string | number> | null; [key: string]: any };

/** The ids of the rows a lifecycle event wrote, when simple to tell (else null: any row). */
export function writtenIds(event: any): Array<string | number> | null {
  const id = event?.result?.id;
  if (typeof id === 'number' || typeof id === 'string') return [id];
  const where = event?.params?.where?.id;
  if (typeof where === 'number' || typeof where === 'string') return [where];
  if (Array.isArray(where?.$in) && where.$in.every((value: unknown) => ['number', 'string'].includes(typeof value))) return where.$in;
  return null;
}

/**
 * Calls `handler` after every create, update and delete (single or many) of the given models, in
 * every app instance: the one way caches here learn that what they hold changed.
 * - In this instance, through the query engine's lifecycles: at once (inside the transaction, if
 *   any), and again once the transaction commits (a reader in between may have kept the old rows).
 * - In the other instances on the same PostgreSQL database, through the cluster bus, within about
 *   a second of the commit (`event.remote`); a handler that reads the database does so there.
 * Handlers should be cheap (drop entries, mark stale) and must not query the database when
 * `strapi.db.inTransaction()` (they would read through a transaction about to end).
 */
export function onEveryWrite(strapi: Core.Strapi, models: string[], handler: (event: WriteEvent) => unknown): void {
  const bus = clusterBus(strapi);
  for (const uid of models) bus.on(`write:${uid}`, (message) => handler({ model: { uid }, remote: true, ids: message.ids }));
  const local = async (event: any) => {
    await handler(event);
    const uid: string | undefined = event?.model?.uid;
    const ids = writtenIds(event);
    await afterCommit(strapi, () => {
      // never throws here: Strapi runs the commit callbacks in a row, after the commit
      Promise.resolve().then(() => handler(event)).catch((error) => strapi.log.warn(`after-commit cache handler: ${error?.message ?? error}`));
      if (uid) bus.publish(`write:${uid}`, ids);
    });
  };
  strapi.db.lifecycles.subscribe({
    models,
    afterCreate: local,
    afterCreateMany: local,
    afterUpdate: local,
    afterUpdateMany: local,
    afterDelete: local,
    afterDeleteMany: local,
  } as any);
}
