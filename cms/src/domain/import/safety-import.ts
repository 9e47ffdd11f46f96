/**
 * Excel import of a kindergarten's safety self-inspections (安全自查) and incidents (意外事故)
 * (docs/safety-and-resources.md): one row a record. A self-inspection row has the date, the
 * inspector, one column per item of the checklist of config/safety.json (合格 / 不合格 / 不适用 from
 * a drop-down), a hazard description and remarks; each failed item gets a finding exactly as
 * POST /api/safety-inspections gives it (the service's prepare and write). An incident row has the
 * date and time, type, severity, place, description, injured and measures, checked by the API's
 * checkIncident and stored by the API's write (reported now: `late` after the report deadline).
 * Every row is checked before anything is written, then all rows are created in one transaction
 * with the permission check for each; any problem: 400 naming `rows.<n>.<field>`, nothing stored.
 * The shared machinery (template, reader, row problems, error report) is cms/src/domain/import/rows.ts.
 */
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { fieldError, fieldsError } from '../../utils/validation';
import { readDomainConfig } from '../../runtime/paths';
import { assertAllowed } from '../../security/can';
import { accessScope } from '../request-context';
import { checkIncident } from '../../api/incident/services/incident';
import { checklistItems, safetyConfig } from '../safety';
import { calendar } from '../working-days';
import { codeOf, customColumns, customInput, type Column } from './columns';
import { activeDefinitions, customFieldsError, validateCustomFields, type Entity } from '../custom-fields';
import { buildTemplate } from './template';
import { allOrNothing, checkRows, readImportFile } from './rows';
import type { SheetRow } from './workbook';

export type SafetyRecordKind = 'inspections' | 'incidents';
type Kind = {
  uid: string; entity: Entity; sheet: string; title: string; help: () => string[];
  /** The record's own columns (the active custom fields of its entity follow them). */
  columns: () => Column[];
  /** A row → what `write` stores, checked as the API checks it (throws a 400 naming the fields); `custom`: its custom fields' values, checked. */
  check: (strapi: Core.Strapi, user: any, cells: Record<string, string>, custom: Record<string, unknown> | undefined) => Promise<unknown>;
  write: (strapi: Core.Strapi, value: any) => Promise<unknown>;
};

const column = (path: string, header: string, kind: Column['kind'], required = false, table?: string): Column => ({ path, field: path, kind, header, required, table });
const coded = (table: string, value: string | undefined) => (value ? codeOf(table, value) ?? value : undefined);
const inspections = (strapi: Core.Strapi) => strapi.service('api::safety-inspection.safety-inspection') as any;
const incidents = (strapi: Core.Strapi) => strapi.service('api::incident.incident') as any;

/** "10:30", "10:30:00" or a day fraction (a time cell read as a number) → HH:MM, or null. */
function timeOf(text: string): string | null {
  if (/^0?(\.\d+)?$/.test(text) && text !== '') {
    const minutes = Math.round(Number(text) * 24 * 60);
    return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
  }
  const m = text.match(/^(\d{1,2})[:：](\d{2})(?:[:：]\d{2})?$/);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) return null;
  return `${m[1].padStart(2, '0')}:${m[2]}`;
}

/** The offset of the configured time zone at a local date and time (config/calendar.json timeZone), e.g. +08:00. */
function zonedInstant(date: string, time: string): Date {
  const guess = new Date(`${date}T${time}:00Z`);
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: calendar().timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).formatToParts(guess);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const shown = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  return new Date(guess.getTime() - (shown - guess.getTime()));
}

const KINDS: Record<SafetyRecordKind, Kind> = {
  inspections: {
    uid: 'api::safety-inspection.safety-inspection', entity: 'safety-inspection', sheet: '安全自查', title: '幼儿园安全自查批量导入说明',
    help: () => [
      '2. 每个检查项一列，从下拉列表选择“合格”“不合格”或“不适用”，每项都须填写。',
      '3. 有不合格项时，系统为每个不合格项登记一条隐患（等级按检查清单，须整改的按工作日计算整改期限）；“隐患描述”写明问题，不填时为“检查项不合格”。',
    ],
    columns: () => [
      column('inspectedOn', '检查日期', 'date', true),
      column('inspectorName', '检查人', 'text', true),
      ...[...checklistItems().values()].map((item) => column(`results.${item.key}`, item.name, 'code', true, 'safetyResult')),
      column('findings', '隐患描述', 'text'),
      column('summary', '备注', 'text'),
    ],
    async check(strapi, user, cells, custom) {
      const results = Object.fromEntries([...checklistItems().keys()].map((key) => [key, coded('safetyResult', cells[`results.${key}`])]));
      const findings = [...checklistItems().values()].filter((item) => results[item.key] === 'fail')
        .map((item) => ({ itemKey: item.key, description: cells.findings || `「${item.name}」不合格` }));
      const input = { kind: 'self', inspectedOn: cells.inspectedOn || undefined, inspectorName: cells.inspectorName, results, findings, summary: cells.summary || null, ...(custom ? { customFields: custom } : {}) };
      return inspections(strapi).prepare(user, input);
    },
    write: (strapi, value) => inspections(strapi).write(value),
  },
  incidents: {
    uid: 'api::incident.incident', entity: 'incident', sheet: '意外事故', title: '意外事故批量导入说明',
    help: () => [
      `2. 发生时间写作 10:30（24 小时制，${calendar().timeZone} 时间）。导入即为报告：距发生超过 ${safetyConfig().incidents.reportWithinHours} 小时的事故记为迟报。`,
      '3. 事故类型和严重程度从下拉列表选择；受伤人数填不小于 0 的整数。导入的事故由县级审核。',
    ],
    columns: () => [
      column('occurredOn', '发生日期', 'date', true),
      column('occurredTime', '发生时间', 'text', true),
      column('type', '事故类型', 'code', true, 'incidentType'),
      column('severity', '严重程度', 'code', true, 'incidentSeverity'),
      column('place', '发生地点', 'text'),
      column('description', '事故经过', 'text', true),
      column('injured', '受伤人数', 'text'),
      column('measures', '处置措施', 'text'),
    ],
    async check(strapi, user, cells, custom) {
      const scope = accessScope(strapi);
      const code = scope.institutionOf(scope.reachOf(user));
      const time = cells.occurredTime ? timeOf(cells.occurredTime) : null;
      if (cells.occurredTime && !time) throw fieldError('occurredTime', `「${cells.occurredTime}」不是有效时间（如 10:30）`);
      if (cells.occurredOn && !time) throw fieldError('occurredTime', '必填');
      const at = cells.occurredOn && time ? zonedInstant(cells.occurredOn, time).toISOString() : undefined;
      const values = checkIncident({
        occurredAt: at, type: coded('incidentType', cells.type), severity: coded('incidentSeverity', cells.severity), description: cells.description,
        injured: cells.injured || undefined, place: cells.place || undefined, measures: cells.measures || undefined,
      });
      const kindergarten: any = await strapi.documents('api::kindergarten.kindergarten' as any).findFirst({ filters: { code }, fields: ['code', 'name', 'countyCode'] } as any);
      if (!kindergarten) throw new errors.NotFoundError('Not Found');
      return { kindergarten, values, custom };
    },
    write: (strapi, { kindergarten, values, custom }) => incidents(strapi).write(kindergarten, values, custom),
  },
};
/** Where the API names a problem that has no column of its own: the incident's time is two columns. */
const ALIASES: Record<string, string> = { occurredAt: 'occurredOn', kind: 'inspectedOn', results: 'inspectedOn' };

export function safetyKind(record: unknown): Kind {
  if (!Object.prototype.hasOwnProperty.call(KINDS, String(record))) throw new errors.NotFoundError('Not Found');
  return KINDS[record as SafetyRecordKind];
}

/** The row limit of every upload (config/imports.json maxRows; the template's drop-downs cover as many rows). */
const maxRows = () => readDomainConfig<{ maxRows: number }>('imports.json').maxRows;

export function safetyImport(strapi: Core.Strapi) {
  /** Only a kindergarten imports its own records; the permission of the record's create action and of the import. */
  async function allowed(user: any, kind: Kind) {
    const scope = accessScope(strapi);
    if (!scope.institutionOf(scope.reachOf(user)) || user?.level !== 'institution') throw new errors.ForbiddenError('安全自查和意外事故由幼儿园导入');
    await assertAllowed(strapi, user, `${kind.uid}.create`);
  }

  /** The county of the caller's kindergarten (whose custom fields apply). */
  async function countyOf(user: any): Promise<string | null> {
    const scope = accessScope(strapi);
    const code = scope.institutionOf(scope.reachOf(user));
    return ((await strapi.documents('api::kindergarten.kindergarten' as any).findFirst({ filters: { code }, fields: ['countyCode'] } as any)) as any)?.countyCode ?? null;
  }

  const columnsOf = async (kind: Kind, countyCode: string | null): Promise<Column[]> => [...kind.columns(), ...customColumns(await activeDefinitions(strapi, kind.entity, countyCode))];

  /** A row checked: its custom fields as the API checks them (required ones too), then the record's own check. */
  async function checkRow(user: any, kind: Kind, countyCode: string | null, columns: Column[], cells: Record<string, string>) {
    const custom = await validateCustomFields(strapi, kind.entity, countyCode, customInput(columns, cells), { enforceRequired: true });
    const customProblems = custom.problems.length ? (customFieldsError(custom.problems) as any).details.errors : [];
    let value: unknown;
    try {
      value = await kind.check(strapi, user, cells, Object.keys(custom.values).length ? custom.values : undefined);
    } catch (error: any) {
      // both the record's problems and its custom fields' are named
      const details = error?.details?.errors;
      if (!customProblems.length || !Array.isArray(details)) throw error;
      throw new errors.ValidationError(error.message, { errors: [...details, ...customProblems] });
    }
    if (customProblems.length) throw customFieldsError(custom.problems);
    return value;
  }

  async function checked(user: any, record: unknown, file: any) {
    const kind = safetyKind(record);
    await allowed(user, kind);
    const countyCode = await countyOf(user);
    const columns = await columnsOf(kind, countyCode);
    const sheet = await readImportFile(file, columns, { maxRows: maxRows(), sheet: kind.sheet });
    const headers = new Map(columns.map((c) => [c.path, c.header]));
    const result = await checkRows(sheet, (path) => headers.get(ALIASES[path] ?? path) ?? headers.get(path.replace(/^findings\.\d+\.description$/, 'findings')), (row: SheetRow) => checkRow(user, kind, countyCode, columns, row.cells));
    return { kind, result };
  }

  return {
    /** GET /api/safety-import/:record/template: the data sheet with drop-downs, the lists, 说明. */
    async template(user: any, record: unknown): Promise<{ name: string; body: Buffer }> {
      const kind = safetyKind(record);
      await allowed(user, kind);
      const help = [
        kind.title, '',
        `1. 在“${kind.sheet}”表第 2 行起每行填写一条记录；列名不要修改，列的顺序可以调整，多余的列会被忽略。列名前带 * 的为必填项。日期可写作 2025-09-01、2025/9/1 或 20250901。`,
        ...kind.help(),
        `4. 文件中有任何错误时不导入任何一行：可下载错误报告，在“错误说明”列查看每行的问题，改正后上传。最多 ${maxRows()} 行。`,
      ];
      const body = await buildTemplate(await columnsOf(kind, await countyOf(user)), { rows: maxRows(), classes: [], sheet: kind.sheet, help });
      return { name: `${kind.sheet}导入模板.xlsx`, body };
    },

    /** POST /api/…/:record (all rows or none) and POST /api/…/:record/report (the error report). */
    ...allOrNothing(strapi, checked, async (user: any, kind: Kind, value: any) => {
      await assertAllowed(strapi, user, `${kind.uid}.create`);
      await kind.write(strapi, value);
    }),
  };
}
