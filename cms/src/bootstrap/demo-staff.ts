import type { Core } from '@strapi/strapi';
import { readDomainConfig } from '../runtime/paths';

type DemoStaff = {
  staff?: Record<string, any>[];
  trainings?: (Record<string, any> & { idNumber: string })[];
  projects?: Record<string, any>[];
  aid?: { institutionCode: string; category: string; term: string; amount: number; disbursements: { source: string; amount: number; paidOn?: string }[] }[];
};

/**
 * Demo staff, training, projects and aid (config/demo.json), idempotent: run with the demo seeder,
 * as the system (the rules of each type still apply). Aid is given to the first child of the
 * kindergarten named, when one exists.
 */
export async function seedStaffDemo(strapi: Core.Strapi): Promise<void> {
  const demo = readDomainConfig<DemoStaff>('demo.json');
  const duplicates = strapi.plugin('dup-check').service('duplicates');
  const staffByNumber = new Map<string, string>();
  for (const person of demo.staff ?? []) {
    const key = duplicates.idKey(person.idType ?? '1', person.idNumber);
    const existing = await strapi.db.query('api::staff.staff').findOne({ where: { idKey: key } });
    const record = existing ?? (await strapi.documents('api::staff.staff').create({ data: { idType: '1', ...person } as any }));
    staffByNumber.set(person.idNumber, record.documentId);
  }
  for (const { idNumber, ...training } of demo.trainings ?? []) {
    const staff = staffByNumber.get(idNumber);
    if (!staff) continue;
    const existing = await strapi.db.query('api::training-record.training-record').findOne({ where: { course: training.course, staff: { documentId: staff } } });
    if (!existing) await strapi.documents('api::training-record.training-record').create({ data: { ...training, staff } as any });
  }
  for (const project of demo.projects ?? []) {
    const existing = await strapi.db.query('api::project.project').findOne({ where: { name: project.name, regionCode: project.regionCode } });
    if (!existing) await strapi.documents('api::project.project').create({ data: { reviewState: 'approved', ...project } as any });
  }
  for (const aid of demo.aid ?? []) {
    const child = await strapi.db.query('api::child.child').findOne({ where: { institutionCode: aid.institutionCode }, orderBy: { id: 'asc' } });
    if (!child) continue;
    let grant = await strapi.db.query('api::aid-grant.aid-grant').findOne({ where: { childId: child.documentId, term: aid.term } });
    if (grant) continue;
    grant = await strapi.documents('api::aid-grant.aid-grant').create({
      data: { childId: child.documentId, category: aid.category, term: aid.term, amount: aid.amount, institutionCode: child.institutionCode, countyCode: child.countyCode, approvedAt: new Date() } as any,
    });
    for (const payment of aid.disbursements) {
      await strapi.documents('api::aid-disbursement.aid-disbursement').create({
        data: { grantId: grant.documentId, childId: child.documentId, childName: child.name, category: aid.category, term: aid.term, ...payment, institutionCode: child.institutionCode, countyCode: child.countyCode } as any,
      });
      const current = await strapi.db.query('api::aid-grant.aid-grant').findOne({ where: { id: grant.id }, select: ['disbursedAmount'] });
      await strapi.db.query('api::aid-grant.aid-grant').update({ where: { id: grant.id }, data: { disbursedAmount: Number(current.disbursedAmount) + payment.amount } });
    }
  }
}
