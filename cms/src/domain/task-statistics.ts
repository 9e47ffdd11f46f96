/**
 * A collection task (专项填报, docs/collection-tasks.md) as a data source of the statistics query
 * (`POST /api/statistics/query`, the analysts' chart pages): its number fields and its repeating
 * tables' number columns summed, its submissions and table rows counted, grouped by region or by
 * one of its yes/no or code fields (or a table's column). Every name is looked up in the task's
 * published form (the whitelist), every figure is grouped in SQL (`customFieldSql`; a table's rows
 * through `json_each` on SQLite, `jsonb_array_elements` on PostgreSQL), only approved submissions
 * count (a task without county review approves on submit), and the caller's reach applies as for
 * every statistic (the access scope's `sqlReachWithin` and `whereSql`).
 *
 * Names: indicator `task:<task>:submissions` (填报数), `task:<task>:<number field>`,
 * `task:<task>:<table>` (行数), `task:<task>:<table>.<number column>`; dimension a region dimension of
 * config/indicators.json or `task:<task>:<field>` / `task:<task>:<table>.<column>` (yes/no, code).
 */
import type { Core } from '@strapi/strapi';
import { assertSafeKey, customFieldSql } from './custom-fields';
import { fieldsOf, type FormField, type TaskForm } from './collection-forms';
import { entry, yesNoName } from './dictionaries';
import { indicatorsConfig } from './indicators';
import { accessScope, type Reach } from './request-context';
import { qualifiedTable } from '../runtime/tables';
import { fieldError } from '../utils/validation';

const TASK = 'api::collection-task.collection-task';
const NAME = /^task:([a-z0-9]{1,40}):([a-z][a-z0-9_]{0,39})(?:\.([a-z][a-z0-9_]{0,39}))?$/;
const CODED = ['boolean', 'choice'];

type Part = { key: string; label: string; unit: string; table: FormField | null; field: FormField | null; count: boolean };
type TaskSource = {
  id: string;
  title: string;
  taskVersion: number;
  state: string;
  indicators: { key: string; label: string; unit: string }[];
  dimensions: { key: string; label: string; kind: string }[];
};

export const isTaskName = (name: unknown): boolean => typeof name === 'string' && name.startsWith('task:');

const regionDimensions = () => Object.entries(indicatorsConfig().dimensions)
  .filter(([, d]) => d.kind === 'region')
  .map(([key, d]) => ({ key, label: d.label, digits: (d as any).digits ?? 6 }));

/** The indicators and dimensions a task's form offers (its whitelist). */
function partsOf(task: { documentId: string; title: string; form: TaskForm }) {
  const base = `task:${task.documentId}:`;
  const indicators: Part[] = [{ key: `${base}submissions`, label: '已通过的填报', unit: '份', table: null, field: null, count: true }];
  const dimensions: Part[] = [];
  for (const field of fieldsOf(task.form)) {
    if (field.type === 'number') indicators.push({ key: `${base}${field.key}`, label: `${field.label}（合计）`, unit: '数值', table: null, field, count: false });
    if (CODED.includes(field.type)) dimensions.push({ key: `${base}${field.key}`, label: field.label, unit: '', table: null, field, count: false });
    if (field.type !== 'table') continue;
    indicators.push({ key: `${base}${field.key}`, label: `${field.label}（行数）`, unit: '行', table: field, field: null, count: true });
    for (const column of field.columns ?? []) {
      if (column.type === 'number') indicators.push({ key: `${base}${field.key}.${column.key}`, label: `${field.label}·${column.label}（合计）`, unit: '数值', table: field, field: column, count: false });
      if (CODED.includes(column.type)) dimensions.push({ key: `${base}${field.key}.${column.key}`, label: `${field.label}·${column.label}`, unit: '', table: field, field: column, count: false });
    }
  }
  return { indicators, dimensions };
}

/** A chart page's chart naming a task: its names' shape only (the task is looked up when the chart is drawn). */
export function checkTaskChart(chart: any): { indicator: string; dimension: string; filters: Record<string, string> } {
  const indicator = String(chart?.indicator ?? '');
  const dimension = String(chart?.dimension ?? '');
  const task = indicator.match(NAME);
  if (!task) throw fieldError('indicator', `未知的指标：${indicator || '（空）'}`);
  const byTask = dimension.match(NAME);
  if (!(byTask ? byTask[1] === task[1] : regionDimensions().some((d) => d.key === dimension))) throw fieldError('dimension', `专项填报的指标只能按区域或同一任务的是/否、代码表字段分组`);
  return { indicator, dimension, filters: regionFilter(chart?.filters) };
}

/** A task's figures take one filter, the region (2, 4 or 6 digits). */
function regionFilter(raw: any): Record<string, string> {
  const filters: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw && typeof raw === 'object' ? raw : {})) {
    if (value === undefined || value === null || value === '') continue;
    if (name !== 'region') throw fieldError(`filters.${name}`, '专项填报的指标只能按区域筛选');
    if (!/^\d{2}(\d{2}){0,2}$/.test(String(value))) throw fieldError('filters.region', '区域代码须为 2、4 或 6 位数字');
    filters.region = String(value);
  }
  return filters;
}

/**
 * The published and closed tasks the caller may read (the access scope: its own region's and
 * above, and those with a submission in its reach), newest first, each with its indicators and
 * dimensions: what the chart-page editor offers.
 */
export async function taskSources(strapi: Core.Strapi, reach: Reach): Promise<TaskSource[]> {
  if (reach.kind === 'none') return [];
  const fields = ['documentId', 'title', 'taskVersion', 'state', 'form'];
  const filters = { state: { $in: ['published', 'closed'] } };
  const own: any[] = await strapi.documents(TASK as any).findMany({ filters, fields, sort: ['id:desc'], limit: 50 } as any);
  // the tasks of others with a submission in the reach (a county of a province's task): distinct, in SQL
  const scope = accessScope(strapi);
  const through = scope.whereSql(strapi.db.connection(qualifiedTable(strapi, 'task_submissions')).distinct('task_id').orderBy('task_id', 'desc').limit(200), reach, { county: 'county_code', institution: 'institution_code' });
  const others = (await through).map((s: any) => String(s.task_id)).filter((id: string) => !own.some((t) => t.documentId === id));
  const more: any[] = others.length ? await strapi.db.query(TASK as any).findMany({ where: { documentId: { $in: others.slice(0, 50) }, ...filters }, select: fields, orderBy: { id: 'desc' } }) : [];
  return [...own, ...more].map((task) => {
    const { indicators, dimensions } = partsOf(task);
    return {
      id: task.documentId, title: task.title, taskVersion: task.taskVersion, state: task.state,
      indicators: indicators.map(({ key, label, unit }) => ({ key, label, unit })),
      dimensions: [
        ...regionDimensions().map(({ key, label }) => ({ key, label, kind: 'region' })),
        ...dimensions.map(({ key, label }) => ({ key, label, kind: 'task' })),
      ],
    };
  });
}

/** The statistics query of a task's figure, in the query service's answer shape. */
export async function runTaskQuery(strapi: Core.Strapi, reach: Reach, input: any) {
  const checked = checkTaskChart(input);
  const taskId = checked.indicator.match(NAME)![1];
  const task: any = await strapi.service('api::collection-task.collection-task').readable(taskId).catch(() => null);
  if (!task || !['published', 'closed'].includes(task.state)) throw fieldError('indicator', '没有这个已发布的填报任务，或不在管辖范围内');
  const { indicators, dimensions } = partsOf(task);
  const indicator = indicators.find((i) => i.key === checked.indicator);
  if (!indicator) throw fieldError('indicator', `填报任务「${task.title}」没有可统计的字段：${checked.indicator}`);
  const region = regionDimensions().find((d) => d.key === checked.dimension);
  const dimension = region ? null : dimensions.find((d) => d.key === checked.dimension);
  if (!region && !dimension) throw fieldError('dimension', `填报任务「${task.title}」没有可分组的字段：${checked.dimension}`);
  const table = indicator.table ?? dimension?.table ?? null;
  if (dimension?.table && indicator.table?.key !== dimension.table.key) throw fieldError('dimension', `按「${dimension.label}」分组只能统计同一表格的行数或列合计`);

  const result = {
    indicator: { key: indicator.key, label: `${task.title}·${indicator.label}`, unit: indicator.unit, scale: 1, target: null },
    dimension: { key: checked.dimension, label: region ? region.label : dimension!.label },
    filters: checked.filters,
    rows: [] as { key: string; label: string; value: number | null }[],
    total: null as { key: string; label: string; value: number | null } | null,
  };
  const scope = accessScope(strapi);
  const where = scope.sqlReachWithin(reach, checked.filters.region);
  if (!where) return result;

  const client = strapi.db.dialect.client;
  const knex = strapi.db.connection;
  const q = knex({ s: qualifiedTable(strapi, 'task_submissions') }).where('s.task_id', task.documentId).where('s.state', 'approved');
  scope.whereSql(q, where, { county: 's.county_code', institution: 's.institution_code' });
  if (table) {
    // one row per table row of each submission (the table's key comes from the form, checked again before it is inlined)
    assertSafeKey(table.key);
    if (client === 'postgres') q.joinRaw(`CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(s.answers -> '${table.key}') = 'array' THEN s.answers -> '${table.key}' ELSE '[]'::jsonb END) AS r(value)`);
    else q.joinRaw(`CROSS JOIN json_each(CASE WHEN json_type(s.answers, '$.${table.key}') = 'array' THEN json_extract(s.answers, '$.${table.key}') ELSE '[]' END) AS r`);
  }
  const valueSql = (field: FormField, inTable: boolean) => customFieldSql(client, inTable ? 'r.value' : 's.answers', field.key);
  const group = region ? `SUBSTR(s.county_code, 1, ${Number(region.digits)})` : valueSql(dimension!.field!, Boolean(dimension!.table));
  const measured = indicator.field ? valueSql(indicator.field, Boolean(indicator.table)) : null;
  const numeric = measured ? (client === 'postgres' ? `CAST(${measured} AS NUMERIC)` : `CAST(${measured} AS REAL)`) : null;
  const rows: any[] = await q
    .select(knex.raw(`${group} AS k`))
    .select(knex.raw(numeric ? `SUM(${numeric}) AS v` : 'COUNT(*) AS v'))
    .groupByRaw(group)
    .orderByRaw('1');

  const keys = rows.map((r) => (r.k === null || r.k === undefined ? '' : region ? String(r.k).padEnd(6, '0') : String(r.k)));
  const names: Map<string, string> = region ? await strapi.service('api::collection-task.collection-task').regionNames(keys) : new Map();
  const labelOf = (key: string) => {
    if (key === '') return '未填写';
    if (region) return names.get(key) ?? key;
    const field = dimension!.field!;
    if (field.type === 'boolean') return yesNoName(key === 'true' || key === '1');
    return entry(field.codeTable ?? '', key)?.name ?? key;
  };
  result.rows = rows.map((r, i) => ({ key: keys[i], label: labelOf(keys[i]), value: r.v === null ? null : Number(r.v) }));
  result.total = { key: 'total', label: '合计', value: result.rows.reduce((sum, r) => sum + (r.value ?? 0), 0) };
  return result;
}
