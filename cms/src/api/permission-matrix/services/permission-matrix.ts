import type { Core } from '@strapi/strapi';
import { readDomainConfig } from '../../../runtime/paths';
import { levels } from '../../../domain/levels';
import { PERMISSION_OVERRIDE, permissionMatrix } from '../../../bootstrap/roles';
import { recordAudit } from '../../../security/audit';
import { forbidden } from '../../../security/errors';
import { checkedKey, fieldError } from '../../../utils/validation';

const ROLE = 'plugin::users-permissions.role';
const PERMISSION = 'plugin::users-permissions.permission';

type Named = { name: string; nameEn: string };
export type MatrixCatalog = {
  actions: Record<string, Named>;
  scopes: Record<string, string>;
  securityAdminRoles: string[];
  readOnlyRoles: string[];
  resources: Record<string, Named & { cells: Record<string, string[]> }>;
};
type Actor = { id?: number; username?: string; level?: string | null; role?: { type?: string } | null };
export type Change = { role?: unknown; resource?: unknown; action?: unknown; granted?: unknown };

let cached: MatrixCatalog | undefined;
/** config/permission-matrix.json: resources × actions and the users-permissions actions of each cell. */
export function matrixCatalog(): MatrixCatalog {
  cached ??= readDomainConfig<MatrixCatalog>('permission-matrix.json');
  return cached;
}

const levelIndex = (key: string | null | undefined) => levels().findIndex((level) => level.key === key);

/**
 * 角色权限: each role's permissions as resource × action, with the scope of its level.
 * A cell is granted when the role holds every users-permissions action it stands for. Changes:
 * - the security administrator (securityAdminRoles) changes any level role, within the catalogue;
 * - a level changes only the levels below its own, and grants only cells it holds itself
 *   (removing is always allowed: a level may take from the level below what it could not use);
 * - the 三员 roles are read-only here.
 * A change is stored as an override of config/roles.json (applied again at every start), written
 * at once to the role's users-permissions rows (the permission cache is emptied by that write) and
 * audited as `permission.change` with the cell before and after — all in one transaction.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  roleTypes(): string[] {
    const catalog = matrixCatalog();
    return [...levels().map((level) => level.key), ...catalog.readOnlyRoles];
  },

  async held(type: string): Promise<Set<string>> {
    const role = await strapi.db.query(ROLE).findOne({ where: { type } });
    if (!role) return new Set();
    const rows: { action: string }[] = await strapi.db.query(PERMISSION).findMany({ where: { role: role.id }, select: ['action'] });
    return new Set(rows.map((row) => row.action));
  },

  isSecurityAdmin(actor: Actor): boolean {
    return matrixCatalog().securityAdminRoles.includes(actor.role?.type ?? '');
  },

  /** Why `actor` may not change `role` at all (null: it may). */
  refusal(actor: Actor, role: string): string | null {
    if (matrixCatalog().readOnlyRoles.includes(role)) return '三员角色的权限为只读，不在此修改';
    if (this.isSecurityAdmin(actor)) return null;
    const own = levelIndex(actor.level);
    if (own < 0) return '无权修改角色权限';
    if (levelIndex(role) <= own) return '只能修改下级角色的权限';
    return null;
  },

  cellGranted(actions: string[], held: Set<string>): boolean {
    return actions.every((action) => held.has(action));
  },

  async matrix(actor: Actor) {
    const catalog = matrixCatalog();
    const defaults = permissionMatrix();
    const overrides: { roleType: string; action: string }[] = await strapi.db.query(PERMISSION_OVERRIDE as any).findMany({ select: ['roleType', 'action'] });
    const overridden = new Set(overrides.map((row) => `${row.roleType} ${row.action}`));
    const editorHeld = this.isSecurityAdmin(actor) ? null : await this.held(actor.role?.type ?? actor.level ?? '');
    const roles = [];
    for (const type of this.roleTypes()) {
      const held = await this.held(type);
      const byDefault = new Set(defaults.get(type)?.actions ?? []);
      const refusal = this.refusal(actor, type);
      const cells: Record<string, Record<string, { granted: boolean; byDefault: boolean; changed: boolean; grantable: boolean }>> = {};
      for (const [resource, { cells: resourceCells }] of Object.entries(catalog.resources)) {
        cells[resource] = {};
        for (const [action, ids] of Object.entries(resourceCells)) {
          cells[resource][action] = {
            granted: this.cellGranted(ids, held),
            byDefault: this.cellGranted(ids, byDefault),
            changed: ids.some((id) => overridden.has(`${type} ${id}`)),
            grantable: !refusal && (editorHeld === null || this.cellGranted(ids, editorHeld)),
          };
        }
      }
      roles.push({ type, name: defaults.get(type)?.name ?? type, scope: catalog.scopes[type] ?? null, editable: !refusal, cells });
    }
    return {
      actions: Object.entries(catalog.actions).map(([key, named]) => ({ key, ...named })),
      resources: Object.entries(catalog.resources).map(([key, { name, nameEn, cells }]) => ({ key, name, nameEn, actions: Object.keys(cells) })),
      roles,
    };
  },

  async change(actor: Actor, input: Change = {}) {
    const catalog = matrixCatalog();
    const role = typeof input.role === 'string' ? checkedKey(input.role, 'role') : '';
    if (!this.roleTypes().includes(role)) throw fieldError('role', '角色不存在');
    const resource = typeof input.resource === 'string' && Object.hasOwn(catalog.resources, checkedKey(input.resource, 'resource')) ? catalog.resources[input.resource] : undefined;
    if (!resource) throw fieldError('resource', '资源不在权限矩阵中');
    const action = typeof input.action === 'string' ? checkedKey(input.action, 'action') : '';
    const ids = Object.hasOwn(resource.cells, action) ? resource.cells[action] : undefined;
    if (!ids) throw fieldError('action', '该资源没有此操作');
    if (typeof input.granted !== 'boolean') throw fieldError('granted', '须为 true 或 false');
    const granted = input.granted;
    const label = `${resource.name}·${catalog.actions[action]?.name ?? action}`;
    const refusal = this.refusal(actor, role);
    if (refusal) throw forbidden(refusal, { code: 'ROLE_NOT_EDITABLE', role });
    if (granted && !this.isSecurityAdmin(actor)) {
      const own = await this.held(actor.role?.type ?? actor.level ?? '');
      const missing = ids.filter((id) => !own.has(id));
      if (missing.length) throw forbidden(`不能授予本级没有的权限：${label}`, { code: 'PERMISSION_NOT_HELD', action, missing });
    }
    const defaults = new Set(permissionMatrix().get(role)?.actions ?? []);
    const roleRow = await strapi.db.query(ROLE).findOne({ where: { type: role } });
    if (!roleRow) throw fieldError('role', '角色不存在');
    const before = this.cellGranted(ids, await this.held(role));
    await strapi.db.transaction(async () => {
      for (const id of ids) {
        const existing = await strapi.db.query(PERMISSION_OVERRIDE as any).findOne({ where: { roleType: role, action: id } });
        if (granted === defaults.has(id)) {
          if (existing) await strapi.db.query(PERMISSION_OVERRIDE as any).delete({ where: { id: existing.id } });
        } else if (existing) {
          await strapi.db.query(PERMISSION_OVERRIDE as any).update({ where: { id: existing.id }, data: { granted, changedBy: actor.username ?? null } });
        } else {
          await strapi.db.query(PERMISSION_OVERRIDE as any).create({ data: { roleType: role, action: id, granted, changedBy: actor.username ?? null } });
        }
        const rows: { id: number }[] = await strapi.db.query(PERMISSION).findMany({ where: { role: roleRow.id, action: id }, select: ['id'] });
        if (granted && !rows.length) await strapi.db.query(PERMISSION).create({ data: { action: id, role: roleRow.id } });
        if (!granted && rows.length) await strapi.db.query(PERMISSION).deleteMany({ where: { id: { $in: rows.map((row) => row.id) } } });
      }
      await recordAudit(strapi, {
        action: 'permission.change', targetType: ROLE, targetId: role,
        details: { role, resource: input.resource, action, actions: ids, before: { granted: before }, after: { granted } },
      });
    });
    return { role, resource: input.resource, action, granted, byDefault: this.cellGranted(ids, defaults) };
  },
});
