import type { Core } from '@strapi/strapi';
import { readDomainConfig } from '../../../runtime/paths';

export type Figures = {
  kindergartens: number; publicKindergartens: number; inclusiveKindergartens: number;
  classes: number; classesWithinLimit: number;
  children: number; boys: number; girls: number; childrenInPublic: number; childrenInInclusive: number;
  leftBehind: number; migrant: number; disabled: number; needsAid: number;
};
export type Indicators = {
  inclusiveCoverage: number | null; publicShare: number | null; inclusiveKindergartenShare: number | null;
  classSizeCompliance: number | null; grossEnrollmentRate: number | null; childrenPerTeacher: number | null;
};
export type Row = { code: string; name: string; figures: Figures; indicators: Indicators };
export type Where = { prefix?: string; institutionCode?: string };

const EMPTY: Figures = {
  kindergartens: 0, publicKindergartens: 0, inclusiveKindergartens: 0, classes: 0, classesWithinLimit: 0,
  children: 0, boys: 0, girls: 0, childrenInPublic: 0, childrenInInclusive: 0, leftBehind: 0, migrant: 0, disabled: 0, needsAid: 0,
};
const LEVEL_DIGITS = { county: 6, prefecture: 4, province: 2 } as const;

const ratio = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 10000) / 10000 : null);

/** The indicators of domain.md §7 from summed figures (those needing population or staff data stay null until those data exist). */
export function indicatorsOf(f: Figures): Indicators {
  return {
    inclusiveCoverage: ratio(f.childrenInInclusive, f.children),
    publicShare: ratio(f.childrenInPublic, f.children),
    inclusiveKindergartenShare: ratio(f.inclusiveKindergartens, f.kindergartens),
    classSizeCompliance: ratio(f.classesWithinLimit, f.classes),
    grossEnrollmentRate: null,
    childrenPerTeacher: null,
  };
}

export function addFigures(a: Figures, b: Figures): Figures {
  return Object.fromEntries(Object.keys(EMPTY).map((key) => [key, (a as any)[key] + (b as any)[key]])) as Figures;
}

/**
 * Statistics computed in SQL, grouped by county and rolled up by region prefix. The caller passes
 * the reach as a prefix or an institution code (see `whereFor`): every figure is inside it.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  table(name: string): string {
    const schema = strapi.config.get('database.connection.connection.schema') as string | undefined;
    return strapi.db.dialect.client === 'postgres' && schema ? `${schema}.${name}` : name;
  },

  /** The SQL condition of a reach, for the statistics of a user (scope plugin's reach). */
  whereFor(reach: { kind: string; prefix?: string; institutionCode?: string }): Where | null {
    if (reach.kind === 'all') return {};
    if (reach.kind === 'region') return { prefix: reach.prefix };
    if (reach.kind === 'institution') return { institutionCode: reach.institutionCode };
    return null;
  },

  scoped(query: any, where: Where, county = 'county_code', institution = 'institution_code') {
    if (where.prefix) query.where(county, 'like', `${where.prefix}%`);
    if (where.institutionCode) query.where(institution, where.institutionCode);
    return query;
  },

  /** A CASE expression: 1 when a class is within the size limit of its grade (config/classes.json). */
  withinLimitSql(): string {
    const limits = readDomainConfig<{ sizeLimits: Record<string, { max: number }> }>('classes.json').sizeLimits;
    const whens = Object.entries(limits).map(([grade, { max }]) => `WHEN grade = '${grade.replace(/'/g, '')}' AND capacity <= ${Number(max)} THEN 1`).join(' ');
    return `CASE ${whens} ELSE 0 END`;
  },

  /** Figures per county code inside `where`. */
  async byCounty(where: Where): Promise<Map<string, Figures>> {
    const knex = strapi.db.connection;
    const truthy = (column: string) => (strapi.db.dialect.client === 'postgres' ? `CASE WHEN ${column} THEN 1 ELSE 0 END` : `CASE WHEN ${column} = 1 THEN 1 ELSE 0 END`);
    const kindergartens = await this.scoped(
      knex(this.table('kindergartens')).select('county_code').count({ kindergartens: '*' })
        .select(knex.raw(`SUM(CASE WHEN ownership = 'public' THEN 1 ELSE 0 END) AS public_kindergartens`))
        .select(knex.raw(`SUM(CASE WHEN ownership = 'public' OR ${truthy('inclusive')} = 1 THEN 1 ELSE 0 END) AS inclusive_kindergartens`))
        .whereNot('status', 'closed').groupBy('county_code'),
      where, 'county_code', 'code',
    );
    const classes = await this.scoped(
      knex(this.table('school_classes')).select('county_code').count({ classes: '*' })
        .select(knex.raw(`SUM(${this.withinLimitSql()}) AS classes_within_limit`)).groupBy('county_code'),
      where, 'county_code', 'county_code',
    );
    if (where.institutionCode) {
      // classes carry no institution code: restrict through their kindergarten
      const kindergarten = await knex(this.table('kindergartens')).where('code', where.institutionCode).first('id');
      const ids = kindergarten ? (await knex(this.table('school_classes_kindergarten_lnk')).where('kindergarten_id', kindergarten.id).pluck('school_class_id')) : [];
      classes.length = 0;
      if (ids.length) {
        classes.push(...(await knex(this.table('school_classes')).whereIn('id', ids).select('county_code').count({ classes: '*' })
          .select(knex.raw(`SUM(${this.withinLimitSql()}) AS classes_within_limit`)).groupBy('county_code')));
      }
    }
    const children = await this.scoped(
      knex(`${this.table('children')} as c`).join(`${this.table('kindergartens')} as k`, 'k.code', 'c.institution_code')
        .select('c.county_code').count({ children: '*' })
        .select(knex.raw(`SUM(CASE WHEN c.sex = 'male' THEN 1 ELSE 0 END) AS boys`))
        .select(knex.raw(`SUM(CASE WHEN k.ownership = 'public' THEN 1 ELSE 0 END) AS children_in_public`))
        .select(knex.raw(`SUM(CASE WHEN k.ownership = 'public' OR ${truthy('k.inclusive')} = 1 THEN 1 ELSE 0 END) AS children_in_inclusive`))
        .select(knex.raw(`SUM(CASE WHEN c.left_behind IN ('1', '2') THEN 1 ELSE 0 END) AS left_behind`))
        .select(knex.raw(`SUM(${truthy('c.migrant')}) AS migrant`))
        .select(knex.raw(`SUM(${truthy('c.disabled')}) AS disabled`))
        .select(knex.raw(`SUM(${truthy('c.needs_aid')}) AS needs_aid`))
        .whereIn('c.status', ['draft', 'registered']).groupBy('c.county_code'),
      where, 'c.county_code', 'c.institution_code',
    );
    const result = new Map<string, Figures>();
    const at = (code: string) => result.get(code) ?? { ...EMPTY };
    for (const r of kindergartens) result.set(r.county_code, { ...at(r.county_code), kindergartens: Number(r.kindergartens), publicKindergartens: Number(r.public_kindergartens), inclusiveKindergartens: Number(r.inclusive_kindergartens) });
    for (const r of classes) result.set(r.county_code, { ...at(r.county_code), classes: Number(r.classes), classesWithinLimit: Number(r.classes_within_limit) });
    for (const r of children) {
      const total = Number(r.children);
      result.set(r.county_code, {
        ...at(r.county_code), children: total, boys: Number(r.boys), girls: total - Number(r.boys),
        childrenInPublic: Number(r.children_in_public), childrenInInclusive: Number(r.children_in_inclusive),
        leftBehind: Number(r.left_behind), migrant: Number(r.migrant), disabled: Number(r.disabled), needsAid: Number(r.needs_aid),
      });
    }
    return result;
  },

  /** What a monthly snapshot saves: every county, rolled up to prefecture, province and nation. */
  async snapshotSummary() {
    const [counties, prefectures, provinces] = await Promise.all([this.report({}, 'county'), this.report({}, 'prefecture'), this.report({}, 'province')]);
    return { counties: counties.rows, prefectures: prefectures.rows, provinces: provinces.rows, nation: { ...counties.total, code: '000000', name: '全国' } };
  },

  /** Rows grouped at a level (county, prefecture, province), with names, figures and indicators, and the total. */
  async report(where: Where, groupBy: keyof typeof LEVEL_DIGITS = 'county'): Promise<{ rows: Row[]; total: Row }> {
    const counties = await this.byCounty(where);
    const digits = LEVEL_DIGITS[groupBy] ?? 6;
    const grouped = new Map<string, Figures>();
    for (const [county, figures] of counties) {
      const code = county.slice(0, digits).padEnd(6, '0');
      grouped.set(code, addFigures(grouped.get(code) ?? { ...EMPTY }, figures));
    }
    const regions = await strapi.db.query('api::region.region').findMany({ where: { code: { $in: [...grouped.keys()] } }, select: ['code', 'name'] });
    const names = new Map(regions.map((r) => [r.code, r.name]));
    const rows = [...grouped.entries()].sort(([a], [b]) => a.localeCompare(b))
      .map(([code, figures]) => ({ code, name: names.get(code) ?? code, figures, indicators: indicatorsOf(figures) }));
    const sum = rows.reduce((acc, row) => addFigures(acc, row.figures), { ...EMPTY });
    return { rows, total: { code: where.prefix ?? where.institutionCode ?? '', name: '合计', figures: sum, indicators: indicatorsOf(sum) } };
  },
});
