/**
 * A failed COMMIT must fail the write. knex (3.0) runs `COMMIT` in `Transaction#query`, which catches
 * the error, rejects the transaction's own execution promise and then RESOLVES the promise that
 * `trx.commit()` returns; Strapi's `db.transaction()` awaits only the latter. So when the connection
 * dropped at the moment of COMMIT (a database restart), the API answered 201 for a row PostgreSQL had
 * rolled back: an acknowledged write lost (found by tests/api/database-outage.test.ts under load).
 * This wraps `Transaction.prototype.commit` once, at start: when the COMMIT failed, the returned
 * promise rejects with the database's error, so Strapi rolls back and the request answers 503 (or the
 * constraint's error for a deferred violation) instead of success.
 */
import { createRequire } from 'node:module';

const PATCHED = Symbol.for('preschool.commitFailuresPatched');

export function failWritesOnFailedCommit(): void {
  // the knex that @strapi/database uses
  const requireFromDatabase = createRequire(require.resolve('@strapi/database'));
  const Transaction = requireFromDatabase('knex/lib/execution/transaction');
  const prototype = Transaction.prototype ?? Transaction.default?.prototype;
  if (!prototype || prototype[PATCHED]) return;
  const commit = prototype.commit;
  prototype.commit = function commitOrFail(this: any, connection: unknown, value: unknown) {
    const reject = this._rejecter;
    let failure: unknown;
    this._rejecter = (error: unknown) => {
      failure = error ?? new Error('COMMIT failed');
      return reject(error);
    };
    return commit.call(this, connection, value).then((result: unknown) => {
      if (failure) throw failure;
      return result;
    });
  };
  prototype[PATCHED] = true;
}
