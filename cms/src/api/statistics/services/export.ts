import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { excel } from '../../../runtime/excel';
import { dictionaries } from '../../../domain/dictionaries';
import { recordExport } from '../../../domain/exports';
import { englishLabelOf, indicatorsConfig, indicatorsOf, type Figures } from '../../../domain/indicators';
import { fieldError } from '../../../utils/validation';
import { TEXT_FORMAT, fitColumns } from '../../../domain/sheet-cells';
import { accessScope } from '../../../domain/request-context';

type Line = { code: string; name: string; figures: Figures };

/**
 * Summary exports (汇总导出): the caller's level and every level below it, down to each
 * kindergarten, as one xlsx — the same figures as the statistics report, the dashboard and the
 * snapshots. Every export is recorded (recordExport).
 */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  /** What the panel's pickers offer: indicators, figures, dimensions, filters (with their code tables), chart types, targets. */
  catalog() {
    const config = indicatorsConfig();
    const options = (dictionary?: string) => (dictionary ? dictionaries()[dictionary] ?? [] : undefined);
    return {
      indicators: Object.entries(config.indicators).map(([key, d]) => ({ key, label: d.label, labelEn: englishLabelOf(key, d.label), unit: d.unit, scale: d.scale ?? 1, target: d.target ?? null, kind: 'ratio' })),
      figures: Object.entries(config.figures).map(([key, d]) => ({ key, label: d.label, labelEn: englishLabelOf(key, d.label), unit: d.unit, kind: 'count' })),
      keyIndicators: config.keyIndicators,
      dimensions: Object.entries(config.dimensions).map(([key, d]) => ({ key, label: d.label, labelEn: englishLabelOf(key, d.label), kind: d.kind })),
      filters: Object.entries(config.filters).map(([key, d]) => ({ key, label: d.label, labelEn: englishLabelOf(key, d.label), kind: d.kind, options: d.kind === 'kindergartenFlag' ? [{ code: 'true', name: '普惠性' }, { code: 'false', name: '非普惠性' }] : options(d.dictionary) })),
      chartTypes: config.chartTypes,
    };
  },

  async record(user: any, kind: string, filters: unknown, rows: number, format = 'xlsx') {
    await recordExport(strapi, { kind, format, filters, rowCount: rows, user });
  },

  async summary(user: any, yearParam?: unknown) {
    const statistics = strapi.service('api::statistics.statistics') as any;
    const where = accessScope(strapi).sqlReach(accessScope(strapi).reachOf(user));
    if (!where) throw new errors.ForbiddenError('超出管辖范围');
    if (yearParam !== undefined && !/^\d{4}$/.test(String(yearParam))) throw fieldError('year', '年份须为 4 位数字');
    const year = yearParam === undefined ? undefined : Number(yearParam);
    const prefix: string = where.prefix ?? '';
    const sheets: { name: string; lines: Line[] }[] = [];
    if (!where.institutionCode) {
      const counties: Map<string, Figures> = await statistics.byCounty(where, year);
      const levels: [string, number][] = [['省级', 2], ['地市级', 4], ['区县级', 6]];
      const own = await statistics.rows(counties, Math.max(prefix.length, 2), where);
      const ownName = prefix.length === 0 ? '全国' : (await statistics.regionNames([prefix.padEnd(6, '0')])).get(prefix.padEnd(6, '0')) ?? prefix;
      sheets.push({ name: '本级汇总', lines: [{ code: prefix.padEnd(6, '0'), name: ownName, figures: own.total.figures }] });
      for (const [name, digits] of levels) {
        if (digits <= prefix.length) continue;
        sheets.push({ name, lines: (await statistics.rows(counties, digits, where)).rows });
      }
    }
    const byKindergarten: Map<string, Figures> = await statistics.figuresBy(where, indicatorsConfig().dimensions.kindergarten, {});
    const names = await (strapi.service('api::statistics.query') as any).labels('kindergarten', [...byKindergarten.keys()]);
    sheets.push({ name: '幼儿园', lines: [...byKindergarten].filter(([code]) => code).sort(([a], [b]) => a.localeCompare(b)).map(([code, figures]) => ({ code, name: names.get(code) ?? code, figures })) });

    const workbook = new (excel().Workbook)();
    workbook.creator = '全国学前教育管理信息系统';
    const config = indicatorsConfig();
    const figureKeys = Object.keys(config.figures).filter((key) => key !== 'population' || !where.institutionCode);
    const indicatorKeys = Object.keys(config.indicators);
    let rows = 0;
    for (const { name, lines } of sheets) {
      const sheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
      sheet.addRow(['代码', '名称', ...figureKeys.map((k) => `${config.figures[k].label}（${config.figures[k].unit}）`), ...indicatorKeys.map((k) => config.indicators[k].label)]).font = { bold: true };
      for (const line of lines) {
        const indicators = indicatorsOf(line.figures);
        const row = sheet.addRow([line.code, line.name, ...figureKeys.map((k) => line.figures[k] ?? 0), ...indicatorKeys.map((k) => indicators[k])]);
        indicatorKeys.forEach((k, i) => { if (config.indicators[k].scale === 100) row.getCell(3 + figureKeys.length + i).numFmt = '0.00%'; });
        rows += 1;
      }
      // region and kindergarten codes are text (every digit kept); widths fit the headings and figures (sheet-cells.ts)
      sheet.getColumn(1).numFmt = TEXT_FORMAT;
      fitColumns(sheet);
    }
    await this.record(user, 'statistics-summary', { reach: prefix || where.institutionCode || 'all', year: year ?? null, sheets: sheets.map((s) => s.name) }, rows);
    const buffer = Buffer.from(await workbook.xlsx.writeBuffer());
    return { buffer, filename: `学前教育统计汇总-${prefix || where.institutionCode || '全国'}.xlsx`, sheets: sheets.map((s) => s.name) };
  },
});
