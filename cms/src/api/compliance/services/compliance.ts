import type { Core } from '@strapi/strapi';
import { calendar, localDate } from '../../../domain/working-days';
import { fieldError } from '../../../utils/validation';

/**
 * Monthly compliance (每月填报): every kindergarten updates its data by the configured day of the
 * month (the 25th). Counted through the document service, so each level sees its own reach.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async report(month?: string) {
    const period = month || localDate().slice(0, 7);
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(period)) throw fieldError('month', '月份格式须为 YYYY-MM');
    const deadline = `${period}-${String(calendar().monthlyUpdateDay).padStart(2, '0')}`;
    const kindergartens = (await strapi.documents('api::kindergarten.kindergarten').findMany({
      fields: ['code', 'name', 'countyCode', 'lastUpdatedAt', 'status'],
      filters: { status: { $ne: 'closed' } },
      sort: 'code:asc',
    } as any)) as any[];
    const byCounty = new Map<string, { kindergartens: number; updated: number; notUpdated: { id: string; code: string; name: string }[] }>();
    for (const k of kindergartens) {
      const row = byCounty.get(k.countyCode) ?? { kindergartens: 0, updated: 0, notUpdated: [] };
      row.kindergartens += 1;
      const day = k.lastUpdatedAt ? localDate(new Date(k.lastUpdatedAt)) : null;
      if (day && day >= `${period}-01` && day <= deadline) row.updated += 1;
      else row.notUpdated.push({ id: k.documentId, code: k.code, name: k.name });
      byCounty.set(k.countyCode, row);
    }
    const regions = await strapi.db.query('api::region.region').findMany({ where: { code: { $in: [...byCounty.keys()] } }, select: ['code', 'name'] });
    const names = new Map(regions.map((r) => [r.code, r.name]));
    return {
      month: period,
      deadline,
      byCounty: [...byCounty.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([countyCode, row]) => ({ countyCode, countyName: names.get(countyCode) ?? countyCode, ...row })),
    };
  },
});
