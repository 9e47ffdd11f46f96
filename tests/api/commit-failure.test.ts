/**
 * A write whose COMMIT fails is not acknowledged (cms/src/runtime/commit-failures.ts). knex resolves
 * `trx.commit()` even when COMMIT fails; Strapi's `db.transaction()` awaited only that, so a dropped
 * connection at COMMIT answered success for a rolled-back write. Made deterministic here with a
 * deferred unique constraint, which PostgreSQL checks only at COMMIT. PostgreSQL only.
 */
import { bootStrapi, type BootedApp } from '../helpers/boot';

const describeWithPostgres = process.env.DATABASE_URL ? describe : describe.skip;

describeWithPostgres('a failed COMMIT fails the transaction (PostgreSQL)', () => {
  let app: BootedApp;
  let table: string;

  beforeAll(async () => {
    app = await bootStrapi({ seedDemo: false });
    table = `${app.schema}.commit_probe`;
    await app.strapi.db.connection.raw(
      `CREATE TABLE ${table} (code text, CONSTRAINT commit_probe_code_unique UNIQUE (code) DEFERRABLE INITIALLY DEFERRED)`,
    );
  });
  afterAll(async () => {
    await app?.strapi.db.connection.raw(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    await app?.stop();
  });

  test('db.transaction rejects with the database error, and nothing is written', async () => {
    const written = app.strapi.db.transaction(async ({ trx }) => {
      await trx.raw(`INSERT INTO ${table} (code) VALUES ('A'), ('A')`); // accepted now, refused at COMMIT
      return 'acknowledged';
    });
    await expect(written).rejects.toMatchObject({ code: '23505' });
    const { rows } = await app.strapi.db.connection.raw(`SELECT count(*)::int AS n FROM ${table}`);
    expect(rows[0].n).toBe(0);
  });

  test('a transaction whose COMMIT succeeds still resolves with its result', async () => {
    const written = await app.strapi.db.transaction(async ({ trx }) => {
      await trx.raw(`INSERT INTO ${table} (code) VALUES ('B')`);
      return 'acknowledged';
    });
    expect(written).toBe('acknowledged');
    const { rows } = await app.strapi.db.connection.raw(`SELECT code FROM ${table}`);
    expect(rows.map((row: any) => row.code)).toEqual(['B']);
  });
});
