import { AsyncLocalStorage } from 'node:async_hooks';
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import rules from '../rules';
import { scopeFilters } from '../middlewares/filters';
import type {
  LevelDefinition, Place, Reach, ScopeDeclaration, ScopedUser, SqlColumns, SqlReach, SystemWorkAuditor,
} from '../types';

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

/**
 * The system work in progress on this asynchronous path: set only by `runAsSystem` (never from a
 * request's state, headers or input), read by `currentReach` and `systemWork`.
 */
const systemWorkStore = new AsyncLocalStorage<{ reasons: string[] }>();
let systemAuditor: SystemWorkAuditor | null = null;

const isCountyCode = (value: unknown): value is string => typeof value === 'string' && /^\d{6}$/.test(value);

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
    if (systemWorkStore.getStore()) return { kind: 'all' };
    const requestContext = strapi.requestContext.get();
    if (!requestContext) return { kind: 'all' };
    const state = requestContext.state ?? {};
    const strategy = state.auth?.strategy?.name;
    if (strategy === 'admin') return { kind: 'all' };
    if (strategy === 'users-permissions') return this.reachOf(state.user);
    return { kind: 'none' };
  },

  /**
   * Runs `fn` as the system: the reach is everything and `systemWork()` names the reason, so the
   * application's rules that hold for users only (cms/src/domain/request-context.ts
   * `runningAsSystem`) let it pass. The one way code acts beyond the caller's reach or rules: each
   * call first writes an entry to the audit trail naming the reason (through the auditor the
   * application registers; without one the call is refused). Calls nest: the inner one records its
   * reason after the outer ones. Nothing a request carries can switch it on: the mark lives in this
   * module's AsyncLocalStorage, only for the asynchronous path of `fn`.
   */
  async runAsSystem<T>(reason: string, fn: () => Promise<T>): Promise<T> {
    if (typeof reason !== 'string' || reason.trim() === '') throw new Error('access-scope runAsSystem: a reason is required');
    if (typeof fn !== 'function') throw new Error('access-scope runAsSystem: the work must be a function');
    if (!systemAuditor) throw new Error('access-scope runAsSystem: no auditor registered (setSystemAuditor), so system work cannot be recorded');
    const outer = systemWorkStore.getStore();
    const reasons = [...(outer?.reasons ?? []), reason];
    const state = strapi.requestContext.get()?.state;
    const user = state?.auth?.strategy?.name === 'users-permissions' ? (state.user ?? null) : null;
    await systemAuditor({ reason, reasons, user });
    return systemWorkStore.run({ reasons }, fn);
  },

  /** The reasons of the system work in progress (outermost first), or null outside `runAsSystem`. */
  systemWork(): string[] | null {
    const store = systemWorkStore.getStore();
    return store ? [...store.reasons] : null;
  },

  /** The application registers how `runAsSystem` writes its audit entry (cms/src/index.ts). */
  setSystemAuditor(auditor: SystemWorkAuditor | null) {
    systemAuditor = auditor;
  },

  declarationOf(uid: string): ScopeDeclaration | undefined {
    // one registry lookup: `strapi.contentTypes` copies the whole registry on every read
    const model = strapi.contentType(uid as any) as any;
    const declaration = model?.pluginOptions?.[PLUGIN];
    if (Array.isArray(declaration?.places) && declaration.places.every((place: Place) => place?.countyField)) return declaration as ScopeDeclaration;
    return declaration?.countyField ? (declaration as ScopeDeclaration) : undefined;
  },

  /** The places a record of `uid` belongs to (one for most, two for a transfer); [] when undeclared. */
  placesOf(uid: string): Place[] {
    const declaration = this.declarationOf(uid);
    if (!declaration) return [];
    return 'places' in declaration && declaration.places ? declaration.places : [declaration as Place];
  },

  /** The filter that keeps records of one `place` inside `reach`; null when nothing needs filtering. */
  filterForPlace(place: Place, reach: Reach): Record<string, unknown> | null {
    if (reach.kind === 'all') return null;
    if (reach.kind === 'none') return NOTHING;
    if (reach.kind === 'region') return nestAt(place.countyField, countyCodeCondition(reach.prefix));
    if (!place.institutionField) return nestAt(place.countyField, { $eq: reach.countyCode });
    return nestAt(place.institutionField, { $eq: reach.institutionCode });
  },

  /**
   * The filter that keeps the records of `uid` inside `reach`; null when nothing needs filtering. A
   * record of several places is in reach when any of them is (a transfer: the sending or the
   * receiving side).
   */
  filterFor(uid: string, reach: Reach): Record<string, unknown> | null {
    const places = this.placesOf(uid);
    if (places.length === 0 || reach.kind === 'all') return null;
    if (reach.kind === 'none') return NOTHING;
    const filters = places.map((place) => this.filterForPlace(place, reach)!);
    return filters.length === 1 ? filters[0] : { $or: filters };
  },

  /**
   * The filters of a read (list, single read, count) of `uid` by `reach`: every relation the filters go
   * through filtered to the reach (middlewares/filters.ts), and the records themselves kept inside it
   * (`filterFor`). What the document middleware (middlewares/document-scope.ts) gives every read, and
   * what a read that does not pass through the document service (cms/src/domain/lean-read.ts) applies.
   */
  readFilters(uid: string, filters: unknown, reach: Reach): unknown {
    if (reach.kind === 'all') return filters;
    const scoped = filters !== undefined ? scopeFilters(strapi, this as any, uid, filters, reach) : undefined;
    const filter = this.filterFor(uid, reach);
    return filter ? combineFilters(scoped, filter) : scoped;
  },

  /** The reach as raw SQL applies it (`SqlReach`); null when it reaches nothing. */
  sqlReach(reach: Reach): SqlReach | null {
    if (reach.kind === 'all') return {};
    if (reach.kind === 'region') return { prefix: reach.prefix };
    if (reach.kind === 'institution') return { institutionCode: reach.institutionCode };
    return null;
  },

  /**
   * The column names of `uid`'s place (its first place), for raw queries, optionally behind a table
   * alias: `columnsOf('api::child.child', 'c')` → `{ county: 'c.county_code', institution:
   * 'c.institution_code' }`. A place reached through a relation has no institution column.
   */
  columnsOf(uid: string, alias?: string): SqlColumns {
    const [place] = this.placesOf(uid);
    if (!place) throw new Error(`access-scope: ${uid} declares no place`);
    const attributes = (strapi.db.metadata.get(uid as any) as any)?.attributes ?? {};
    const column = (field: string) => `${alias ? `${alias}.` : ''}${attributes[field]?.columnName ?? field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`;
    const institution = place.institutionField && !place.institutionField.includes('.') ? column(place.institutionField) : undefined;
    return { county: column(place.countyField), ...(institution ? { institution } : {}) };
  },

  /**
   * Restricts a knex query to a reach: `where` from `sqlReach` (or a reach itself), on the given
   * columns, or on the columns of a content type (`columnsOf`). A region prefix is matched as
   * `countyCodeCondition` says (equality or a range, so the county-code index serves it); a
   * kindergarten by its code, or by its county when the table has no institution column. A reach of
   * nothing matches no row.
   */
  whereSql<Q>(query: Q, where: SqlReach | Reach | null, columns: SqlColumns | string): Q {
    const sql = where && 'kind' in where ? this.sqlReach(where as Reach) : (where as SqlReach | null);
    const cols = typeof columns === 'string' ? this.columnsOf(columns) : columns;
    const q = query as any;
    if (sql === null) return q.whereRaw('1 = 0');
    if (sql.prefix) this.whereCountyPrefix(q, cols.county, sql.prefix);
    if (sql.institutionCode) {
      if (cols.institution) q.where(cols.institution, sql.institutionCode);
      else if (where && 'kind' in where && (where as Reach).kind === 'institution') q.where(cols.county, (where as any).countyCode);
      else q.whereRaw('1 = 0');
    }
    return q;
  },

  /** Restricts a knex query to the county codes in `column` starting with `prefix` (`countyCodeCondition`). */
  whereCountyPrefix<Q>(query: Q, column: string, prefix: string): Q {
    const q = query as any;
    const condition = countyCodeCondition(prefix);
    if (condition.$eq !== undefined) return q.where(column, condition.$eq);
    if (condition.$gte !== undefined) return q.where(column, '>=', condition.$gte).andWhere(column, '<', condition.$lt);
    return q.where(column, 'like', `${prefix}%`);
  },

  /**
   * The reach narrowed by a region filter ('' or 2, 4, 6 digits) as raw SQL applies it: the narrower
   * of the two prefixes, the kindergarten when its county lies in the region, or null when they do
   * not overlap (then nothing is answered: no figure outside the reach).
   */
  sqlReachWithin(reach: Reach, region?: string | null): SqlReach | null {
    const where = this.sqlReach(reach);
    if (!where || !region) return where;
    if (where.institutionCode) return reach.kind === 'institution' && reach.countyCode?.startsWith(region) ? where : null;
    const prefix = where.prefix ?? '';
    if (region.startsWith(prefix)) return { prefix: region };
    if (prefix.startsWith(region)) return where;
    return null;
  },

  /** Whether a county code lies inside a `SqlReach` of regions (for figures already grouped by county). */
  sqlIncludesCounty(where: SqlReach, countyCode: string): boolean {
    return !where.institutionCode && countyCode.startsWith(where.prefix ?? '');
  },

  /** The region prefix of a reach: '' for everything, the prefix of a regional user, null for a kindergarten or nothing. */
  prefixOf(reach: Reach): string | null {
    if (reach.kind === 'all') return '';
    if (reach.kind === 'region') return reach.prefix;
    return null;
  },

  /** The one county a reach lies in (a county user's, a kindergarten's), or null when it spans more or nothing. */
  ownCounty(reach: Reach): string | null {
    if (reach.kind === 'institution') return isCountyCode(reach.countyCode) ? reach.countyCode : null;
    if (reach.kind === 'region' && reach.prefix.length === 6) return reach.prefix;
    return null;
  },

  /** The kindergarten (机构标识码) a reach is, or null: the kindergarten's own account acts for it, nobody else. */
  institutionOf(reach: Reach): string | null {
    return reach.kind === 'institution' ? reach.institutionCode : null;
  },

  /** A stable text key of a reach (caches and export keys): 'all', 'none', 'region:35', 'institution:3135050201'. */
  keyOf(reach: Reach): string {
    if (reach.kind === 'region') return `region:${reach.prefix}`;
    if (reach.kind === 'institution') return `institution:${reach.institutionCode}`;
    return reach.kind;
  },

  /**
   * Whether the reach and the region of `prefix` ('' the country, 2, 4 or 6 digits) share any county:
   * things declared for a region (a custom field of a province) concern a user inside it, and a
   * regional user above it.
   */
  overlapsRegion(reach: Reach, prefix: string): boolean {
    if (reach.kind === 'all') return true;
    if (reach.kind === 'none') return false;
    if (reach.kind === 'institution') return reach.countyCode.startsWith(prefix);
    return prefix.startsWith(reach.prefix) || reach.prefix.startsWith(prefix);
  },

  /** Whether a region's code (an account's, a region picked for one) lies inside a regional reach. */
  includesRegion(reach: Reach, regionCode: unknown): boolean {
    if (reach.kind === 'all') return true;
    if (reach.kind !== 'region' || typeof regionCode !== 'string') return false;
    return regionCode.startsWith(reach.prefix);
  },

  /** Whether a record of one place (county code, kindergarten code) lies inside the reach. */
  includesRecord(reach: Reach, record: { countyCode?: unknown; institutionCode?: unknown }): boolean {
    if (!this.includesCounty(reach, record.countyCode)) return false;
    return reach.kind !== 'institution' || record.institutionCode === reach.institutionCode;
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
    if ('places' in declaration && declaration.places) return this.checkWritablePlaces(declaration.places, data, reach, creating);
    const field = declaration.countyField!;
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

  /**
   * A record of several places (a transfer) is written by a user who reaches at least one of them,
   * with every place named (no county is filled in: which side is the user's is not for us to guess).
   */
  checkWritablePlaces(places: Place[], data: Record<string, any>, reach: Reach, creating: boolean) {
    const named = places.filter((place) => data[place.countyField] !== undefined);
    if (!creating && named.length === 0) return;
    const inReach = places.some((place) =>
      this.includesRecord(reach, { countyCode: data[place.countyField], institutionCode: place.institutionField ? data[place.institutionField] : reach.kind === 'institution' ? reach.institutionCode : undefined }));
    if (!inReach) throw new errors.ForbiddenError(`${places[0].countyField} 超出管辖范围 (outside your reach)`, { path: [places[0].countyField] });
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
    const attribute = (strapi.contentType(uid as any) as any)?.attributes?.[first];
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
