import { safetyConfig } from '../../../domain/safety';
import type { Core } from '@strapi/strapi';
import type ExcelJS from 'exceljs';
import { excel } from '../../../runtime/excel';
import { dictionaries, entry, yesNoName } from '../../../domain/dictionaries';
import {
  addFigures, emptyFigures, englishLabelOf, indicatorsConfig, labelOf, sourcesOf, unitOf, validateQuery, valueOf, type Figures, type Query,
} from '../../../domain/indicators';
import type { Where } from './statistics';
import { accessScope, type Reach } from '../../../domain/request-context';
import { customDimension } from '../../../domain/custom-fields';
import { TEXT_FORMAT, fitColumns } from '../../../domain/sheet-cells';
import { isTaskName, runTaskQuery } from '../../../domain/task-statistics';
import { currentExchangeSettings } from '../../../exchange';
import { nationalGroups } from '../../../exchange/national';

export type QueryRow = { key: string; label: string; value: number | null; numerator?: number; denominator?: number };
export type QueryResult = {
  indicator: { key: string; label: string; labelEn?: string; unit: string; scale: number; target: { op: string; value: number } | null };
  dimension: { key: string; label: string; labelEn?: string };
  filters: Record<string, string>;
  rows: QueryRow[];
  total: QueryRow | null;
};

const statistics = (strapi: Core.Strapi) => strapi.service('api::statistics.statistics') as any;

/**
 * The generic, safe statistics query: indicator × dimension × filters, every name whitelisted in
 * config/indicators.json (validateQuery), every figure inside the caller's reach. Dashboards, chart
 * pages, their xlsx downloads and the trends all answer through here, from the same SQL as the
 * statistics report and the monthly snapshots.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  /**
   * The reach narrowed by a region filter: the narrower of the two prefixes, or null when they
   * do not overlap (then nothing is answered: no figure outside the reach).
   */
  whereOf(reach: Reach, region?: string): Where | null {
    return accessScope(strapi).sqlReachWithin(reach, region);
  },

  async run(reach: Reach, input: unknown): Promise<QueryResult> {
    // a collection task's figures (task:<task>:<field>): their own whitelist, from the task's form (domain/task-statistics.ts)
    if (isTaskName((input as any)?.indicator)) return (await runTaskQuery(strapi, reach, input)) as QueryResult;
    // a child custom field as the dimension (`custom:<key>`): checked like the child field 性别 (same source)
    const custom = await customDimension(strapi, (input as any)?.dimension, reach as any);
    const query = validateQuery(custom ? { ...(input as object), dimension: 'sex' } : input);
    if (custom) query.dimension = (input as any).dimension;
    const config = indicatorsConfig();
    const definition = config.indicators[query.indicator];
    const dimension = custom ? (custom.dimension as any) : config.dimensions[query.dimension];
    const result: QueryResult = {
      indicator: { key: query.indicator, label: labelOf(query.indicator), labelEn: englishLabelOf(query.indicator), unit: unitOf(query.indicator), scale: definition?.scale ?? 1, target: definition?.target ?? null },
      dimension: { key: query.dimension, label: dimension.label, labelEn: englishLabelOf(query.dimension, dimension.label) },
      filters: query.filters,
      rows: [],
      total: null,
    };
    const where = this.whereOf(reach, query.filters.region);
    if (!where) return result;
    const { region, year, from, to, ...sqlFilters } = query.filters;
    const groups: [string, string, Figures][] = [];
    if (currentExchangeSettings().role === 'national') {
      // the national deployment holds no kindergarten: its figures are the provinces' signed packages
      groups.push(...(await nationalGroups(strapi, where.institutionCode ? '-' : where.prefix ?? '', dimension, query.filters)));
    } else if (dimension.kind === 'snapshot') {
      groups.push(...(await this.byMonth(where, from, to)));
    } else {
      // a region breakdown without filters is the dashboards' drill-down: served from the cached county figures
      const cached = dimension.kind === 'region' && !where.institutionCode && !year && Object.keys(sqlFilters).length === 0;
      const figures: Map<string, Figures> = cached
        ? new Map([...(await statistics(strapi).cachedCounties() as Map<string, Figures>)].filter(([code]) => accessScope(strapi).sqlIncludesCounty(where, code)))
        : await statistics(strapi).figuresBy(where, dimension, sqlFilters, year ? Number(year) : undefined, custom ? sourcesOf(query.indicator) : this.sourcesFor(query));
      if (dimension.kind === 'region') {
        const rolled: Map<string, Figures> = statistics(strapi).rollUp(figures, dimension.digits ?? 6);
        const names: Map<string, string> = await statistics(strapi).regionNames([...rolled.keys()]);
        for (const [code, f] of [...rolled].sort(([a], [b]) => a.localeCompare(b))) groups.push([code, names.get(code) ?? code, f]);
      } else {
        const labels = custom ? custom.labels : await this.labels(query.dimension, [...figures.keys()]);
        for (const [key, f] of [...figures].sort(([a], [b]) => a.localeCompare(b))) groups.push([key, labels.get(key) ?? (key || '未填写'), f]);
      }
    }
    result.rows = groups.map(([key, label, f]) => this.row(query, key, label, f));
    if (dimension.kind !== 'snapshot') result.total = this.row(query, 'total', '合计', groups.reduce((sum, [, , f]) => addFigures(sum, f), emptyFigures()));
    return result;
  },

  /** The tables a query reads: its indicator's, and the kindergartens for a breakdown by region or kindergarten (so those without children still show, as 0). */
  sourcesFor(query: Query) {
    const sources = sourcesOf(query.indicator);
    const kind = indicatorsConfig().dimensions[query.dimension].kind;
    const filtered = Object.keys(query.filters).some((name) => !['region', 'year', 'period'].includes(indicatorsConfig().filters[name]?.kind));
    if (['region', 'kindergarten'].includes(kind) && !filtered && !sources.includes('kindergartens')) sources.push('kindergartens');
    return sources;
  },

  row(query: Query, key: string, label: string, figures: Figures): QueryRow {
    const definition = indicatorsConfig().indicators[query.indicator];
    const row: QueryRow = { key, label, value: valueOf(query.indicator, figures) };
    if (definition) {
      row.numerator = figures[definition.numerator!] ?? 0;
      row.denominator = figures[definition.denominator!] ?? 0;
    }
    return row;
  },

  /** Labels of the groups of a non-region dimension: kindergarten names, or the code tables' names. */
  async labels(dimensionKey: string, keys: string[]): Promise<Map<string, string>> {
    const dimension = indicatorsConfig().dimensions[dimensionKey];
    if (dimension.kind === 'kindergarten') {
      const rows = keys.length ? await strapi.db.connection(statistics(strapi).table('kindergartens')).whereIn('code', keys.filter(Boolean)).select('code', 'name') : [];
      return new Map(rows.map((r: any) => [r.code, r.name]));
    }
    if (dimension.kind === 'schoolClass') {
      const ids = keys.filter(Boolean);
      const rows = ids.length ? await strapi.db.query('api::school-class.school-class').findMany({ where: { documentId: { $in: ids } }, select: ['documentId', 'name', 'schoolYear'], populate: { kindergarten: { select: ['name'] } } }) : [];
      return new Map(rows.map((r: any) => [r.documentId, `${r.kindergarten?.name ?? ''} ${r.name}（${r.schoolYear ?? ''}）`.trim()]));
    }
    if (dimension.kind === 'kindergartenFlag') return new Map([['1', '普惠性幼儿园'], ['0', '非普惠性幼儿园']]);
    // incidents by type or severity: named by config/safety.json
    if (dimension.kind === 'incidentField') {
      const { types, severities } = safetyConfig().incidents;
      return new Map((dimension.column === 'severity' ? severities : types).map((entry) => [entry.code, entry.name]));
    }
    return new Map((dictionaries()[dimension.dictionary ?? ''] ?? []).map((entry) => [entry.code, entry.name]));
  },

  /**
   * Month by month from the monthly snapshots (月度存档): the row of the reach in each saved
   * period between `from` and `to` (default: the last 12 saved). Ministry: the nation; a region:
   * its own row. Kindergartens have no row in a snapshot.
   */
  async byMonth(where: Where, from?: string, to?: string): Promise<[string, string, Figures][]> {
    if (where.institutionCode) return [];
    const filters: any = { state: 'done' };
    if (from || to) filters.period = { ...(from ? { $gte: from } : {}), ...(to ? { $lte: to } : {}) };
    let snapshots = await strapi.db.query('plugin::archive-snapshot.snapshot').findMany({ where: filters, select: ['period', 'summary'], orderBy: { period: 'asc' } });
    if (!from && !to) snapshots = snapshots.slice(-12);
    const prefix = where.prefix ?? '';
    const list = prefix.length === 0 ? null : prefix.length <= 2 ? 'provinces' : prefix.length <= 4 ? 'prefectures' : 'counties';
    const code = prefix.padEnd(6, '0');
    return snapshots.map((snapshot: any) => {
      const summary = snapshot.summary ?? {};
      const row = list ? (summary[list] ?? []).find((r: any) => r.code === code) : summary.nation;
      return [snapshot.period, snapshot.period, { ...emptyFigures(), ...(row?.figures ?? {}) }] as [string, string, Figures];
    });
  },

  /** A query's numbers as an xlsx sheet: title, filters, then one row per group with the value, numerator and denominator. */
  async toXlsx(results: { title: string; result: QueryResult }[]): Promise<Buffer> {
    const workbook = new (excel().Workbook)();
    workbook.creator = '全国学前教育管理信息系统';
    const used = new Set<string>();
    for (const { title, result } of results) {
      let name = (title || result.indicator.label).replace(/[\\/?*[\]:]/g, ' ').slice(0, 28) || '图表';
      for (let n = 2; used.has(name); n += 1) name = `${name.slice(0, 25)}(${n})`;
      used.add(name);
      this.addSheet(workbook, name, title, result);
    }
    return Buffer.from(await workbook.xlsx.writeBuffer());
  },

  addSheet(workbook: ExcelJS.Workbook, name: string, title: string, result: QueryResult) {
    const config = indicatorsConfig();
    const sheet = workbook.addWorksheet(name);
    sheet.addRow([title || result.indicator.label]).font = { bold: true, size: 14 };
    // filter values by name (大班, 是), as the panel shows them (config/vocabulary.json, config/dictionaries.json)
    const named = (key: string, value: string) => {
      const filter = config.filters[key] as { kind?: string; dictionary?: string } | undefined;
      if (filter?.kind === 'kindergartenFlag') return yesNoName(value);
      return filter?.dictionary ? entry(filter.dictionary, value)?.name ?? value : value;
    };
    const filters = Object.entries(result.filters).map(([key, value]) => `${config.filters[key]?.label ?? key}：${named(key, String(value))}`).join('；');
    sheet.addRow([`指标：${result.indicator.label}（${result.indicator.unit}）　维度：${result.dimension.label}${filters ? `　筛选：${filters}` : ''}`]);
    const definition = config.indicators[result.indicator.key];
    const heading = [result.dimension.label, '代码', `${result.indicator.label}${definition?.scale === 100 ? '（比例）' : `（${result.indicator.unit}）`}`];
    if (definition) heading.push(labelOf(definition.numerator!), labelOf(definition.denominator!));
    sheet.addRow(heading).font = { bold: true };
    const rows = result.total ? [...result.rows, result.total] : result.rows;
    for (const row of rows) {
      const line: (string | number | null)[] = [row.label, row.key === 'total' ? '' : row.key, row.value];
      if (definition) line.push(row.numerator ?? 0, row.denominator ?? 0);
      const added = sheet.addRow(line);
      if (definition?.scale === 100) added.getCell(3).numFmt = '0.00%';
    }
    // codes are text (every digit kept); widths fit the table below the title lines (sheet-cells.ts)
    sheet.getColumn(2).numFmt = TEXT_FORMAT;
    fitColumns(sheet, { fromRow: 3 });
  },
});
