import type { Core } from '@strapi/strapi';
import { readDomainConfig } from '../runtime/paths';
import { localDate } from '../domain/working-days';
import { checklistItems, periodOf, rectificationDeadline, reportedLate } from '../domain/safety';

/**
 * 安全管理 demo (config/demo.json `safety`): a self-inspection with one open finding, and an incident
 * awaiting the county's review — once per kindergarten, as the system (bootstrap).
 */
export async function seedSafetyDemo(strapi: Core.Strapi): Promise<void> {
  const demo = readDomainConfig<any>('demo.json').safety;
  if (!demo?.institutionCode) return;
  const kindergarten = await strapi.db.query('api::kindergarten.kindergarten').findOne({ where: { code: demo.institutionCode }, select: ['code', 'name', 'countyCode'] });
  if (!kindergarten) return;
  const place = { kindergartenName: kindergarten.name, institutionCode: kindergarten.code, countyCode: kindergarten.countyCode };
  const items = checklistItems();
  if (demo.inspection && !(await strapi.db.query('api::safety-inspection.safety-inspection').count({ where: { institutionCode: kindergarten.code } }))) {
    const day = localDate(new Date(Date.now() - demo.inspection.daysAgo * 86400000));
    const fail: Record<string, string> = demo.inspection.fail ?? {};
    const results = Object.fromEntries([...items.keys()].map((key) => [key, fail[key] ? 'fail' : 'pass']));
    const inspection = await strapi.documents('api::safety-inspection.safety-inspection').create({
      data: { kind: 'self', inspectedOn: day, period: periodOf('self', day), inspectorName: demo.inspection.inspectorName, summary: demo.inspection.summary, results, failedCount: Object.keys(fail).length, ...place } as any,
    });
    for (const [key, description] of Object.entries(fail)) {
      const item = items.get(key);
      if (!item) continue;
      await strapi.documents('api::safety-finding.safety-finding').create({
        data: { inspection: inspection.documentId, itemKey: key, section: item.section, severity: item.severity, description, needsRectification: true, state: 'open', deadline: rectificationDeadline(day, item.severity), history: [], version: 1, ...place } as any,
      });
    }
  }
  if (demo.incident && !(await strapi.db.query('api::incident.incident').count({ where: { institutionCode: kindergarten.code } }))) {
    const { hoursAgo, ...values } = demo.incident;
    const occurredAt = new Date(Date.now() - hoursAgo * 3600000);
    const reportedAt = new Date();
    await strapi.documents('api::incident.incident').create({ data: { ...values, occurredAt, reportedAt, late: reportedLate(occurredAt, reportedAt), state: 'reported', history: [], version: 1, ...place } as any });
  }
}
