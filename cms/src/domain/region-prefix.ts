import type { Core } from '@strapi/strapi';

/**
 * Restricts a knex query to the county codes starting with `prefix`, by the access-scope plugin's
 * one rule (`countyCodeCondition`: equality for a county, a range for a prefecture or province), so
 * that raw-SQL statistics use the county-code index as the document service does.
 */
export function whereCountyPrefix(strapi: Core.Strapi, query: any, column: string, prefix: string) {
  const condition = strapi.plugin('access-scope').service('scope').countyCodeCondition(prefix) as Record<string, string>;
  if (condition.$eq !== undefined) return query.where(column, condition.$eq);
  if (condition.$gte !== undefined) return query.where(column, '>=', condition.$gte).andWhere(column, '<', condition.$lt);
  return query.where(column, 'like', `${prefix}%`);
}
