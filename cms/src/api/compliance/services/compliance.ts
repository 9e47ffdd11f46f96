import type { Core } from '@strapi/strapi';
import { calendar, localDate } from '../../../domain/working-days';
import { fieldError } from '../../../utils/validation';
import type { Actor } from '../../../domain/lifecycle';
import type { TransferService } from '../../transfer/services/transfer';

/**
 * The oversight report (逾期与填报): monthly compliance (每月填报) — every kindergarten updates its
 * data by the configured day of the month (the 25th), counted through the document service, so
 * each level sees its own reach — and the overdue transfers (转园) per county, on both sides
 * (the transfer service's reach).
 */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async report(month?: string, user?: Actor) {
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
    const transfers = user ? await (strapi.service('api::transfer.transfer') as unknown as TransferService).openByCounty(user) : [];
    const regions = await strapi.db.query('api::region.region').findMany({ where: { code: { $in: [...new Set([...byCounty.keys(), ...transfers.map((t) => t.countyCode)])] } }, select: ['code', 'name'] });
    const names = new Map(regions.map((r) => [r.code, r.name]));
    return {
      month: period,
      deadline,
      byCounty: [...byCounty.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([countyCode, row]) => ({ countyCode, countyName: names.get(countyCode) ?? countyCode, ...row })),
      transfers: {
        byCounty: transfers.map((row) => ({ countyCode: row.countyCode, countyName: names.get(row.countyCode) ?? row.countyCode, open: row.open, overdue: row.overdue, overdueTransfers: row.transfers })),
      },
    };
  },
});
