import type { Core } from '@strapi/strapi';
import { onEveryWrite } from '../runtime/on-every-write';

const PERMISSION = 'plugin::users-permissions.permission';
const ROLE = 'plugin::users-permissions.role';
/** A safety net: other instances drop their entries within a second of a change (cms/src/runtime/cluster-bus.ts), this one at once. */
export const PERMISSION_CACHE_TTL_MS = 5_000;
const MAX_ABILITIES = 64;

type Entry<T> = { value: Promise<T>; at: number };

/**
 * The key of a permission list: two lists share one iff their JSON is the same. users-permissions gives
 * `{ action }` objects (toContentAPIPermission): such a list is named by its actions alone (the same
 * partition, without writing a hundred objects as JSON on every request); any other list by its JSON.
 */
export function permissionsKey(permissions: unknown[]): string {
  if (!Array.isArray(permissions)) return `json:${JSON.stringify(permissions)}`;
  const actions: string[] = new Array(permissions.length);
  for (let i = 0; i < permissions.length; i += 1) {
    const permission: any = permissions[i];
    let keys = 0;
    if (permission !== null && typeof permission === 'object' && Object.getPrototypeOf(permission) === Object.prototype) {
      for (const name in permission) keys += name === 'action' ? 1 : 2;
    }
    if (keys !== 1 || typeof permission.action !== 'string') return `json:${JSON.stringify(permissions)}`;
    actions[i] = permission.action;
  }
  return `actions:${JSON.stringify(actions)}`;
}

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
      const key = permissionsKey(permissions);
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
