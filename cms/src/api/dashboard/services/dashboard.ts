import type { Core } from '@strapi/strapi';
import { englishLabelOf, indicatorsConfig, labelOf, meetsTarget, unitOf, valueOf } from '../../../domain/indicators';
import { accessScope } from '../../../domain/request-context';
import { readDomainConfig } from '../../../runtime/paths';
import { onEveryWrite } from '../../../runtime/on-every-write';

const KINDERGARTEN = 'api::kindergarten.kindergarten';
const REGION = 'api::region.region';

/**
 * The kindergarten figures of a dashboard, kept per reach (a pre-aggregate in the process): ten people
 * of a province opening their dashboards at once do not each scan its kindergartens. Kept for
 * config/lists.json `countCache.ttlSeconds`, at most `countCache.maxEntries`; any write to the
 * kindergartens or the regions, in this instance or another (cms/src/runtime/on-every-write.ts),
 * drops them all, and figures computed while such a write happened are answered but not kept.
 */
type Kept = { value: Promise<any>; expires: number };
const kept = new Map<string, Kept>();
let generation = 0;
let subscribed = false;
let countCache: { ttlSeconds: number; maxEntries: number } | undefined;

function keptFigures(strapi: Core.Strapi, key: string, compute: () => Promise<any>): Promise<any> {
  if (!subscribed) {
    subscribed = true;
    onEveryWrite(strapi, [KINDERGARTEN, REGION], () => { generation += 1; kept.clear(); });
  }
  countCache ??= readDomainConfig<{ countCache: { ttlSeconds: number; maxEntries: number } }>('lists.json').countCache;
  const now = Date.now();
  const hit = kept.get(key);
  if (hit && hit.expires > now) return hit.value;
  const started = generation;
  const value = compute();
  if (countCache.ttlSeconds <= 0 || countCache.maxEntries <= 0) return value;
  kept.set(key, { value, expires: now + countCache.ttlSeconds * 1000 });
  while (kept.size > countCache.maxEntries) kept.delete(kept.keys().next().value as string);
  const forget = () => { if (kept.get(key)?.value === value) kept.delete(key); };
  value.then(() => { if (generation !== started) forget(); }, forget);
  return value;
}

/**
 * The figures on each level's dashboard. Every count is kept inside the caller's reach by the
 * access scope's own filter (the one its document middleware adds to the lists), so the totals
 * agree with the lists; the kindergarten counts are one statement (kindergartenCounts).
 */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  /** The areas one step below the user's region (provinces for the Ministry, ...), or the county itself. */
  async areasBelow(user: { level?: string; regionCode?: string }) {
    const regions = strapi.db.query('api::region.region');
    if (user.level === 'ministry') return regions.findMany({ where: { level: 'province' }, orderBy: { code: 'asc' } });
    if (!user.regionCode) return [];
    // the region and the areas below it in one statement
    const rows = await regions.findMany({ where: { $or: [{ code: user.regionCode }, { parentCode: user.regionCode }] }, orderBy: { code: 'asc' } });
    const own = rows.find((row: any) => row.code === user.regionCode);
    if (!own) return [];
    if (own.level === 'county' || user.level === 'institution') return [own];
    return rows.filter((row: any) => row.code !== own.code && row.parentCode === own.code);
  },

  /**
   * The kindergarten figures in one statement: the totals and one count per area, each a FILTER of
   * the same scan. The rows are those a document-service count would count: the access scope's
   * filter of the caller's reach (access-scope `filterFor(currentReach())`, as its document
   * middleware adds it), and closed kindergartens left out as the statistics do.
   */
  async kindergartenCounts(areaPrefixes: string[]) {
    const scope = strapi.plugin('access-scope').service('scope') as any;
    const reachFilter = scope.filterFor(KINDERGARTEN, scope.currentReach());
    const filters = { $and: [...(reachFilter ? [reachFilter] : []), { status: { $ne: 'closed' } }] };
    const { where } = (strapi.get('query-params') as any).transform(KINDERGARTEN, { filters });
    const knex = strapi.db.connection;
    const query = (strapi.db as any).entityManager.createQueryBuilder(KINDERGARTEN).init({ where, select: ['id'] }).getKnexQuery();
    const columns = [
      knex.raw('count(*) as ??', ['total']),
      knex.raw("count(*) filter (where ?? = 'public') as ??", ['t0.ownership', 'public']),
      knex.raw("count(*) filter (where ?? = ? or ?? = 'public') as ??", ['t0.inclusive', true, 't0.ownership', 'inclusive']),
      ...areaPrefixes.map((prefix, i) => knex.raw('count(*) filter (where ?? like ?) as ??', ['t0.county_code', `${prefix.replace(/[^0-9]/g, '')}%`, `area${i}`])),
    ];
    const row: Record<string, unknown> = (await query.clearSelect().select(columns).first()) ?? {};
    return {
      kindergartens: Number(row.total ?? 0),
      publicKindergartens: Number(row.public ?? 0),
      inclusiveKindergartens: Number(row.inclusive ?? 0),
      byArea: areaPrefixes.map((_, i) => Number(row[`area${i}`] ?? 0)),
    };
  },

  async summary(user: { level?: string; regionCode?: string }) {
    const scope = accessScope(strapi);
    // the areas and their counts depend on the caller's reach (the scope's filter) and the user's level and region
    const key = `${scope.keyOf(scope.currentReach())}\u0000${user.level ?? ''}\u0000${user.regionCode ?? ''}`;
    const kindergartenFigures = await keptFigures(strapi, key, async () => {
      const areas = await this.areasBelow(user);
      const prefixOf = (code: string) => code.replace(/(00)+$/, '') || code;
      const counts = await this.kindergartenCounts(areas.map((area) => prefixOf(area.code)));
      const byCounty = areas.map((area, i) => ({ countyCode: area.code, countyName: area.name, kindergartens: counts.byArea[i] }));
      const { kindergartens, publicKindergartens, inclusiveKindergartens } = counts;
      return { kindergartens, publicKindergartens, inclusiveKindergartens, byCounty };
    });
    return { level: user.level ?? null, ...structuredClone(kindergartenFigures), ...(await this.statistics(user)) };
  },

  /**
   * The key indicators against their targets (config/indicators.json) and the figures of the areas
   * one level below, from the statistics' county figures (cached for the dashboards, dropped on
   * every write): the same numbers as the statistics report, the exports and the snapshots.
   */
  async statistics(user: any) {
    const statistics = strapi.service('api::statistics.statistics') as any;
    const where = accessScope(strapi).sqlReach(accessScope(strapi).reachOf(user));
    if (!where) return { statistics: null, indicators: [], cards: [] };
    const prefix: string = where.prefix ?? '';
    const digits = where.institutionCode ? 6 : Math.min(6, prefix.length === 0 ? 2 : prefix.length + 2);
    const report = await statistics.dashboardReport(where, digits);
    const config = indicatorsConfig();
    const indicators = config.keyIndicators.map((key) => ({
      key, label: config.indicators[key].label, labelEn: englishLabelOf(key, config.indicators[key].label), unit: config.indicators[key].unit, scale: config.indicators[key].scale ?? 1,
      value: report.total.indicators[key] ?? null, target: config.indicators[key].target ?? null, meets: meetsTarget(key, report.total.indicators[key] ?? null),
    }));
    // 卫生保健 and 安全管理 cards (config/indicators.json dashboardCards): rates and counts of the whole reach
    const cards = Object.entries(config.dashboardCards ?? {}).flatMap(([group, keys]) => keys.map((key) => {
      const value = valueOf(key, report.total.figures ?? {});
      return { group, key, label: labelOf(key), labelEn: englishLabelOf(key, labelOf(key)), unit: unitOf(key), scale: config.indicators[key]?.scale ?? 1, value, target: config.indicators[key]?.target ?? null, meets: meetsTarget(key, value) };
    }));
    return { statistics: { digits, total: report.total, rows: report.rows }, indicators, cards };
  },
});
