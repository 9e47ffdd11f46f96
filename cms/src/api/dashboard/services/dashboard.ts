import type { Core } from '@strapi/strapi';
import { indicatorsConfig, meetsTarget } from '../../../domain/indicators';

const KINDERGARTEN = 'api::kindergarten.kindergarten';

/**
 * The figures on each level's dashboard. Every count goes through the document service, so the
 * access-scope middleware keeps it inside the caller's reach: totals agree with the lists.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  /** The areas one step below the user's region (provinces for the Ministry, ...), or the county itself. */
  async areasBelow(user: { level?: string; regionCode?: string }) {
    const regions = strapi.db.query('api::region.region');
    if (user.level === 'ministry') return regions.findMany({ where: { level: 'province' }, orderBy: { code: 'asc' } });
    const own = user.regionCode ? await regions.findOne({ where: { code: user.regionCode } }) : null;
    if (!own) return [];
    if (own.level === 'county' || user.level === 'institution') return [own];
    const children = await regions.findMany({ where: { parentCode: own.code }, orderBy: { code: 'asc' } });
    return children;
  },

  async summary(user: { level?: string; regionCode?: string }) {
    // the same definition as the statistics (api::statistics): closed kindergartens are not counted
    const count = (filters: Record<string, unknown> = {}) => strapi.documents(KINDERGARTEN).count({ filters: { ...filters, status: { $ne: 'closed' } } });
    const areas = await this.areasBelow(user);
    const prefixOf = (code: string) => code.replace(/(00)+$/, '') || code;
    const [kindergartens, publicKindergartens, inclusiveKindergartens, byArea] = await Promise.all([
      count(),
      count({ ownership: 'public' }),
      count({ $or: [{ inclusive: true }, { ownership: 'public' }] }),
      Promise.all(areas.map(async (area) => ({
        countyCode: area.code,
        countyName: area.name,
        kindergartens: await count({ countyCode: { $startsWith: prefixOf(area.code) } }),
      }))),
    ]);
    return { level: user.level ?? null, kindergartens, publicKindergartens, inclusiveKindergartens, byCounty: byArea, ...(await this.statistics(user)) };
  },

  /**
   * The key indicators against their targets (config/indicators.json) and the figures of the areas
   * one level below, from the statistics' county figures (cached for the dashboards, dropped on
   * every write): the same numbers as the statistics report, the exports and the snapshots.
   */
  async statistics(user: any) {
    const statistics = strapi.service('api::statistics.statistics') as any;
    const where = statistics.whereFor(strapi.plugin('access-scope').service('scope').reachOf(user));
    if (!where) return { statistics: null, indicators: [] };
    const prefix: string = where.prefix ?? '';
    const digits = where.institutionCode ? 6 : Math.min(6, prefix.length === 0 ? 2 : prefix.length + 2);
    const report = await statistics.dashboardReport(where, digits);
    const config = indicatorsConfig();
    const indicators = config.keyIndicators.map((key) => ({
      key, label: config.indicators[key].label, unit: config.indicators[key].unit, scale: config.indicators[key].scale ?? 1,
      value: report.total.indicators[key] ?? null, target: config.indicators[key].target ?? null, meets: meetsTarget(key, report.total.indicators[key] ?? null),
    }));
    return { statistics: { digits, total: report.total, rows: report.rows }, indicators };
  },
});
