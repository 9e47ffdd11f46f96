import type { Core } from '@strapi/strapi';
import { onEveryWrite } from '../runtime/on-every-write';

/** The content types whose writes change the statistics' figures. */
const SOURCES = [
  'api::kindergarten.kindergarten', 'api::school-class.school-class', 'api::child.child', 'api::population.population', 'api::staff.staff',
  'api::child-health-check.child-health-check', 'api::vaccination-check.vaccination-check', 'api::child-health-condition.child-health-condition',
  'api::safety-inspection.safety-inspection', 'api::safety-finding.safety-finding', 'api::incident.incident',
];

/**
 * Any write to the data behind the statistics, in this instance or another (cms/src/runtime/on-every-write.ts),
 * drops the dashboards' cached figures.
 */
export function subscribeStatisticsInvalidation(strapi: Core.Strapi): void {
  onEveryWrite(strapi, SOURCES, () => strapi.service('api::statistics.statistics')?.invalidate?.());
}
