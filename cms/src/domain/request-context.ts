import type { Core } from '@strapi/strapi';
import type { ScopeService } from 'access-scope';

export type { Reach, SqlReach, SqlColumns } from 'access-scope';

/** The users-permissions user acting in the current HTTP request, if any (not the system, not Strapi's admin). */
export function actingUser(strapi: Core.Strapi): Record<string, any> | null {
  const state = strapi.requestContext.get()?.state;
  return state?.auth?.strategy?.name === 'users-permissions' ? state.user ?? null : null;
}

/**
 * The access-scope plugin's service, typed: the one place that turns a reach into a filter (document
 * filters, knex `where`, places of a record, region prefixes) and runs system work
 * (plugins/access-scope/server/src/services/scope.ts, docs/access-scope.md).
 */
export function accessScope(strapi: Core.Strapi): ScopeService {
  return strapi.plugin('access-scope').service('scope') as ScopeService;
}

/**
 * Runs `fn` as the system, beyond the caller's reach and the rules that hold for users, writing an
 * audit entry that names `reason` first (the plugin's `runAsSystem`). The one way code of ours acts
 * beyond the user it serves: a request's input cannot switch it on.
 */
export function runAsSystem<T>(strapi: Core.Strapi, reason: string, fn: () => Promise<T>): Promise<T> {
  return accessScope(strapi).runAsSystem(reason, fn);
}

/** Whether the current work runs inside `runAsSystem` (rules that hold for users let it pass). */
export function runningAsSystem(strapi: Core.Strapi): boolean {
  return accessScope(strapi).systemWork() !== null;
}
