import type { Core } from '@strapi/strapi';
import fs from 'node:fs';
import path from 'node:path';
import { repositoryRoot } from '../runtime/paths';

/**
 * Applies `database/<client>/*.sql` in name order after Strapi's schema sync, at every start: SQL
 * that content-type schemas cannot express (operator-class indexes, ...). Every statement must be
 * idempotent (`IF NOT EXISTS`); `{schema}` stands for the schema in use. SQLite runs one statement
 * at a time: its files are split at each `;` that ends a line (no `;` at a line's end inside a statement).
 */
export async function applyDatabaseSql(strapi: Core.Strapi): Promise<number> {
  const client = strapi.db.dialect.client;
  const folder = path.join(repositoryRoot, 'database', client === 'postgres' ? 'postgres' : client);
  if (!fs.existsSync(folder)) return 0;
  const schema = strapi.config.get('database.connection.connection.schema', 'public') as string;
  const files = fs.readdirSync(folder).filter((name) => name.endsWith('.sql')).sort();
  for (const file of files) {
    const sql = fs.readFileSync(path.join(folder, file), 'utf8').replaceAll('{schema}', `"${schema.replace(/"/g, '')}"`);
    if (client === 'postgres') await strapi.db.connection.raw(sql);
    else for (const statement of sql.split(/;[ \t]*(?:\r?\n|$)/)) if (statement.replace(/--[^\n]*/g, '').trim()) await strapi.db.connection.raw(statement);
  }
  return files.length;
}
