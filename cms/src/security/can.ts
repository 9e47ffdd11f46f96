/**
 * The one permission question for write paths that Strapi's route check does not cover (docs/security/write-paths.md):
 * may this user perform this users-permissions action (`api::child.child.create`, …) now?
 *
 * The answer comes from the same source, by the same code, as the REST route check of the
 * users-permissions plugin: the role's permission rows (config/roles.json with the overrides of the
 * permission matrix applied over it by cms/src/bootstrap/roles.ts and the permission-matrix service),
 * read through the users-permissions permission service (cached per role by
 * cms/src/bootstrap/permission-cache.ts, emptied at once by any change), turned into a CASL ability
 * by Strapi's content-API permission engine. Nothing here re-derives a role's actions.
 *
 * The system (cron jobs, bootstrap, scripts) acts without a user and says so explicitly by passing
 * SYSTEM; a missing user is never taken for the system.
 */
import type { Core } from '@strapi/strapi';
import { forbidden } from './errors';
import { readDomainConfig } from '../runtime/paths';

const USER = 'plugin::users-permissions.user';

/** The explicit actor of system work: scheduled jobs, bootstrap, scripts. */
export const SYSTEM: unique symbol = Symbol.for('preschool-mis.system-actor');
export type Actor = typeof SYSTEM | { id?: number | string | null; role?: { id?: number | null } | number | null; blocked?: boolean | null } | null | undefined;

type Catalog = { actions: Record<string, { name: string }>; resources: Record<string, { name: string; cells: Record<string, string[]> }> };
let catalog: Catalog | undefined;

/**
 * What a refusal says: the matrix cell that holds the action (config/permission-matrix.json), e.g.
 * 无权新增幼儿学籍（权限矩阵）; an action outside the matrix is named as it is.
 */
export function refusalMessage(action: string): string {
  catalog ??= readDomainConfig<Catalog>('permission-matrix.json');
  for (const resource of Object.values(catalog.resources)) {
    for (const [cell, actions] of Object.entries(resource.cells)) {
      if (actions.includes(action)) return `无权${catalog.actions[cell]?.name ?? cell}${resource.name}（权限矩阵）`;
    }
  }
  return `无权执行此操作：${action}`;
}

async function roleIdOf(strapi: Core.Strapi, user: Exclude<Actor, typeof SYSTEM | null | undefined>): Promise<number | null> {
  // Read again: a background job (an import) runs after the request; the account may be blocked or moved since.
  if (user.id === undefined || user.id === null) return null;
  const stored = await strapi.db.query(USER).findOne({ where: { id: user.id }, select: ['id', 'blocked'], populate: { role: { select: ['id'] } } });
  if (!stored || stored.blocked) return null;
  return stored.role?.id ?? null;
}

/** Whether `user` may perform the users-permissions `action` now (SYSTEM: always). */
export async function isAllowed(strapi: Core.Strapi, user: Actor, action: string): Promise<boolean> {
  if (user === SYSTEM) return true;
  if (!user || typeof user !== 'object') return false;
  const roleId = await roleIdOf(strapi, user);
  if (roleId === null) return false;
  const permissionService: any = strapi.plugin('users-permissions').service('permission');
  const rows = await permissionService.findRolePermissions(roleId);
  const permissions = rows.map(permissionService.toContentAPIPermission);
  const ability = await (strapi as any).contentAPI.permissions.engine.generateAbility(permissions);
  return Boolean(ability.can(action));
}

/** Throws a 403 naming the matrix cell unless `user` may perform every one of `actions`. */
export async function assertAllowed(strapi: Core.Strapi, user: Actor, ...actions: string[]): Promise<void> {
  for (const action of actions) {
    if (!(await isAllowed(strapi, user, action))) throw forbidden(refusalMessage(action), { code: 'PERMISSION_MATRIX', action });
  }
}
