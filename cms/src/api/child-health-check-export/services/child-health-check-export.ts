/**
 * Export of the health-check list (xlsx or csv; domain/export-stream.ts, as the staff export): the
 * caller's reach, the list's filters, every attribute headed by its label of config/labels.json,
 * codes by their names, the child's name, then the health-check custom fields of the reach.
 * Recorded as kind 'health-checks'.
 */
import type { Core } from '@strapi/strapi';
import { attributeColumns, listExporter } from '../../../domain/export-stream';
import { growthStandards } from '../../../domain/growth';

const CHECK = 'api::child-health-check.child-health-check';
const flagName = (code: string) => growthStandards().flags.find((flag) => flag.code === code)?.name ?? code;

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  /** GET /api/child-health-check-export?format=xlsx|csv&filters…: the caller's health checks. */
  export: listExporter(strapi, {
    uid: CHECK, entity: 'healthCheck', resource: 'child-health-checks', kind: 'health-checks', sheet: '体检记录',
    columns: (app, custom) => [
      { header: '幼儿', value: (check) => check.child?.name ?? '' },
      ...attributeColumns(app, CHECK, 'child-health-check', {
        tables: { checkType: 'healthCheckType' },
        override: { nutritionStatus: (check) => (check.nutritionStatus ? (check.nutritionStatus === 'normal' ? '正常' : flagName(check.nutritionStatus)) : '') },
      }),
      { header: '生长发育评价', value: (check) => (Array.isArray(check.growthFlags) ? check.growthFlags.map(flagName).join('、') : '') },
      { header: '机构标识码', value: (check) => check.institutionCode ?? '' },
      ...custom,
    ],
    populate: { child: { fields: ['name'] } },
  }),
});
