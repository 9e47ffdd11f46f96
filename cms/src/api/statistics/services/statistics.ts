import type { Core } from '@strapi/strapi';
import { readDomainConfig } from '../../../runtime/paths';
import { localDate } from '../../../domain/working-days';
import { customFieldSql } from '../../../domain/custom-fields';
import {
  addFigures, emptyFigures, indicatorsConfig, indicatorsOf, type DimensionDefinition, type Figures, type Source,
} from '../../../domain/indicators';
import { accessScope, type SqlReach } from '../../../domain/request-context';
import { qualifiedTable } from '../../../runtime/tables';
import { sharedComputation, statisticsReader } from '../../../runtime/read-replica';
import { healthConfig } from '../../../domain/health-rules';
import { termStartOf } from '../../../domain/safety';

export type { Figures } from '../../../domain/indicators';
export { addFigures, indicatorsOf } from '../../../domain/indicators';
export type Indicators = Record<string, number | null>;
export type Row = { code: string; name: string; figures: Figures; indicators: Indicators };
/** A reach as raw SQL applies it (the access-scope plugin's `sqlReach`). */
export type Where = SqlReach;
/** Filters already checked against config/indicators.json (validateQuery). */
export type SqlFilters = Record<string, string>;

const LEVEL_DIGITS = { county: 6, prefecture: 4, province: 2 } as const;
const COUNTY = { label: '区县', kind: 'region', digits: 6, sources: [] } as unknown as DimensionDefinition;

/**
 * Statistics computed in SQL, grouped by county (or any dimension of config/indicators.json) and
 * rolled up by region prefix. The caller passes the reach as a prefix or an institution code (the
 * access-scope plugin's `sqlReach`): every figure is inside it. The query engine is not scoped by the access-scope
 * plugin, so every query here applies `where` itself.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  let hasStaff: boolean | undefined;
  let cache: { at: number; counties: Map<string, Figures>; ms: number; stale: boolean; pending?: Promise<Map<string, Figures>>; writtenDuring?: boolean } | null = null;

  return {
    table(name: string): string {
      return qualifiedTable(strapi, name);
    },

    /** Restricts a raw query to `where` on the given columns (the access-scope plugin's `whereSql`). */
    scoped(query: any, where: Where, county = 'county_code', institution = 'institution_code') {
      return accessScope(strapi).whereSql(query, where, { county, institution });
    },

    /** A CASE expression: 1 when a class (alias `s`) is within the size limit of its grade (config/classes.json). */
    withinLimitSql(alias = 's'): string {
      const limits = readDomainConfig<{ sizeLimits: Record<string, { max: number }> }>('classes.json').sizeLimits;
      const whens = Object.entries(limits).map(([grade, { max }]) => `WHEN ${alias}.grade = '${grade.replace(/'/g, '')}' AND ${alias}.capacity <= ${Number(max)} THEN 1`).join(' ');
      return `CASE ${whens} ELSE 0 END`;
    },

    truthy(column: string): string {
      return strapi.db.dialect.client === 'postgres' ? `CASE WHEN ${column} THEN 1 ELSE 0 END` : `CASE WHEN ${column} = 1 THEN 1 ELSE 0 END`;
    },

    async staffTable(): Promise<boolean> {
      if (hasStaff === undefined) {
        const { table } = indicatorsConfig().staff;
        hasStaff = await strapi.db.connection.schema.hasTable(table).catch(() => false);
      }
      return hasStaff;
    },

    /**
     * Figures grouped by one dimension inside `where`, with the query's filters. One GROUP BY per
     * source table (kindergartens, classes, children, population, staff); the group key is a column
     * fixed by the dimension's kind in config, never text from a client. Region dimensions group by
     * county (roll them up with `rollUp`).
     */
    async figuresBy(where: Where, dimension: DimensionDefinition = COUNTY, filters: SqlFilters = {}, year?: number, sources: Source[] = ['kindergartens', 'classes', 'children', 'population', 'staff', 'health', 'safety', 'incidents']): Promise<Map<string, Figures>> {
      // the read replica when there is one and it may be read (cms/src/runtime/read-replica.ts)
      const knex = statisticsReader(strapi);
      const config = indicatorsConfig();
      const inclusiveSql = `CASE WHEN k.ownership = 'public' OR ${this.truthy('k.inclusive')} = 1 THEN 1 ELSE 0 END`;
      const keyOf = (table: 'k' | 's' | 'c' | 't'): string | null => {
        const county = table === 'k' ? 'k.county_code' : `${table}.county_code`;
        switch (dimension.kind) {
          case 'region': return county;
          case 'kindergarten': return 'k.code';
          // one class (班级): its documentId, named by the query service
          case 'schoolClass': return table === 's' || table === 'c' ? 's.document_id' : null;
          case 'kindergartenField': return `k.${dimension.column}`;
          case 'kindergartenFlag': return inclusiveSql;
          case 'classField': return table === 's' || table === 'c' ? `s.${dimension.column}` : null;
          case 'childField': return table === 'c' ? `c.${dimension.column}` : null;
          // a child custom field (custom-fields.ts): its key was looked up in the definitions and matches ^[a-z][a-z0-9_]*$
          case 'childCustom': return table === 'c' ? customFieldSql(strapi.db.dialect.client, 'c.custom_fields', dimension.column!) : null;
          default: return null;
        }
      };
      const applyFilters = (query: any, table: 'k' | 's' | 'c' | 't' | 'p') => {
        for (const [name, value] of Object.entries(filters)) {
          const definition = config.filters[name];
          if (!definition) continue;
          if (definition.kind === 'region') query.where(`${table}.county_code`, 'like', `${value}%`);
          if (table === 'p') continue;
          if (definition.kind === 'kindergartenField') query.where(`k.${definition.column}`, value);
          if (definition.kind === 'kindergartenFlag') query.whereRaw(`${inclusiveSql} = ?`, [value === 'true' ? 1 : 0]);
          if (definition.kind === 'classField' && (table === 's' || table === 'c')) query.where(`s.${definition.column}`, value);
          if (definition.kind === 'childField' && table === 'c') query.where(`c.${definition.column}`, value);
        }
        return query;
      };
      const needsClassOfChild = dimension.kind === 'classField' || dimension.kind === 'schoolClass' || Object.keys(filters).some((name) => config.filters[name]?.kind === 'classField');
      const result = new Map<string, Figures>();
      const add = (key: unknown, figures: Figures) => {
        const code = key === null || key === undefined ? '' : String(key);
        result.set(code, addFigures(result.get(code) ?? emptyFigures(), figures));
      };

      const kindergartenKey = sources.includes('kindergartens') && keyOf('k');
      if (kindergartenKey) {
        const query = knex(`${this.table('kindergartens')} as k`).select(knex.raw(`${kindergartenKey} AS gkey`)).count({ kindergartens: '*' })
          .select(knex.raw(`SUM(CASE WHEN k.ownership = 'public' THEN 1 ELSE 0 END) AS public_kindergartens`))
          .select(knex.raw(`SUM(${inclusiveSql}) AS inclusive_kindergartens`))
          .whereNot('k.status', 'closed').groupByRaw(kindergartenKey);
        for (const r of await applyFilters(this.scoped(query, where, 'k.county_code', 'k.code'), 'k')) {
          add(r.gkey, { kindergartens: Number(r.kindergartens), publicKindergartens: Number(r.public_kindergartens), inclusiveKindergartens: Number(r.inclusive_kindergartens) });
        }
      }

      const classKey = sources.includes('classes') && keyOf('s');
      if (classKey) {
        const query = knex(`${this.table('school_classes')} as s`)
          .leftJoin(`${this.table('school_classes_kindergarten_lnk')} as l`, 'l.school_class_id', 's.id')
          .leftJoin(`${this.table('kindergartens')} as k`, 'k.id', 'l.kindergarten_id')
          .select(knex.raw(`${classKey} AS gkey`)).count({ classes: '*' })
          .select(knex.raw(`SUM(${this.withinLimitSql('s')}) AS classes_within_limit`)).groupByRaw(classKey);
        for (const r of await applyFilters(this.scoped(query, where, 's.county_code', 'k.code'), 's')) {
          add(r.gkey, { classes: Number(r.classes), classesWithinLimit: Number(r.classes_within_limit) });
        }
      }

      const childKey = sources.includes('children') && keyOf('c');
      if (childKey) {
        const query = knex(`${this.table('children')} as c`).join(`${this.table('kindergartens')} as k`, 'k.code', 'c.institution_code');
        if (needsClassOfChild) {
          query.leftJoin(`${this.table('children_school_class_lnk')} as cl`, 'cl.child_id', 'c.id')
            .leftJoin(`${this.table('school_classes')} as s`, 's.id', 'cl.school_class_id');
        }
        query.select(knex.raw(`${childKey} AS gkey`)).count({ children: '*' })
          .select(knex.raw(`SUM(CASE WHEN c.sex = 'male' THEN 1 ELSE 0 END) AS boys`))
          .select(knex.raw(`SUM(CASE WHEN k.ownership = 'public' THEN 1 ELSE 0 END) AS children_in_public`))
          .select(knex.raw(`SUM(${inclusiveSql}) AS children_in_inclusive`))
          .select(knex.raw(`SUM(CASE WHEN c.left_behind IN ('1', '2') THEN 1 ELSE 0 END) AS left_behind`))
          .select(knex.raw(`SUM(${this.truthy('c.migrant')}) AS migrant`))
          .select(knex.raw(`SUM(${this.truthy('c.disabled')}) AS disabled`))
          .select(knex.raw(`SUM(${this.truthy('c.needs_aid')}) AS needs_aid`))
          .whereIn('c.status', ['draft', 'registered']).groupByRaw(childKey);
        for (const r of await applyFilters(this.scoped(query, where, 'c.county_code', 'c.institution_code'), 'c')) {
          const total = Number(r.children);
          add(r.gkey, {
            children: total, boys: Number(r.boys), girls: total - Number(r.boys),
            childrenInPublic: Number(r.children_in_public), childrenInInclusive: Number(r.children_in_inclusive),
            leftBehind: Number(r.left_behind), migrant: Number(r.migrant), disabled: Number(r.disabled), needsAid: Number(r.needs_aid),
          });
        }
      }

      // 卫生保健 (docs/health.md): children (in the children figures' population) checked within the window
      // of config/health.json, with a vaccination certificate checked, overweight/obese at their latest
      // check in the window, with an active allergy or chronic condition
      const healthKey = sources.includes('health') && keyOf('c');
      if (healthKey) {
        const { rateWindowDays, checkedStatuses } = healthConfig();
        const since = localDate(new Date(Date.now() - rateWindowDays * 86_400_000));
        const checks = `${this.table('child_health_checks')} h JOIN ${this.table('child_health_checks_child_lnk')} hl ON hl.child_health_check_id = h.id`;
        const latest = `(SELECT h.nutrition_status FROM ${checks} WHERE hl.child_id = c.id AND h.check_date >= ? ORDER BY h.check_date DESC, h.id DESC LIMIT 1)`;
        const statusList = checkedStatuses.map(() => '?').join(', ');
        const query = knex(`${this.table('children')} as c`).join(`${this.table('kindergartens')} as k`, 'k.code', 'c.institution_code');
        if (needsClassOfChild) {
          query.leftJoin(`${this.table('children_school_class_lnk')} as cl`, 'cl.child_id', 'c.id')
            .leftJoin(`${this.table('school_classes')} as s`, 's.id', 'cl.school_class_id');
        }
        query.select(knex.raw(`${healthKey} AS gkey`))
          .select(knex.raw(`SUM(CASE WHEN EXISTS (SELECT 1 FROM ${checks} WHERE hl.child_id = c.id AND h.check_date >= ?) THEN 1 ELSE 0 END) AS checked`, [since]))
          .select(knex.raw(`SUM(CASE WHEN EXISTS (SELECT 1 FROM ${this.table('vaccination_checks')} v JOIN ${this.table('vaccination_checks_child_lnk')} vl ON vl.vaccination_check_id = v.id WHERE vl.child_id = c.id AND v.status IN (${statusList})) THEN 1 ELSE 0 END) AS vaccination_checked`, checkedStatuses))
          .select(knex.raw(`SUM(CASE WHEN ${latest} = 'overweight' THEN 1 ELSE 0 END) AS overweight`, [since]))
          .select(knex.raw(`SUM(CASE WHEN ${latest} = 'obese' THEN 1 ELSE 0 END) AS obese`, [since]))
          .select(knex.raw(`SUM(CASE WHEN EXISTS (SELECT 1 FROM ${this.table('child_health_conditions')} d JOIN ${this.table('child_health_conditions_child_lnk')} dl ON dl.child_health_condition_id = d.id WHERE dl.child_id = c.id AND ${this.truthy('d.active')} = 1) THEN 1 ELSE 0 END) AS conditions`))
          .whereIn('c.status', ['draft', 'registered']).groupByRaw(healthKey);
        for (const r of await applyFilters(this.scoped(query, where, 'c.county_code', 'c.institution_code'), 'c')) {
          add(r.gkey, {
            healthChecked: Number(r.checked), vaccinationChecked: Number(r.vaccination_checked), overweight: Number(r.overweight), obese: Number(r.obese),
            withHealthConditions: Number(r.conditions),
          });
        }
      }

      // ── 安全管理 (docs/safety-and-resources.md): sources `safety` and `incidents` ──
      // inspections and incidents of the current term (config/safety.json terms), findings still with
      // the kindergarten (open, returned) and those past their deadline; grouped like the staff (by the
      // record's county, its kindergarten's fields), incidents also by their type or severity
      const safetyKey = (alias: 'i' | 'f' | 'x'): string | null => {
        if (dimension.kind === 'incidentField') return alias === 'x' ? `x.${dimension.column}` : null;
        return dimension.kind === 'region' ? `${alias}.county_code` : keyOf('t');
      };
      const bySafety = (table: string, alias: 'i' | 'f' | 'x') => {
        const key = safetyKey(alias)!;
        const query = knex(`${this.table(table)} as ${alias}`).leftJoin(`${this.table('kindergartens')} as k`, 'k.code', `${alias}.institution_code`)
          .select(knex.raw(`${key} AS gkey`)).groupByRaw(key);
        return applyFilters(this.scoped(query, where, `${alias}.county_code`, `${alias}.institution_code`), alias as any);
      };
      const today = localDate();
      const termStart = termStartOf(today);
      if (sources.includes('safety') && safetyKey('i')) {
        const query = bySafety('safety_inspections', 'i').count({ n: '*' })
          .select(knex.raw(`SUM(CASE WHEN i.kind = 'county' THEN 1 ELSE 0 END) AS county_inspections`)).where('i.inspected_on', '>=', termStart);
        for (const r of await query) add(r.gkey, { safetyInspections: Number(r.n), countyInspections: Number(r.county_inspections) });
        const findings = bySafety('safety_findings', 'f')
          .select(knex.raw(`SUM(CASE WHEN f.state IN ('open', 'returned') THEN 1 ELSE 0 END) AS open_findings`))
          .select(knex.raw(`SUM(CASE WHEN f.state IN ('open', 'returned') AND f.deadline < ? THEN 1 ELSE 0 END) AS overdue_findings`, [today]));
        for (const r of await findings) add(r.gkey, { openFindings: Number(r.open_findings ?? 0), overdueFindings: Number(r.overdue_findings ?? 0) });
      }
      if (sources.includes('incidents') && safetyKey('x')) {
        const query = bySafety('incidents', 'x').count({ n: '*' }).select(knex.raw(`SUM(${this.truthy('x.late')}) AS late`))
          .where('x.occurred_at', '>=', new Date(`${termStart}T00:00:00+08:00`));
        for (const r of await query) add(r.gkey, { incidents: Number(r.n), lateIncidents: Number(r.late ?? 0) });
      }

      // 3–5-year-old population: per county, the latest year at or before the one asked; regions only
      if (sources.includes('population') && dimension.kind === 'region' && !where.institutionCode) {
        const upTo = year ?? Number(localDate().slice(0, 4));
        const query = knex(`${this.table('populations')} as p`).select('p.county_code', 'p.population')
          .whereRaw(`p.year = (SELECT MAX(p2.year) FROM ${this.table('populations')} p2 WHERE p2.county_code = p.county_code AND p2.year <= ?)`, [upTo]);
        for (const r of await applyFilters(this.scoped(query, where, 'p.county_code'), 'p')) add(r.county_code, { population: Number(r.population) });
      }

      // full-time teachers (专任教师, active), once the staff records exist
      const staffKey = sources.includes('staff') && keyOf('t');
      if (staffKey && (await this.staffTable())) {
        const { table, fullTimeTeacherPost, activeStatus } = config.staff;
        const key = staffKey;
        const query = knex(`${this.table(table)} as t`).leftJoin(`${this.table('kindergartens')} as k`, 'k.code', 't.institution_code')
          .select(knex.raw(`${key} AS gkey`)).count({ teachers: '*' })
          .where('t.post', fullTimeTeacherPost)
          .where((q: any) => q.whereNull('t.employment_status').orWhere('t.employment_status', activeStatus))
          .groupByRaw(key);
        for (const r of await applyFilters(this.scoped(query, where, 't.county_code', 't.institution_code'), 't')) add(r.gkey, { fullTimeTeachers: Number(r.teachers) });
      }
      return result;
    },

    /** Figures per county code inside `where`. */
    async byCounty(where: Where, year?: number): Promise<Map<string, Figures>> {
      return this.figuresBy(where, COUNTY, {}, year);
    },

    /** Sums county figures up to the region codes of `digits` digits (2 province, 4 prefecture, 6 county). */
    rollUp(counties: Map<string, Figures>, digits: number): Map<string, Figures> {
      const grouped = new Map<string, Figures>();
      for (const [county, figures] of counties) {
        if (!county) continue;
        const code = county.slice(0, digits).padEnd(6, '0');
        grouped.set(code, addFigures(grouped.get(code) ?? emptyFigures(), figures));
      }
      return grouped;
    },

    async regionNames(codes: string[]): Promise<Map<string, string>> {
      const regions = codes.length ? await strapi.db.query('api::region.region').findMany({ where: { code: { $in: codes } }, select: ['code', 'name'] }) : [];
      return new Map(regions.map((r) => [r.code, r.name]));
    },

    /** What a monthly snapshot saves: every county, rolled up to prefecture, province and nation. */
    async snapshotSummary() {
      const counties = await this.byCounty({});
      const [county, prefecture, province] = await Promise.all([
        this.rows(counties, 6, {}), this.rows(counties, 4, {}), this.rows(counties, 2, {}),
      ]);
      return { counties: county.rows, prefectures: prefecture.rows, provinces: province.rows, nation: { ...county.total, code: '000000', name: '全国' } };
    },

    /** Rows grouped at a level (county, prefecture, province), with names, figures and indicators, and the total. */
    async report(where: Where, groupBy: keyof typeof LEVEL_DIGITS = 'county', year?: number): Promise<{ rows: Row[]; total: Row }> {
      const digits = LEVEL_DIGITS[groupBy] ?? 6;
      // this year's figures are the dashboards' kept ones (a region's report over millions of children
      // is seconds of SQL); another year's population makes other figures: computed for the request
      if (year === undefined || year === Number(localDate().slice(0, 4))) return this.dashboardReport(where, digits);
      return this.rows(await this.byCounty(where, year), digits, where);
    },

    async rows(counties: Map<string, Figures>, digits: number, where: Where): Promise<{ rows: Row[]; total: Row }> {
      const grouped = this.rollUp(counties, digits);
      const names = await this.regionNames([...grouped.keys()]);
      const rows = [...grouped.entries()].sort(([a], [b]) => a.localeCompare(b))
        .map(([code, figures]) => ({ code, name: names.get(code) ?? code, figures, indicators: indicatorsOf(figures) }));
      const sum = rows.reduce((acc, row) => addFigures(acc, row.figures), emptyFigures());
      return { rows, total: { code: where.prefix ?? where.institutionCode ?? '', name: '合计', figures: sum, indicators: indicatorsOf(sum) } };
    },

    /**
     * County figures of the whole system for the dashboards, kept between requests. They are
     * recomputed after `dashboardCacheSeconds` (config/indicators.json) or after any write to the
     * data behind them (`invalidate`, called by a document-service middleware). When the last
     * computation took at most `dashboardSyncRefreshMs`, a reader waits for the new figures (small
     * data: the dashboard always shows the latest write); when it took longer (a province of
     * millions of children), neither a write nor the time-to-live starts a new computation before
     * `dashboardCacheSeconds` or the last one's duration ÷ `dashboardComputeShare` (whichever is
     * longer) have passed since it started; then readers get the previous figures at once while one
     * computation runs in the background (stale-while-revalidate). Concurrent readers share one computation.
     */
    async cachedCounties(): Promise<Map<string, Figures>> {
      const config = indicatorsConfig();
      const ttl = Number(config.dashboardCacheSeconds ?? 60) * 1000;
      const syncMs = Number(config.dashboardSyncRefreshMs ?? 500);
      // kept while younger than the time-to-live and not made stale by a write; a computation slower than
      // the synchronous bound (a province of millions: tens of seconds of GROUP BY) is redone neither
      // after writes nor before its duration ÷ dashboardComputeShare (else every node would keep one running)
      const slow = cache !== null && cache.ms > syncMs;
      const keepFor = slow ? Math.max(ttl, cache!.ms / Number(config.dashboardComputeShare ?? 0.05)) : ttl;
      if (cache && Date.now() - cache.at < keepFor && (!cache.stale || slow)) return cache.counties;
      if (!cache?.pending) {
        const started = Date.now();
        const pending = sharedComputation(() => this.byCounty({})).then(
          (counties: Map<string, Figures>) => {
            // a write during the computation leaves the new figures stale: the next reader recomputes
            cache = { at: started, counties, ms: Date.now() - started, stale: cache?.writtenDuring ?? false };
            return counties;
          },
          (error: unknown) => {
            if (cache) cache.pending = undefined;
            throw error;
          },
        );
        cache = cache ? { ...cache, pending, writtenDuring: false } : { at: 0, counties: new Map(), ms: Infinity, stale: true, pending, writtenDuring: false };
      }
      if (cache.ms <= syncMs || cache.at === 0) return cache.pending!;
      cache.pending!.catch((error) => strapi.log.error(`statistics cache: ${error.message}`));
      return cache.counties;
    },

    /** Forgets the cached figures altogether (benchmarks: a cold dashboard load). */
    dropCache() {
      cache = null;
    },

    invalidate() {
      if (!cache) return;
      cache.stale = true;
      if (cache.pending) cache.writtenDuring = true;
    },

    /** The dashboard's statistics for a reach: from the cache for regions, live for a kindergarten. */
    async dashboardReport(where: Where, digits: number) {
      let counties: Map<string, Figures>;
      if (where.institutionCode) counties = await this.byCounty(where);
      else {
        const all = await this.cachedCounties();
        counties = new Map([...all].filter(([code]) => accessScope(strapi).sqlIncludesCounty(where, code)));
      }
      return this.rows(counties, digits, where);
    },
  };
};
