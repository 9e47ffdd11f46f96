import { factories } from '@strapi/strapi';
import { fieldError } from '../../../utils/validation';
import { openProblemRecord } from '../../../domain/problem-records';

const PROBLEM = 'api::problem-record.problem-record';
const KINDS = ['wrong-id', 'duplicate-with-id', 'duplicate-without-id'];

export default factories.createCoreService(PROBLEM, ({ strapi }) => ({
  /** A county marks a child's record as a problem record (the child must be in its reach). */
  async openFor(childId: unknown, kind: unknown, description: unknown) {
    if (!KINDS.includes(String(kind))) throw fieldError('kind', '问题类型须为：证件信息错误、有证件重复、无证件重复');
    const child: any = childId ? await strapi.documents('api::child.child').findOne({ documentId: String(childId) }) : null;
    if (!child) throw fieldError('child', '幼儿不存在或不在管辖范围内');
    const record = await openProblemRecord(strapi, child, String(kind), String(description ?? ''));
    return strapi.documents(PROBLEM).findOne({ documentId: record.documentId });
  },

  /** Problem records per county in the caller's reach, by state. */
  async summary() {
    const rows = (await strapi.documents(PROBLEM).findMany({ fields: ['countyCode', 'state'] } as any)) as any[];
    const byCounty = new Map<string, Record<string, number>>();
    for (const row of rows) {
      const counts = byCounty.get(row.countyCode) ?? { open: 0, 'evidence-submitted': 0, arbitration: 0, resolved: 0 };
      counts[row.state] = (counts[row.state] ?? 0) + 1;
      byCounty.set(row.countyCode, counts);
    }
    const regions = await strapi.db.query('api::region.region').findMany({ where: { code: { $in: [...byCounty.keys()] } }, select: ['code', 'name'] });
    const names = new Map(regions.map((r) => [r.code, r.name]));
    return {
      byCounty: [...byCounty.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([countyCode, counts]) => ({
        countyCode, countyName: names.get(countyCode) ?? countyCode,
        open: counts.open, evidenceSubmitted: counts['evidence-submitted'], arbitration: counts.arbitration, resolved: counts.resolved,
      })),
    };
  },
}));
