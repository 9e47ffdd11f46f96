import type { Core } from '@strapi/strapi';
import { errors, validateYupSchema, yup } from '@strapi/utils';
import crypto from 'node:crypto';
import { levelBelow, levelOf, regionLevelFor, type Level } from '../../../domain/levels';
import { roleIdOf, roleTypeOf } from '../../../bootstrap/roles';
import { fieldError } from '../../../utils/validation';
import { revokeSessionsOf } from '../../../security/sessions';
import { accessScope } from '../../../domain/request-context';

const USER = 'plugin::users-permissions.user';
const PUBLIC_FIELDS = ['id', 'documentId', 'username', 'email', 'fullName', 'level', 'regionCode', 'institutionCode', 'blocked', 'createdAt', 'updatedAt'] as const;
const EDITABLE = new Set(['fullName', 'email', 'blocked']);
const SORTABLE = new Set(['username', 'fullName', 'level', 'regionCode', 'institutionCode', 'blocked', 'createdAt', 'updatedAt']);

export type Actor = { id: number; level?: string | null; regionCode?: string | null; institutionCode?: string | null; blocked?: boolean };
export type AccountInput = { username?: string; fullName?: string; email?: string; regionCode?: string; institutionCode?: string; password?: string; blocked?: boolean };
export type ListQuery = { filters?: Record<string, any>; sort?: string | string[]; pagination?: { start?: number | string; limit?: number | string } };

const createSchema = yup.object({
  username: yup.string().trim().required('用户名必填').matches(/^[A-Za-z0-9_.-]{3,50}$/, '用户名须为 3–50 位字母、数字、下划线、点或连字符'),
  fullName: yup.string().trim().required('姓名必填').max(50, '姓名不超过 50 个字'),
  email: yup.string().trim().email('电子邮箱格式不正确').nullable(),
  regionCode: yup.string().trim().matches(/^\d{6}$/, '行政区划代码须为 6 位数字').nullable(),
  institutionCode: yup.string().trim().matches(/^\d{10}$/, '机构标识码须为 10 位数字').nullable(),
}).noUnknown(false);

const updateSchema = yup.object({
  fullName: yup.string().trim().max(50, '姓名不超过 50 个字').min(1, '姓名不能为空'),
  email: yup.string().trim().email('电子邮箱格式不正确').nullable(),
  blocked: yup.boolean(),
});

/** A temporary password: 14 characters with upper, lower, digits and a symbol. */
export function temporaryPassword(): string {
  const pick = (chars: string, n: number) => Array.from(crypto.randomBytes(n), (b) => chars[b % chars.length]).join('');
  const chars = [...pick('ABCDEFGHJKLMNPQRSTUVWXYZ', 4), ...pick('abcdefghijkmnpqrstuvwxyz', 5), ...pick('23456789', 4), ...pick('#%+=@', 1)];
  for (let i = chars.length - 1; i > 0; i -= 1) {
    const j = crypto.randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j], chars[i]];
  }
  return chars.join('');
}

/**
 * Accounts (账号): each level creates, disables and resets the passwords of the accounts of the
 * level right below it, inside its own reach, and nowhere else ("passwords are reset by the level
 * above"). An account outside that answers 404, as a record out of reach does.
 */
const accountService = ({ strapi }: { strapi: Core.Strapi }) => ({
  scope() {
    return accessScope(strapi);
  },

  /** The level whose accounts `actor` manages, or undefined. */
  managedLevel(actor: Actor): Level | undefined {
    return levelOf(actor.level) ? levelBelow(actor.level) : undefined;
  },

  /** The where-clause of the accounts `actor` manages; null when none. */
  manageableWhere(actor: Actor): Record<string, any> | null {
    // 三员: the system administrator manages (lists, disables, resets) every account of a level.
    if ((actor as any).role?.type === 'sysadmin') return { level: { $notNull: true } };
    const below = this.managedLevel(actor);
    const reach = this.scope().reachOf(actor);
    // accounts are managed by a region (or the Ministry): the region prefix of the reach, null for a kindergarten or nothing
    if (!below || this.scope().prefixOf(reach) === null) return null;
    // an account's place is its regionCode (a region's, or its kindergarten's county), filtered by the access scope
    return { level: below.key, ...(this.scope().filterForPlace({ countyField: 'regionCode' }, reach) ?? {}) };
  },

  toPublic(user: Record<string, any>) {
    return Object.fromEntries(PUBLIC_FIELDS.map((field) => [field, user[field] ?? null]));
  },

  async list(actor: Actor, query: ListQuery) {
    const start = Math.max(0, Number(query.pagination?.start ?? 0) || 0);
    const limit = Math.min(500, Math.max(1, Number(query.pagination?.limit ?? 25) || 25));
    const base = this.manageableWhere(actor);
    if (!base) return { data: [], meta: { pagination: { start, limit, total: 0 } } };
    const conditions: Record<string, any>[] = [base];
    const filters = query.filters ?? {};
    if (filters.q) {
      const q = String(filters.q);
      conditions.push({ $or: [{ username: { $containsi: q } }, { fullName: { $containsi: q } }, { regionCode: { $startsWith: q } }, { institutionCode: { $startsWith: q } }] });
    }
    for (const field of ['regionCode', 'institutionCode', 'blocked', 'documentId', 'username']) {
      if (filters[field] !== undefined) conditions.push({ [field]: filters[field] });
    }
    const orderBy = [].concat((query.sort as any) ?? 'username:asc')
      .map((entry: string) => String(entry).split(':'))
      .filter(([field]) => SORTABLE.has(field))
      .map(([field, direction]) => ({ [field]: direction?.toLowerCase() === 'desc' ? 'desc' : 'asc' }));
    const where = { $and: conditions };
    const [rows, total] = await Promise.all([
      strapi.db.query(USER).findMany({ where, orderBy, offset: start, limit }),
      strapi.db.query(USER).count({ where }),
    ]);
    return { data: rows.map((row) => this.toPublic(row)), meta: { pagination: { start, limit, total } } };
  },

  async findManageable(actor: Actor, documentId: string) {
    const base = this.manageableWhere(actor);
    const user = base && documentId ? await strapi.db.query(USER).findOne({ where: { $and: [base, { documentId }] } }) : null;
    if (!user) throw new errors.NotFoundError('Not Found');
    return user;
  },

  async get(actor: Actor, documentId: string) {
    return this.toPublic(await this.findManageable(actor, documentId));
  },

  /** Creates an account of the level below; answers it with its temporary password, shown once. */
  async create(actor: Actor, input: AccountInput) {
    const below = this.managedLevel(actor);
    const reach = this.scope().reachOf(actor);
    if (!below || !this.manageableWhere(actor)) throw new errors.ForbiddenError('无权创建账号 (you manage no accounts)');
    const values = (await validateYupSchema(createSchema)(input ?? {})) as AccountInput;
    const place = await this.placeFor(below, values, reach);
    const password = temporaryPassword();
    const user = await this.createAccount({ username: values.username!, fullName: values.fullName!, email: values.email, level: below.key, ...place, password });
    return { ...this.toPublic(user), temporaryPassword: password };
  },

  /** Where a new account of `level` sits: a region of that level, or a kindergarten, inside `reach`. */
  async placeFor(level: Level, values: AccountInput, reach: any): Promise<{ regionCode: string; institutionCode?: string }> {
    if (level.byInstitution) {
      if (!values.institutionCode) throw fieldError('institutionCode', '机构标识码必填：请选择幼儿园');
      const kindergarten = await strapi.documents('api::kindergarten.kindergarten').findFirst({ filters: { code: values.institutionCode } });
      if (!kindergarten) throw fieldError('institutionCode', '机构标识码不存在或不在管辖范围内');
      return { regionCode: kindergarten.countyCode, institutionCode: kindergarten.code };
    }
    const regionLevel = regionLevelFor(level);
    if (!values.regionCode) throw fieldError('regionCode', '行政区划代码必填');
    const region = await strapi.db.query('api::region.region').findOne({ where: { code: values.regionCode } });
    if (!region || region.level !== regionLevel) throw fieldError('regionCode', `行政区划代码不是有效的${level.name}区划`);
    if (!this.scope().includesRegion(reach, region.code)) throw fieldError('regionCode', '行政区划不在管辖范围内');
    return { regionCode: region.code };
  },

  /** Stores an account (no reach check: callers check). The password is hashed by the document service. */
  async createAccount(values: { username: string; fullName: string; email?: string | null; level: string; regionCode?: string | null; institutionCode?: string | null; staffId?: string | null; password: string }) {
    const taken = await strapi.db.query(USER).findOne({ where: { username: values.username } });
    if (taken) throw fieldError('username', '用户名已存在');
    // the level's role, or the role of an account linked to a person (a teacher's: config/roles.json accountRoles)
    const role = await roleIdOf(strapi, roleTypeOf(values));
    return strapi.plugin('users-permissions').service('user').add({
      ...values,
      email: values.email || `${values.username}@accounts.invalid`,
      provider: 'local',
      confirmed: true,
      blocked: false,
      role,
      // A new account's password is temporary: changed at first login (cms/src/security).
      mustChangePassword: true,
      passwordChangedAt: new Date(),
    });
  },

  async update(actor: Actor, documentId: string, input: AccountInput) {
    const user = await this.findManageable(actor, documentId);
    const values = (await validateYupSchema(updateSchema)(input ?? {})) as AccountInput;
    // Only these may change: never the level, the place or the username (Strapi's validation runs
    // yup in strict mode, where stripUnknown does nothing, so the fields are picked here).
    const data = Object.fromEntries(Object.entries(values).filter(([field, value]) => EDITABLE.has(field) && value !== undefined));
    const updated = await strapi.plugin('users-permissions').service('user').edit(user.id, data);
    return this.toPublic(updated);
  },

  /** A new temporary password for an account of the level below; the old one stops working. */
  async resetPassword(actor: Actor, documentId: string) {
    const user = await this.findManageable(actor, documentId);
    const password = temporaryPassword();
    await strapi.plugin('users-permissions').service('user').edit(user.id, { password });
    // A reset password is temporary too; the account's sessions end and a lockout is lifted.
    await strapi.db.query(USER).update({ where: { id: user.id }, data: { mustChangePassword: true, passwordChangedAt: new Date(), failedLogins: 0, lockedUntil: null } });
    await revokeSessionsOf(strapi, user.id);
    return { id: user.documentId, username: user.username, password };
  },
});

export type AccountService = ReturnType<typeof accountService>;
export default accountService;
