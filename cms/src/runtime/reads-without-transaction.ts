import { AsyncLocalStorage } from 'node:async_hooks';
import type { Core } from '@strapi/strapi';

/**
 * Reads of the document service without a transaction. Strapi's document service runs every call
 * inside `strapi.db.transaction(…)`, reads included: a list page is `BEGIN`, the page, `COMMIT` —
 * three round trips on a connection held for the whole call, where one statement would do. A read
 * gains nothing from it (PostgreSQL's READ COMMITTED gives each statement its own snapshot, inside a
 * transaction or not, and a read writes nothing to roll back).
 *
 * A document-service middleware marks the calls that read (`findMany`, `findFirst`, `findOne`,
 * `count`), innermost, just around the repository's own method; `strapi.db.transaction` asked for a
 * new transaction by such a call runs its callback without one. Anything the callback starts runs
 * unmarked (a write it would cause gets its transaction as before); a read called inside a caller's
 * transaction stays in it (nested: the caller's transaction is used, as Strapi does).
 */
const READS = new Set(['findMany', 'findFirst', 'findOne', 'count']);
const reading = new AsyncLocalStorage<boolean>();

/** The document-service middleware: registered last (innermost), so it wraps the repository's method only. */
export function readsWithoutTransactionMiddleware() {
  return (context: any, next: () => Promise<unknown>) => reading.run(READS.has(context?.action), next);
}

/** `strapi.db.transaction(callback)` for a marked read: the callback, without BEGIN/COMMIT. */
export function installReadsWithoutTransaction(strapi: Core.Strapi): void {
  const db: any = strapi.db;
  if (!db?.transaction || db.transaction.readsWithoutTransaction) return;
  const transaction = db.transaction.bind(db);
  const patched = (callback?: (params: any) => unknown) => {
    if (typeof callback !== 'function' || reading.getStore() !== true || db.inTransaction()) return transaction(callback);
    const afterCommit: Array<() => unknown> = [];
    const params = { trx: undefined, commit: async () => {}, rollback: async () => {}, onCommit: (fn: () => unknown) => afterCommit.push(fn), onRollback: () => {} };
    return reading.run(false, async () => {
      const result = await callback(params);
      for (const fn of afterCommit) fn();
      return result;
    });
  };
  patched.readsWithoutTransaction = true;
  db.transaction = patched;
}
