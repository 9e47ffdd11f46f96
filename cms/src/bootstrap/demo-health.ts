import type { Core } from '@strapi/strapi';
import { readDomainConfig } from '../runtime/paths';
import { localDate } from '../domain/working-days';
import { HEALTH_CHECK, HEALTH_CONDITION, VACCINATION_CHECK } from '../domain/health-rules';

type DemoCheck = Record<string, any> & {
  institutionCode: string; child: number; daysAgo: number; vaccination?: string;
  condition?: { conditionType: string; description: string; careInstructions?: string };
};

/**
 * Demo health checks, certificate checks and one allergy (config/demo.json `healthChecks`, docs/health.md),
 * idempotent: the n-th child (by id) of the kindergarten named gets them when it exists and has no check
 * yet. Run with the demo seeder, as the system; the health rules apply (dates, ranges, growth flags).
 */
export async function seedHealthDemo(strapi: Core.Strapi): Promise<number> {
  const demo = readDomainConfig<{ healthChecks?: DemoCheck[] }>('demo.json');
  let created = 0;
  for (const { institutionCode, child: index, daysAgo, vaccination, condition, ...check } of demo.healthChecks ?? []) {
    const children = await strapi.db.query('api::child.child').findMany({ where: { institutionCode, status: { $in: ['draft', 'registered'] } }, orderBy: { id: 'asc' }, limit: 1, offset: index, select: ['documentId'] });
    const child = children[0];
    if (!child) continue;
    if (await strapi.db.query(HEALTH_CHECK).count({ where: { child: { documentId: child.documentId } } })) continue;
    const checkDate = localDate(new Date(Date.now() - daysAgo * 86_400_000));
    try {
      await strapi.documents(HEALTH_CHECK).create({ data: { ...check, checkDate, child: child.documentId } as any });
      if (vaccination) await strapi.documents(VACCINATION_CHECK).create({ data: { child: child.documentId, checkDate, status: vaccination } as any });
      if (condition) await strapi.documents(HEALTH_CONDITION).create({ data: { ...condition, child: child.documentId } as any });
      created += 1;
    } catch (error: any) {
      // a demo child born after the check date, say: the demo goes on without this check
      strapi.log.warn(`demo health check of ${institutionCode} #${index}: ${error?.message ?? error}`);
    }
  }
  return created;
}
