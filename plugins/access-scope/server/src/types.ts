/**
 * A user's reach (管辖范围): where in the administrative-division tree the user may read and write.
 * - all: the whole country (the Ministry, and system context: cron jobs, bootstrap, Strapi's own admin);
 * - region: every record whose 6-digit county code starts with `prefix`;
 * - institution: the records of one kindergarten, found by its 10-digit 机构标识码;
 * - none: nothing (anonymous callers, API tokens, accounts without a valid level).
 */
export type Reach =
  | { kind: 'all' }
  | { kind: 'region'; prefix: string }
  | { kind: 'institution'; institutionCode: string; countyCode: string }
  | { kind: 'none' };

/** What a level rule sees of a user: the fields the users-permissions user carries. */
export type ScopedUser = {
  id?: number;
  level?: string | null;
  regionCode?: string | null;
  institutionCode?: string | null;
  /** Set on a teacher's account: the teacher's own staff record (reached only through /api/me/staff). */
  staffId?: string | null;
  blocked?: boolean | null;
};

export type LevelDefinition = {
  key: string;
  name: string;
  regionDigits: number;
  byInstitution?: boolean;
};

/** A level rule turns a user of that level into a reach. One rule per level, one file each (rules/). */
export type LevelRule = (user: ScopedUser, level: LevelDefinition) => Reach;

/**
 * One place a record belongs to: the attribute holding its 6-digit county code and, optionally, the
 * one holding its kindergarten's 10-digit 机构标识码 (a path through a relation, such as
 * "kindergarten.code", is allowed).
 */
export type Place = { countyField: string; institutionField?: string };

/**
 * How a content type belongs to a place, declared in its schema:
 * `"pluginOptions": { "access-scope": { "countyField": "countyCode", "institutionField": "code" } }`.
 * A record of two places (a transfer: from one kindergarten to another) declares `places` instead:
 * `{ "places": [{ "countyField": "fromCountyCode", "institutionField": "fromInstitutionCode" }, …] }`;
 * it is in reach when any of its places is.
 */
export type ScopeDeclaration = Place | { places: Place[]; countyField?: undefined; institutionField?: undefined };

/**
 * A reach as raw SQL applies it (statistics, rollups): `{}` everything, `{ prefix }` the county codes
 * starting with it, `{ institutionCode }` one kindergarten. `null` (from `sqlReach`) means nothing.
 */
export type SqlReach = { prefix?: string; institutionCode?: string };

/** The columns a raw query filters on: county code, and the kindergarten's code when it has one (may carry a table alias). */
export type SqlColumns = { county: string; institution?: string };

/** One entry of the audit trail that `runAsSystem` asks the application to write (the plugin keeps no trail of its own). */
export type SystemWorkEntry = {
  /** Why the system acts beyond the caller's reach or rules, as the code states it. */
  reason: string;
  /** The reasons of the enclosing `runAsSystem` calls, outermost first, then this one. */
  reasons: string[];
  /** The users-permissions user of the request the work runs in, if any. */
  user: ScopedUser | null;
};

export type SystemWorkAuditor = (entry: SystemWorkEntry) => Promise<void>;
