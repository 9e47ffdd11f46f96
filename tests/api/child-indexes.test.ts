/**
 * The children's indexes per database (cms/src/api/child/content-types/child/schema.json,
 * database/sqlite/001-child-indexes.sql, database/postgres/072-superseded-child-indexes.sql):
 * - SQLite has the indexes its likely-duplicate search (same birth date and name or pinyin) and a
 *   kindergarten's children are read through;
 * - PostgreSQL has the indexes that replace them (children__likely_match, children__institution_code_id)
 *   and not the superseded ones, which every written child (an import: thousands) would pay for;
 * - a start again (Strapi's schema sync, then the SQL of database/) leaves it so.
 */
import { bootStrapi, type BootedApp } from '../helpers/boot';

const postgres = Boolean(process.env.DATABASE_URL);
const SUPERSEDED = ['children__birth_date_name', 'children__birth_date_pinyin_key', 'children__institution_code'];

let app: BootedApp;

beforeAll(async () => {
  app = await bootStrapi();
}, 300_000);

afterAll(async () => {
  await app?.stop();
});

async function indexesOfChildren(): Promise<string[]> {
  const knex = app.strapi.db.connection;
  if (postgres) {
    const schema = app.strapi.config.get('database.connection.connection.schema', 'public') as string;
    const { rows } = await knex.raw('SELECT indexname FROM pg_indexes WHERE schemaname = ? AND tablename = ?', [schema, 'children']);
    return rows.map((row: any) => row.indexname);
  }
  return (await knex.raw('PRAGMA index_list(children)')).map((row: any) => row.name);
}

test('each database has the children indexes its queries use, and not those superseded', async () => {
  const indexes = await indexesOfChildren();
  expect(indexes).toEqual(expect.arrayContaining(['children__id_key__unique', 'children__county_code_pinyin_key_name']));
  if (postgres) {
    expect(indexes).toEqual(expect.arrayContaining(['children__likely_match', 'children__institution_code_id']));
    for (const name of SUPERSEDED) expect(indexes).not.toContain(name);
  } else {
    expect(indexes).toEqual(expect.arrayContaining(SUPERSEDED));
  }
});

test('a schema sync (as after a change of any content type) does not bring a superseded index back on PostgreSQL', async () => {
  await app.strapi.db.schema.syncSchema();
  const { applyDatabaseSql } = require('../../cms/dist/src/bootstrap/database-sql');
  await applyDatabaseSql(app.strapi);
  const indexes = await indexesOfChildren();
  if (postgres) for (const name of SUPERSEDED) expect(indexes).not.toContain(name);
  else expect(indexes).toEqual(expect.arrayContaining(SUPERSEDED));
});

test('the links of guardians to their children are indexed by guardian (the likely-duplicate search by a guardian document)', async () => {
  const knex = app.strapi.db.connection;
  if (postgres) {
    const schema = app.strapi.config.get('database.connection.connection.schema', 'public') as string;
    const { rows } = await knex.raw('SELECT indexdef FROM pg_indexes WHERE schemaname = ? AND indexname = ?', [schema, 'children_cmps__cmp_id']);
    expect(rows).toHaveLength(1);
    expect(rows[0].indexdef).toMatch(/\(cmp_id\)/);
    // and the plan of the children of given guardians reads it (not every link)
    const plan = await knex.transaction(async (trx: any) => {
      await trx.raw('SET LOCAL enable_seqscan = off');
      return trx.raw(`EXPLAIN SELECT entity_id FROM ${schema}.children_cmps WHERE cmp_id = ANY(?)`, [[1, 2, 3]]);
    });
    expect(plan.rows.map((row: any) => row['QUERY PLAN']).join('\n')).toContain('children_cmps__cmp_id');
  } else {
    const columns = (await knex.raw('PRAGMA index_info(children_cmps__cmp_id)')).map((row: any) => row.name);
    expect(columns).toEqual(['cmp_id']);
  }
});

test('PostgreSQL sessions of the app run without the JIT compiler (it cost seconds of compiling on large statements)', async () => {
  if (!postgres) return;
  const { rows } = await app.strapi.db.connection.raw('SHOW jit');
  expect(rows[0].jit).toBe('off');
});
