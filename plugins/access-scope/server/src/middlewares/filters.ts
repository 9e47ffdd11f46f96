import type { Core } from '@strapi/strapi';
import type { ScopeService } from '../services/scope';
import { combineFilters } from '../services/scope';
import type { Reach } from '../types';

const GROUPS = new Set(['$and', '$or']);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date);

/**
 * A relation's condition as an object of the target's attributes: Strapi reads a bare value
 * (`filters[kindergarten]=3`) or one operator (`{ $in: [...] }`) on a relation as a condition on the
 * related record's id (@strapi/database query/helpers/where.js processRelationWhere).
 */
function asTargetCondition(value: unknown): unknown {
  if (!isRecord(value)) return { id: value };
  const keys = Object.keys(value);
  const operators = keys.filter((key) => key.startsWith('$'));
  if (operators.length === 1 && keys.length === 1 && !GROUPS.has(operators[0]) && operators[0] !== '$not') return { id: value };
  return value;
}

/**
 * Adds the scope filter of every related model a filter reaches through a relation, at any depth and
 * inside `$and`, `$or` and `$not`: a condition on a related record only ever matches records of
 * that model inside the reach, as populate does (populate.ts). Without it a list of records in reach
 * — or of unscoped records such as regions — answers questions about records out of reach
 * (`/api/regions?filters[kindergartens][principal][$startsWith]=吴` tells who runs a kindergarten
 * of another county). The condition is AND-ed at the relation's own level, so it holds for the same
 * related row the user's condition is about.
 */
export function scopeFilters(strapi: Core.Strapi, scope: ScopeService, uid: string, filters: unknown, reach: Reach): unknown {
  if (Array.isArray(filters)) return filters.map((item) => scopeFilters(strapi, scope, uid, item, reach));
  if (!isRecord(filters)) return filters;
  // registry lookups: `strapi.contentTypes` / `strapi.components` copy the whole registry on every read
  const schema: any = strapi.contentType(uid as any) ?? (strapi.get('components') as any).get(uid);
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(filters)) {
    if (GROUPS.has(key) || key === '$not') {
      result[key] = scopeFilters(strapi, scope, uid, value, reach);
      continue;
    }
    const attribute = key.startsWith('$') ? undefined : schema?.attributes?.[key];
    if (attribute?.type === 'relation' && attribute.target) {
      const condition = asTargetCondition(value);
      const inner = scopeFilters(strapi, scope, attribute.target, condition, reach);
      const filter = scope.filterFor(attribute.target, reach);
      result[key] = filter ? combineFilters(inner, filter) : inner;
    } else if (attribute?.type === 'component' && attribute.component) {
      result[key] = scopeFilters(strapi, scope, attribute.component, value, reach);
    } else {
      result[key] = value;
    }
  }
  return result;
}
