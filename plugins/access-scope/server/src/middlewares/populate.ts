import type { Core } from '@strapi/strapi';
import type { ScopeService } from '../services/scope';
import { combineFilters } from '../services/scope';
import type { Reach } from '../types';
import { scopeFilters } from './filters';

const POPULATABLE = new Set(['relation', 'component', 'media', 'dynamiczone']);

/** Turns every spelling of `populate` ("a,b.c", ["a", "b.c"], "*", {a: true}) into the object form. */
function toObject(schema: any, populate: unknown): Record<string, any> {
  if (populate === '*' || populate === true) {
    return Object.fromEntries(
      Object.entries(schema?.attributes ?? {})
        .filter(([, attribute]: [string, any]) => POPULATABLE.has(attribute.type) && !attribute.private)
        .map(([name]) => [name, true]),
    );
  }
  const paths = typeof populate === 'string' ? populate.split(',') : Array.isArray(populate) ? populate : null;
  if (paths) {
    const result: Record<string, any> = {};
    for (const path of paths.map((p) => String(p).trim()).filter(Boolean)) {
      if (path === '*') Object.assign(result, toObject(schema, '*'));
      else {
        const [head, ...rest] = path.split('.');
        const inner = rest.length ? { populate: rest.join('.') } : true;
        result[head] = mergeEntries(result[head], inner);
      }
    }
    return result;
  }
  return populate && typeof populate === 'object' ? { ...(populate as Record<string, any>) } : {};
}

function mergeEntries(existing: any, added: any) {
  if (!existing || existing === true) return added;
  if (added === true) return existing;
  const left = existing.populate ? [].concat(existing.populate) : [];
  const right = added.populate ? [].concat(added.populate) : [];
  return { ...existing, ...added, populate: [...left, ...right].join(',') };
}

/**
 * Adds the scope filter to every relation reached through `populate` whose target belongs to a
 * place, at any depth (through relations and components), so a record in reach never carries a
 * related record out of reach.
 */
export function scopePopulate(strapi: Core.Strapi, scope: ScopeService, uid: string, populate: unknown, reach: Reach): unknown {
  // registry lookups: `strapi.contentTypes` / `strapi.components` copy the whole registry on every read
  const schema: any = strapi.contentType(uid as any) ?? (strapi.get('components') as any).get(uid);
  if (!schema || populate === undefined || populate === null || populate === false) return populate;
  const entries = toObject(schema, populate);
  for (const [name, value] of Object.entries(entries)) {
    const attribute = schema.attributes?.[name];
    if (!attribute) continue;
    const targetUid = attribute.type === 'relation' ? attribute.target : attribute.type === 'component' ? attribute.component : null;
    if (!targetUid) continue;
    const entry = value === true || value === '*' ? {} : { ...(value as object) } as Record<string, any>;
    if (entry.populate !== undefined) entry.populate = scopePopulate(strapi, scope, targetUid, entry.populate, reach);
    // a populate's own filters may go through relations too
    if (entry.filters !== undefined) entry.filters = scopeFilters(strapi, scope, targetUid, entry.filters, reach);
    if (attribute.type === 'relation') {
      const filter = scope.filterFor(targetUid, reach);
      if (filter) entry.filters = combineFilters(entry.filters, filter);
    }
    entries[name] = Object.keys(entry).length ? entry : value;
  }
  return entries;
}
