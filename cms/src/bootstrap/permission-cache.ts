import type { Core } from '@strapi/strapi';
import { onEveryWrite } from '../runtime/on-every-write';

const PERMISSION = 'plugin::users-permissions.permission';
const ROLE = 'plugin::users-permissions.role';
/** A safety net: other instances drop their entries within a second of a change (cms/src/runtime/cluster-bus.ts), this one at once. */
export const PERMISSION_CACHE_TTL_MS = 5_000;
const MAX_ABILITIES = 64;

type Entry<T> = { value: Promise<T>; at: number };

/**
 * Every API request asks users-permissions for its role's permission rows (a query returning about
 * a hundred rows) and builds a CASL ability from them, before any of our code runs: on two cores
 * that is most of a small request's time. Both depend only on the role's rows, which change when the
 * roles are synchronised from config/roles.json or an administrator edits a role. So: the rows are
 * kept per role, and the ability per distinct set of permissions; any write to the permissions or
 * roles (through Strapi's query engine, which every path uses) empties both at once in this
 * instance and, on PostgreSQL, within a second in the others (cms/src/runtime/on-every-write.ts);
 * entries older than PERMISSION_CACHE_TTL_MS are refetched all the same.
 * Who the user is and whether the account is blocked are still read on every request.
 */
export function installPermissionCache(strapi: Core.Strapi, now: () => number = Date.now) {
  const permissionService: any = strapi.plugin('users-permissions').service('permission');
  const engine: any = (strapi as any).contentAPI?.permissions?.engine;
  const rolePermissions = new Map<unknown, Entry<unknown[]>>();
  const abilities = new Map<string, Entry<unknown>>();
  const clear = () => {
    rolePermissions.clear();
    abilities.clear();
  };
  const fresh = <T>(entry: Entry<T> | undefined) => entry && now() - entry.at < PERMISSION_CACHE_TTL_MS;

  const findRolePermissions = permissionService.findRolePermissions.bind(permissionService);
  permissionService.findRolePermissions = (roleId: unknown) => {
    const cached = rolePermissions.get(roleId);
    if (fresh(cached)) return cached!.value;
    const value = findRolePermissions(roleId);
    rolePermissions.set(roleId, { value, at: now() });
    value.catch(() => rolePermissions.delete(roleId));
    return value;
  };

  if (engine?.generateAbility) {
    const generateAbility = engine.generateAbility.bind(engine);
    engine.generateAbility = (permissions: unknown[], ...rest: unknown[]) => {
      if (rest.length) return generateAbility(permissions, ...rest); // a user context: not shareable
      const key = JSON.stringify(permissions);
      const cached = abilities.get(key);
      if (fresh(cached)) return cached!.value;
      if (abilities.size >= MAX_ABILITIES) abilities.clear();
      const value = generateAbility(permissions);
      abilities.set(key, { value, at: now() });
      Promise.resolve(value).catch(() => abilities.delete(key));
      return value;
    };
  }

  onEveryWrite(strapi, [PERMISSION, ROLE], clear);
  return { clear };
}
