import type { Core } from '@strapi/strapi';

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
    return { level: user.level ?? null, kindergartens, publicKindergartens, inclusiveKindergartens, byCounty: byArea };
  },
});
