import type { Core } from '@strapi/strapi';
import { readDomainConfig } from '../runtime/paths';
import { levels } from '../domain/levels';
import { recordAudit } from '../security/audit';

type AccountRole = { name: string; forAccountsWith: string; actions: string[] };
type RoleMatrix = {
  common: string[]; roles: Record<string, string[]>; public: string[]; authenticated: string[];
  adminRoles?: Record<string, { name: string; actions: string[] } | string>;
  accountRoles?: Record<string, AccountRole | string>;
};

const ROLE = 'plugin::users-permissions.role';
const PERMISSION = 'plugin::users-permissions.permission';
const USER = 'plugin::users-permissions.user';
export const PERMISSION_OVERRIDE = 'api::permission-matrix.role-permission-override';

/** The changes made in the panel (角色权限) per role type: action → granted (true) or removed (false). */
export async function permissionOverrides(strapi: Core.Strapi): Promise<Map<string, Map<string, boolean>>> {
  const rows: { roleType: string; action: string; granted: boolean }[] = await strapi.db.query(PERMISSION_OVERRIDE as any).findMany({ orderBy: { id: 'asc' } });
  const result = new Map<string, Map<string, boolean>>();
  for (const row of rows) {
    if (!result.has(row.roleType)) result.set(row.roleType, new Map());
    result.get(row.roleType)!.set(row.action, Boolean(row.granted));
  }
  return result;
}

/** A role's actions: config/roles.json, then the overrides made in the panel. */
export function withOverrides(actions: string[], overrides: Map<string, boolean> | undefined): string[] {
  if (!overrides?.size) return actions;
  const result = new Set(actions);
  for (const [action, granted] of overrides) {
    if (granted) result.add(action);
    else result.delete(action);
  }
  return [...result];
}

/** The actions each users-permissions role type may call, from config/roles.json. */
export function permissionMatrix(): Map<string, { name: string; actions: string[] }> {
  const matrix = readDomainConfig<RoleMatrix>('roles.json');
  const result = new Map<string, { name: string; actions: string[] }>();
  result.set('public', { name: 'Public', actions: matrix.public });
  result.set('authenticated', { name: 'Authenticated', actions: matrix.authenticated });
  for (const level of levels()) {
    result.set(level.key, { name: level.name, actions: [...new Set([...matrix.common, ...(matrix.roles[level.key] ?? [])])] });
  }
  // 三员 (system, security, audit administrators): their own actions only, no common ones.
  for (const [type, role] of Object.entries(matrix.adminRoles ?? {})) {
    if (typeof role === 'object') result.set(type, { name: role.name, actions: role.actions });
  }
  // roles of accounts linked to a person (a teacher): their own actions only
  for (const [type, role] of accountRoles()) result.set(type, { name: role.name, actions: role.actions });
  return result;
}

/** config/roles.json accountRoles: the roles of accounts linked to one person's record (a teacher's). */
export function accountRoles(): [string, AccountRole][] {
  const declared = readDomainConfig<RoleMatrix>('roles.json').accountRoles ?? {};
  return Object.entries(declared).filter((entry): entry is [string, AccountRole] => typeof entry[1] === 'object' && Boolean(entry[1].forAccountsWith));
}

/** The role type of an account: the account role whose linking field it has set, else its level's. */
export function roleTypeOf(account: Record<string, unknown>): string {
  const linked = accountRoles().find(([, role]) => account[role.forAccountsWith] !== undefined && account[role.forAccountsWith] !== null && account[role.forAccountsWith] !== '');
  return linked ? linked[0] : String(account.level);
}

/** Accounts linked to a person that hold another role (made before the account role existed) get it. */
async function repairAccountRoles(strapi: Core.Strapi) {
  for (const [type, role] of accountRoles()) {
    const roleId = await roleIdOf(strapi, type);
    const users: { id: number }[] = await strapi.db.query(USER).findMany({
      where: { [role.forAccountsWith]: { $notNull: true }, $or: [{ role: { id: { $ne: roleId } } }, { role: { id: { $null: true } } }] },
      select: ['id'],
    });
    for (const user of users) await strapi.db.query(USER).update({ where: { id: user.id }, data: { role: roleId } });
    if (users.length) {
      await recordAudit(strapi, { action: 'permission.sync', actor: { username: 'system:config/roles.json' }, targetType: USER, targetId: type, details: { accounts: users.map((u) => u.id), role: type } });
    }
  }
}

/**
 * Makes the users-permissions roles and their permissions exactly what the matrix says:
 * config/roles.json, with the overrides made in the panel (角色权限) applied over it.
 */
export async function syncRoles(strapi: Core.Strapi): Promise<void> {
  const overrides = await permissionOverrides(strapi);
  for (const [type, { name, actions: configured }] of permissionMatrix()) {
    const actions = withOverrides(configured, overrides.get(type));
    let role = await strapi.db.query(ROLE).findOne({ where: { type } });
    if (!role) role = await strapi.db.query(ROLE).create({ data: { type, name, description: `${name} (${type})` } });
    const granted: { id: number; action: string }[] = await strapi.db.query(PERMISSION).findMany({ where: { role: role.id } });
    const grantedActions = new Set(granted.map((permission) => permission.action));
    const wanted = new Set(actions);
    const extra = granted.filter((permission) => !wanted.has(permission.action)).map((permission) => permission.id);
    if (extra.length) await strapi.db.query(PERMISSION).deleteMany({ where: { id: { $in: extra } } });
    const added = actions.filter((a) => !grantedActions.has(a));
    for (const action of added) {
      await strapi.db.query(PERMISSION).create({ data: { action, role: role.id } });
    }
    // every permission change is in the audit trail, also those made by config/roles.json at start
    if (extra.length || added.length) {
      const removed = granted.filter((permission) => !wanted.has(permission.action)).map((permission) => permission.action);
      await recordAudit(strapi, { action: 'permission.sync', actor: { username: 'system:config/roles.json' }, targetType: ROLE, targetId: type, details: { added, removed } });
    }
  }
  await repairAccountRoles(strapi);
  // Accounts are created by the level above, never by self-registration.
  const store = strapi.store({ type: 'plugin', name: 'users-permissions', key: 'advanced' });
  const advanced = ((await store.get()) as Record<string, unknown>) ?? {};
  if (advanced.allow_register !== false) await store.set({ value: { ...advanced, allow_register: false } });
}

export async function roleIdOf(strapi: Core.Strapi, type: string): Promise<number> {
  const role = await strapi.db.query(ROLE).findOne({ where: { type } });
  if (!role) throw new Error(`users-permissions role ${type} is missing`);
  return role.id;
}
