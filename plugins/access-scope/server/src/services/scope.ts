import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import rules from '../rules';
import type { LevelDefinition, Reach, ScopeDeclaration, ScopedUser } from '../types';

const PLUGIN = 'access-scope';
const NOTHING = { id: { $null: true } };

/** Builds `{ a: { b: value } }` from the path "a.b". */
export function nestAt(path: string, value: unknown): Record<string, unknown> {
  return path
    .split('.')
    .reverse()
    .reduce<unknown>((inner, key) => ({ [key]: inner }), value) as Record<string, unknown>;
}

export function combineFilters(existing: unknown, added: Record<string, unknown>): Record<string, unknown> {
  if (!existing || (typeof existing === 'object' && Object.keys(existing as object).length === 0)) return added;
  return { $and: [existing, added] };
}

/**
 * The condition "county code starts with `prefix`" in a form the database answers from an index: a
 * whole county code by equality, a shorter prefix by the range [prefix, next prefix) — codes are digits
 * of one length, so the range holds exactly the codes with that prefix, in any collation. (`LIKE
 * '35%'` cannot use a btree index under a non-C collation: at 5 million children a county's list
 * scanned the whole table.)
 */
export function countyCodeCondition(prefix: string): Record<string, string> {
  if (/^\d{6}$/.test(prefix)) return { $eq: prefix };
  const next = String(Number(prefix) + 1).padStart(prefix.length, '0');
  if (!/^\d+$/.test(prefix) || next.length !== prefix.length) return { $startsWith: prefix };
  return { $gte: prefix, $lt: next };
}

const scopeService = ({ strapi }: { strapi: Core.Strapi }) => ({
  countyCodeCondition,

  levels(): LevelDefinition[] {
    return (strapi.plugin(PLUGIN).config('levels') as LevelDefinition[]) ?? [];
  },

  level(key: string | null | undefined): LevelDefinition | undefined {
    return this.levels().find((level) => level.key === key);
  },

  /** The reach of a users-permissions user, from the rule of the user's level. */
  reachOf(user: ScopedUser | null | undefined): Reach {
    if (!user || user.blocked) return { kind: 'none' };
    const level = this.level(user.level);
    const rule = level && rules[level.key];
    return rule ? rule(user, level) : { kind: 'none' };
  },

  /**
   * The reach of whoever is calling now. With no HTTP request (bootstrap, cron jobs, scripts) the
   * system acts for itself and reaches everything; so does Strapi's own admin (the system
   * administrator). Any other request reaches what its users-permissions user reaches, and an
   * anonymous request or an API token reaches nothing that belongs to a place.
   */
  currentReach(): Reach {
    const requestContext = strapi.requestContext.get();
    if (!requestContext) return { kind: 'all' };
    const state = requestContext.state ?? {};
    if (state.systemReach) return { kind: 'all' };
    const strategy = state.auth?.strategy?.name;
    if (strategy === 'admin') return { kind: 'all' };
    if (strategy === 'users-permissions') return this.reachOf(state.user);
    return { kind: 'none' };
  },

  declarationOf(uid: string): ScopeDeclaration | undefined {
    const model = strapi.contentTypes[uid as keyof typeof strapi.contentTypes] as any;
    const declaration = model?.pluginOptions?.[PLUGIN];
    return declaration?.countyField ? (declaration as ScopeDeclaration) : undefined;
  },

  /** The filter that keeps the records of `uid` inside `reach`; null when nothing needs filtering. */
  filterFor(uid: string, reach: Reach): Record<string, unknown> | null {
    const declaration = this.declarationOf(uid);
    if (!declaration || reach.kind === 'all') return null;
    if (reach.kind === 'none') return NOTHING;
    if (reach.kind === 'region') return nestAt(declaration.countyField, countyCodeCondition(reach.prefix));
    if (!declaration.institutionField) return nestAt(declaration.countyField, { $eq: reach.countyCode });
    return nestAt(declaration.institutionField, { $eq: reach.institutionCode });
  },

  /** Whether a 6-digit county code lies inside the reach. */
  includesCounty(reach: Reach, countyCode: unknown): boolean {
    if (reach.kind === 'all') return true;
    if (typeof countyCode !== 'string' || !/^\d{6}$/.test(countyCode)) return false;
    if (reach.kind === 'region') return countyCode.startsWith(reach.prefix);
    if (reach.kind === 'institution') return countyCode === reach.countyCode;
    return false;
  },

  /**
   * Loads one record of `uid` by documentId, but only if it lies inside the reach. A record outside
   * answers exactly as a record that does not exist: NotFoundError (404), so its existence does not leak.
   */
  async loadInReach(uid: string, documentId: unknown, reach: Reach) {
    const filter = this.filterFor(uid, reach);
    const where = { documentId, ...(filter ? { $and: [filter] } : {}) };
    const record = documentId ? await strapi.db.query(uid as any).findOne({ where }) : null;
    if (!record) throw new errors.NotFoundError('Not Found');
    return record;
  },

  /**
   * Checks the place of a record about to be written: its county code must lie inside the reach.
   * A county or institution user who leaves the county empty gets their own.
   */
  async checkWritablePlace(uid: string, data: Record<string, any> | undefined, reach: Reach, creating: boolean) {
    const declaration = this.declarationOf(uid);
    if (!declaration || reach.kind === 'all' || !data) return;
    if (reach.kind === 'none') throw new errors.ForbiddenError('超出管辖范围 (outside your reach)');
    const field = declaration.countyField;
    if (field.includes('.')) return;
    if (creating && (data[field] === undefined || data[field] === null || data[field] === '')) {
      if (reach.kind === 'institution') data[field] = reach.countyCode;
      else if (reach.prefix.length === 6) data[field] = reach.prefix;
      else {
        throw new errors.ValidationError(`${field} 必填 (required)`, {
          errors: [{ path: [field], message: `${field} 必填：请选择所属区县 (required: choose the county)`, name: 'ValidationError' }],
        });
      }
    }
    if (data[field] !== undefined && !this.includesCounty(reach, data[field])) {
      throw new errors.ForbiddenError(`${field} 超出管辖范围 (outside your reach)`, { path: [field] });
    }
    if (reach.kind === 'institution' && declaration.institutionField) {
      await this.checkInstitutionLink(uid, declaration.institutionField, data, reach.institutionCode, creating);
    }
  },

  /** An institution user may only write records of its own kindergarten (a new one is its own). */
  async checkInstitutionLink(uid: string, path: string, data: Record<string, any>, institutionCode: string, creating: boolean) {
    const [first, ...rest] = path.split('.');
    const forbidden = () => new errors.ForbiddenError(`${first} 超出管辖范围 (outside your reach)`, { path: [first] });
    if (rest.length === 0) {
      if (creating && (data[first] === undefined || data[first] === null)) data[first] = institutionCode;
      if (data[first] !== undefined && data[first] !== institutionCode) throw forbidden();
      return;
    }
    const link = data[first];
    if (link === undefined && !creating) return;
    const attribute = (strapi.contentTypes as any)[uid]?.attributes?.[first];
    const target = attribute?.target;
    const ids = relationIdentifiers(link);
    if (!target || ids.length === 0) throw forbidden();
    for (const id of ids) {
      const key = typeof id === 'number' ? 'id' : 'documentId';
      const found = await strapi.db.query(target).findOne({ where: { [key]: id, ...nestAt(rest.join('.'), institutionCode) } });
      if (!found) throw forbidden();
    }
  },
});

/** The ids a relation value in `data` names: "abc", 3, {documentId}, {connect: [...]}, {set: [...]}, [...]. */
function relationIdentifiers(value: any): (string | number)[] {
  if (value === null || value === undefined) return [];
  if (typeof value === 'string' || typeof value === 'number') return [value];
  if (Array.isArray(value)) return value.flatMap(relationIdentifiers);
  if (typeof value === 'object') {
    if (value.documentId || value.id) return [value.documentId ?? value.id];
    return [...relationIdentifiers(value.connect), ...relationIdentifiers(value.set)];
  }
  return [];
}

export type ScopeService = ReturnType<typeof scopeService>;
export default scopeService;
