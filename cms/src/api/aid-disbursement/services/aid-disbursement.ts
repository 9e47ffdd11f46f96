import { factories } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { entry } from '../../../domain/dictionaries';
import { checkAmount, isUniqueViolation } from '../../../domain/aid-rules';
import { conflictError, fieldError } from '../../../utils/validation';
import { accessScope, runAsSystem, type SqlReach } from '../../../domain/request-context';
import { qualifiedTable } from '../../../runtime/tables';

const GRANT = 'api::aid-grant.aid-grant';
const DISBURSEMENT = 'api::aid-disbursement.aid-disbursement';
const LEVEL_DIGITS = { county: 6, prefecture: 4, province: 2 } as const;
type Where = SqlReach;
type Totals = { approved: number; disbursed: number; bySource: Record<string, number>; byCategory: Record<string, number>; approvedByCategory: Record<string, number>; grants: number; payments: number };

const empty = (): Totals => ({ approved: 0, disbursed: 0, bySource: {}, byCategory: {}, approvedByCategory: {}, grants: 0, payments: 0 });
const add = (record: Record<string, number>, key: string, n: number) => { record[key] = (record[key] ?? 0) + n; };

/**
 * Disbursements of financial aid (资助发放) and their totals. A payment is recorded by the county
 * against an approved grant: the grant's running total rises in one guarded UPDATE
 * (disbursed + amount ≤ approved) in the same transaction as the payment's insert, so concurrent
 * payments can never overshoot; the unique index (child, term, source) refuses paying a child twice
 * from one source in one term.
 */
export default factories.createCoreService(DISBURSEMENT, ({ strapi }) => {
  const knex = () => strapi.db.connection;
  const table = (name: string) => qualifiedTable(strapi, name);
  // aid_grants and aid_disbursements carry the same place columns (their schemas' access-scope declaration)
  const scoped = (query: any, where: Where) => accessScope(strapi).whereSql(query, where, GRANT);

  return {
    async disburse(actor: any, input: { grant?: string; source?: string; amount?: unknown; paidOn?: string }) {
      if (actor?.level !== 'county') throw new errors.ForbiddenError('资助发放由县级教育部门登记');
      if (!input?.grant) throw fieldError('grant', '请选择资助批准记录');
      // scoped: a grant outside the county answers 404
      const grant: any = await strapi.documents(GRANT).findOne({ documentId: String(input.grant) });
      if (!grant) throw new errors.NotFoundError('Not Found');
      if (!entry('fundingSource', input.source)) throw fieldError('source', '资金来源不是代码表中的值');
      const amount = checkAmount(input.amount, 'amount', Number.MAX_SAFE_INTEGER);
      if (input.paidOn !== undefined && input.paidOn !== null && !/^\d{4}-\d{2}-\d{2}$/.test(String(input.paidOn))) throw fieldError('paidOn', '日期格式须为 YYYY-MM-DD');
      return runAsSystem(strapi, `aid disbursement of grant ${grant.documentId}`, () => strapi.db.transaction(async ({ trx }) => {
          const updated = await trx(table('aid_grants')).where('id', grant.id)
            .whereRaw('disbursed_amount + ? <= approved_amount', [amount])
            .increment('disbursed_amount', amount);
          if (Number(updated) !== 1) {
            const fresh = await trx(table('aid_grants')).where('id', grant.id).first('approved_amount', 'disbursed_amount');
            const left = Number(fresh.approved_amount) - Number(fresh.disbursed_amount);
            throw fieldError('amount', `发放金额超过批准金额：批准 ${fresh.approved_amount} 元，已发放 ${fresh.disbursed_amount} 元，最多还可发放 ${left} 元`);
          }
          try {
            return await strapi.documents(DISBURSEMENT).create({
              data: {
                grantId: grant.documentId, childId: grant.childId, childName: grant.childName, category: grant.category, term: grant.term,
                source: input.source, amount, paidOn: input.paidOn ?? null, recordedByName: actor.fullName || actor.username,
                institutionCode: grant.institutionCode, countyCode: grant.countyCode,
              } as any,
            });
          } catch (error) {
            if (isUniqueViolation(error, 'aid_disbursements__child_id_term_source__unique', 'aid_disbursements.child_id')) {
              throw conflictError(`该幼儿 ${grant.term} 学期已从该资金来源发放过资助，不能重复发放`, ['source']);
            }
            throw error;
          }
        }));
    },

    /** Totals per region (GET /api/aid-totals): approved and paid, paid per source and per category, in SQL. */
    async totals(where: Where, groupBy: keyof typeof LEVEL_DIGITS = 'county') {
      const [grants, payments] = await Promise.all([
        scoped(knex()(table('aid_grants')).select('county_code', 'category').sum({ approved: 'approved_amount' }).count({ n: '*' }).groupBy('county_code', 'category'), where),
        scoped(knex()(table('aid_disbursements')).select('county_code', 'source', 'category').sum({ paid: 'amount' }).count({ n: '*' }).groupBy('county_code', 'source', 'category'), where),
      ]);
      const digits = LEVEL_DIGITS[groupBy] ?? 6;
      const grouped = new Map<string, Totals>();
      const total = empty();
      const at = (county: string) => {
        const code = String(county).slice(0, digits).padEnd(6, '0');
        if (!grouped.has(code)) grouped.set(code, empty());
        return grouped.get(code)!;
      };
      for (const r of grants as any[]) {
        for (const t of [at(r.county_code), total]) { t.approved += Number(r.approved); t.grants += Number(r.n); add(t.approvedByCategory, r.category, Number(r.approved)); }
      }
      for (const r of payments as any[]) {
        for (const t of [at(r.county_code), total]) { t.disbursed += Number(r.paid); t.payments += Number(r.n); add(t.bySource, r.source, Number(r.paid)); add(t.byCategory, r.category ?? 'unknown', Number(r.paid)); }
      }
      const regions = await strapi.db.query('api::region.region').findMany({ where: { code: { $in: [...grouped.keys()] } }, select: ['code', 'name'] });
      const names = new Map(regions.map((r: any) => [r.code, r.name]));
      return {
        rows: [...grouped.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([code, t]) => ({ code, name: names.get(code) ?? code, ...t })),
        total: { code: where.prefix ?? where.institutionCode ?? '', name: '合计', ...total },
      };
    },
  };
});
