/**
 * Exports of 安全管理 and 玩教具与图书 (xlsx or csv), each a declaration on the one export mechanism
 * (cms/src/domain/export-stream.ts): the caller's reach, the list's filters, columns headed by
 * config/labels.json, states and codes by their Chinese names, the custom fields of inspections,
 * incidents and inventories; each export recorded (kinds safety-inspections, safety-findings,
 * incidents, resource-inventories).
 */
import type { Core } from '@strapi/strapi';
import { attributeColumns, listExporter } from '../../../domain/export-stream';
import { stateName } from '../../../domain/dictionaries';
import { checklistItems, resourcesConfig, safetyConfig } from '../../../domain/safety';

const named = (list: { code: string; name: string }[]) => Object.fromEntries(list.map((e) => [e.code, e.name]));
const dateTime = (value: unknown) => (value ? new Date(String(value)).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false }) : '');

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  inspections: listExporter(strapi, {
    uid: 'api::safety-inspection.safety-inspection', entity: 'safety-inspection', resource: 'safety-inspections', kind: 'safety-inspections', sheet: '安全检查',
    columns: (app, custom) => [
      ...attributeColumns(app, 'api::safety-inspection.safety-inspection', 'safety-inspection', { override: { kind: (r) => stateName('safety-inspections.kind', r.kind) } }),
      { header: '不合格项', value: (r) => Object.entries(r.results ?? {}).filter(([, v]) => v === 'fail').map(([k]) => checklistItems().get(k)?.name ?? k).join('；') },
      ...custom,
    ],
  }),
  findings: listExporter(strapi, {
    uid: 'api::safety-finding.safety-finding', entity: 'safety-finding' as any, resource: 'safety-findings', kind: 'safety-findings', sheet: '安全隐患整改',
    columns: (app) => [
      ...attributeColumns(app, 'api::safety-finding.safety-finding', 'safety-finding', {
        names: { severity: named(safetyConfig().severities) },
        override: {
          section: (r) => safetyConfig().checklist.find((s) => s.key === r.section)?.name ?? r.section ?? '',
          itemKey: (r) => checklistItems().get(r.itemKey)?.name ?? r.itemKey ?? '',
          state: (r) => stateName('safety-findings.state', r.state),
          rectifiedAt: (r) => dateTime(r.rectifiedAt),
          verifiedAt: (r) => dateTime(r.verifiedAt),
        },
      }),
    ],
  }),
  incidents: listExporter(strapi, {
    uid: 'api::incident.incident', entity: 'incident', resource: 'incidents', kind: 'incidents', sheet: '意外事故',
    columns: (app, custom) => [
      ...attributeColumns(app, 'api::incident.incident', 'incident', {
        names: { type: named(safetyConfig().incidents.types), severity: named(safetyConfig().incidents.severities) },
        override: {
          state: (r) => stateName('incidents.state', r.state),
          occurredAt: (r) => dateTime(r.occurredAt), reportedAt: (r) => dateTime(r.reportedAt), reviewedAt: (r) => dateTime(r.reviewedAt),
        },
      }),
      ...custom,
    ],
  }),
  inventories: listExporter(strapi, {
    uid: 'api::resource-inventory.resource-inventory', entity: 'resource-inventory', resource: 'resource-inventories', kind: 'resource-inventories', sheet: '玩教具与图书',
    columns: (app, custom) => [
      ...attributeColumns(app, 'api::resource-inventory.resource-inventory', 'resource-inventory'),
      ...resourcesConfig().toyCategories.map((c) => ({ header: `${c.name}（${c.unit}）`, value: (r: any) => Number(r.toys?.[c.key] ?? 0) })),
      ...custom,
    ],
  }),
});

