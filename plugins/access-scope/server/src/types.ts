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
 * How a content type belongs to a place, declared in its schema:
 * `"pluginOptions": { "access-scope": { "countyField": "countyCode", "institutionField": "code" } }`.
 * institutionField may be a path through a relation, such as "kindergarten.code".
 */
export type ScopeDeclaration = { countyField: string; institutionField?: string };
