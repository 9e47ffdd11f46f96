import type { Core } from '@strapi/strapi';

/**
 * A table name for knex: schema-qualified on PostgreSQL when the app runs in a schema of its own
 * (DATABASE_SCHEMA: tests, benchmarks), as it is on SQLite otherwise.
 */
export function qualifiedTable(strapi: Core.Strapi, name: string): string {
  const schema = strapi.config.get('database.connection.connection.schema') as string | undefined;
  return strapi.db.dialect.client === 'postgres' && schema ? `${schema}.${name}` : name;
}
