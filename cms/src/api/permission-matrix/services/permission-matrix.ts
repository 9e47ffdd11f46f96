import type { Core } from '@strapi/strapi';
import { readDomainConfig } from '../../../runtime/paths';
import { levels } from '../../../domain/levels';
import { PERMISSION_OVERRIDE, permissionMatrix } from '../../../bootstrap/roles';
import { recordAudit } from '../../../security/audit';
import { forbidden } from '../../../security/errors';
import { checkedKey, fieldError } from '../../../utils/validation';
import createError from 'http-errors';

const ROLE = 'plugin::users-permissions.role';
const PERMISSION = 'plugin::users-permissions.permission';

type Named = { name: string; nameEn: string };
/** A duty the system exists for (config/permission-matrix.json coreDuties): held while one of `roles` holds resource × action. */
export type CoreDuty = Named & { key: string; resource: string; action: string; roles: string[] };
export type MatrixCatalog = {
  coreDuties?: Record<string, unknown>;
  actions: Record<string, Named>;
  scopes: Record<string, string>;
  securityAdminRoles: string[];
  readOnlyRoles: string[];
  resources: Record<string, Named & { cells: Record<string, string[]> }>;
};
type Actor = { id?: number; username?: string; level?: string | null; role?: { type?: string } | null };
export type Change = { role?: unknown; resource?: unknown; action?: unknown; granted?: unknown; restore?: unknown; confirm?: unknown };
type Override = { id: number; roleType: string; action: string; granted: boolean; changedBy?: string | null; changedByLevel?: string | null; changedAt?: string | Date | null; updatedAt?: string | Date | null };

let cached: MatrixCatalog | undefined;
/** config/permission-matrix.json: resources × actions and the users-permissions actions of each cell. */
export function matrixCatalog(): MatrixCatalog {
  cached ??= readDomainConfig<MatrixCatalog>('permission-matrix.json');
  return cached;
}

const levelIndex = (key: string | null | undefined) => levels().findIndex((level) => level.key === key);

/** The core duties declared in config/permission-matrix.json. */
export function coreDuties(): CoreDuty[] {
  const { $comment, ...declared } = (matrixCatalog().coreDuties ?? {}) as Record<string, any>;
  return Object.entries(declared).map(([key, duty]) => ({ key, ...duty }));
}

/**
 * What a holder of these users-permissions actions may do, as resource → the matrix's actions
 * (a cell counts when every action it stands for is held, as in the matrix itself).
 */
export function effectiveActions(held: Set<string>): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const [resource, { cells }] of Object.entries(matrixCatalog().resources)) {
    const granted = Object.entries(cells).filter(([, ids]) => ids.every((id) => held.has(id))).map(([action]) => action);
    if (granted.length) result[resource] = granted;
  }
  return result;
}

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

  changedAt(row: Override): string | null {
    const at = row.changedAt ?? row.updatedAt ?? null;
    return at ? new Date(at).toISOString() : null;
  },

  /**
   * Whether `actor` may undo this override (put the cell back to config/roles.json): the security
   * administrator always; a level, what its own level or a level below it changed — never a change
   * made above it (by a higher level or the security administrator).
   */
  mayRestore(actor: Actor, row: Override): boolean {
    if (this.isSecurityAdmin(actor)) return true;
    const own = levelIndex(actor.level);
    if (own < 0) return false;
    if (!row.changedByLevel) return true; // made before levels were recorded: treated as the level's own
    const by = levelIndex(row.changedByLevel);
    return by >= own;
  },

  /**
   * The core duties (config/permission-matrix.json) that no role would hold any more if `role`
   * lost resource × action: the change then needs `confirm: true`.
   */
  async dutiesLost(role: string, resource: string, action: string): Promise<CoreDuty[]> {
    const ids = matrixCatalog().resources[resource]?.cells[action] ?? [];
    const lost: CoreDuty[] = [];
    for (const duty of coreDuties()) {
      if (duty.resource !== resource || duty.action !== action || !duty.roles.includes(role)) continue;
      let remaining = false;
      for (const other of duty.roles) {
        if (other !== role && this.cellGranted(ids, await this.held(other))) remaining = true;
      }
      if (!remaining) lost.push(duty);
    }
    return lost;
  },

  async matrix(actor: Actor) {
    const catalog = matrixCatalog();
    const defaults = permissionMatrix();
    const overrides: Override[] = await strapi.db.query(PERMISSION_OVERRIDE as any).findMany({});
    const overridden = new Map(overrides.map((row) => [`${row.roleType} ${row.action}`, row]));
    const editorHeld = this.isSecurityAdmin(actor) ? null : await this.held(actor.role?.type ?? actor.level ?? '');
    const roles = [];
    for (const type of this.roleTypes()) {
      const held = await this.held(type);
      const byDefault = new Set(defaults.get(type)?.actions ?? []);
      const refusal = this.refusal(actor, type);
      const cells: Record<string, Record<string, Record<string, unknown>>> = {};
      for (const [resource, { cells: resourceCells }] of Object.entries(catalog.resources)) {
        cells[resource] = {};
        for (const [action, ids] of Object.entries(resourceCells)) {
          const changes = ids.map((id) => overridden.get(`${type} ${id}`)).filter((row): row is Override => Boolean(row));
          const latest = changes.sort((a, b) => String(this.changedAt(b)).localeCompare(String(this.changedAt(a))))[0];
          const restorable = !refusal && changes.length > 0 && changes.every((row) => this.mayRestore(actor, row));
          cells[resource][action] = {
            granted: this.cellGranted(ids, held),
            byDefault: this.cellGranted(ids, byDefault),
            changed: changes.length > 0,
            changedBy: latest?.changedBy ?? null,
            changedByLevel: latest?.changedByLevel ?? null,
            changedAt: latest ? this.changedAt(latest) : null,
            restorable,
            grantable: !refusal && (editorHeld === null || this.cellGranted(ids, editorHeld) || (restorable && this.cellGranted(ids, byDefault))),
          };
        }
      }
      roles.push({ type, name: defaults.get(type)?.name ?? type, scope: catalog.scopes[type] ?? null, editable: !refusal, cells });
    }
    return {
      actions: Object.entries(catalog.actions).map(([key, named]) => ({ key, ...named })),
      resources: Object.entries(catalog.resources).map(([key, { name, nameEn, cells }]) => ({ key, name, nameEn, actions: Object.keys(cells) })),
      coreDuties: coreDuties(),
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
    const restore = input.restore === true;
    if (input.restore !== undefined && typeof input.restore !== 'boolean') throw fieldError('restore', '须为 true 或 false');
    if (!restore && typeof input.granted !== 'boolean') throw fieldError('granted', '须为 true 或 false');
    const defaults = new Set(permissionMatrix().get(role)?.actions ?? []);
    // restore: every action of the cell back to config/roles.json
    const granted = restore ? this.cellGranted(ids, defaults) : input.granted as boolean;
    const label = `${resource.name}·${catalog.actions[action]?.name ?? action}`;
    const refusal = this.refusal(actor, role);
    if (refusal) throw forbidden(refusal, { code: 'ROLE_NOT_EDITABLE', role });
    const existingRows: Override[] = await strapi.db.query(PERMISSION_OVERRIDE as any).findMany({ where: { roleType: role, action: { $in: ids } } });
    // putting the cell back to its default undoes overrides: allowed where the actor may undo them all
    const restoring = existingRows.length > 0 && ids.every((id) => granted === defaults.has(id)) && existingRows.every((row) => this.mayRestore(actor, row));
    if (restore && !existingRows.length) return { role, resource: input.resource, action, granted, byDefault: granted, changedBy: null, changedAt: null }; // already the default
    if (restore && existingRows.some((row) => !this.mayRestore(actor, row))) {
      throw forbidden(`该修改由上级做出，本级不能恢复：${label}`, { code: 'RESTORE_NOT_ALLOWED', action });
    }
    if (granted && !this.isSecurityAdmin(actor) && !restoring) {
      const own = await this.held(actor.role?.type ?? actor.level ?? '');
      const missing = ids.filter((id) => !own.has(id));
      if (missing.length) throw forbidden(`不能授予本级没有的权限：${label}`, { code: 'PERMISSION_NOT_HELD', action, missing });
    }
    const roleRow = await strapi.db.query(ROLE).findOne({ where: { type: role } });
    if (!roleRow) throw fieldError('role', '角色不存在');
    const before = this.cellGranted(ids, await this.held(role));
    if (before && !granted && input.confirm !== true) {
      const lost = await this.dutiesLost(role, String(input.resource), action);
      if (lost.length) {
        const names = lost.map((duty) => duty.name).join('、');
        throw createError(409, `此修改后将无人能够：${names}。确认修改请再次提交并确认`, {
          details: { code: 'CONFIRM_REQUIRED', confirm: lost.map(({ key, name, nameEn, resource: r, action: a, roles }) => ({ key, name, nameEn, resource: r, action: a, roles })) },
        });
      }
    }
    const who = { changedBy: actor.username ?? null, changedByLevel: this.isSecurityAdmin(actor) ? actor.role?.type ?? null : actor.level ?? null, changedAt: new Date() };
    await strapi.db.transaction(async () => {
      for (const id of ids) {
        const existing = existingRows.find((row) => row.action === id);
        if (granted === defaults.has(id)) {
          if (existing) await strapi.db.query(PERMISSION_OVERRIDE as any).delete({ where: { id: existing.id } });
        } else if (existing) {
          await strapi.db.query(PERMISSION_OVERRIDE as any).update({ where: { id: existing.id }, data: { granted, ...who } });
        } else {
          await strapi.db.query(PERMISSION_OVERRIDE as any).create({ data: { roleType: role, action: id, granted, ...who } });
        }
        const rows: { id: number }[] = await strapi.db.query(PERMISSION).findMany({ where: { role: roleRow.id, action: id }, select: ['id'] });
        if (granted && !rows.length) await strapi.db.query(PERMISSION).create({ data: { action: id, role: roleRow.id } });
        if (!granted && rows.length) await strapi.db.query(PERMISSION).deleteMany({ where: { id: { $in: rows.map((row) => row.id) } } });
      }
      await recordAudit(strapi, {
        action: 'permission.change', targetType: ROLE, targetId: role,
        details: { role, resource: input.resource, action, actions: ids, before: { granted: before }, after: { granted }, ...(restore ? { restore: true } : {}), ...(input.confirm === true ? { confirmed: true } : {}) },
      });
    });
    return { role, resource: input.resource, action, granted, byDefault: this.cellGranted(ids, defaults), changedBy: granted === this.cellGranted(ids, defaults) ? null : who.changedBy, changedAt: granted === this.cellGranted(ids, defaults) ? null : who.changedAt.toISOString() };
  },
});
