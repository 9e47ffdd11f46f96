import { readDomainConfig } from '../runtime/paths';
import { dictionaries } from './dictionaries';
import { errors } from '@strapi/utils';
import { checkedKey, fieldError } from '../utils/validation';

/** A 400 on a filter: its path is ['filters', name], as Strapi's own validation reports nested fields. */
function filterError(name: string, message: string) {
  return new errors.ValidationError(message, { errors: [{ path: ['filters', name], message, name: 'ValidationError' }] });
}

/**
 * The indicators, dimensions and filters of config/indicators.json, and the formulas (docs/domain.md §7).
 * The statistics query service accepts only names found here: nothing from a client reaches SQL.
 */
export type Source = 'kindergartens' | 'classes' | 'children' | 'population' | 'staff' | 'health' | 'safety' | 'incidents';
export type FigureDefinition = { label: string; unit: string; source: Source };
export type IndicatorDefinition = {
  label: string; unit: string; scale?: number; numerator?: string; denominator?: string;
  target?: { op: '>=' | '<='; value: number };
};
export type DimensionKind = 'region' | 'kindergarten' | 'schoolClass' | 'kindergartenField' | 'kindergartenFlag' | 'classField' | 'childField' | 'snapshot' | 'childCustom' | 'incidentField';
export type DimensionDefinition = { label: string; kind: DimensionKind; digits?: number; column?: string; dictionary?: string; sources: Source[] };
export type FilterDefinition = { label: string; kind: DimensionKind | 'year' | 'period'; column?: string; dictionary?: string };
export type IndicatorsConfig = {
  figures: Record<string, FigureDefinition>;
  indicators: Record<string, IndicatorDefinition>;
  keyIndicators: string[];
  /** Cards of the dashboards by group (卫生保健, 安全管理): indicators or figures. */
  dashboardCards?: Record<string, string[]>;
  /** English names of figures, indicators, dimensions and filters (the panel in English mode). */
  labelsEn?: Record<string, string>;
  dimensions: Record<string, DimensionDefinition>;
  filters: Record<string, FilterDefinition>;
  staff: { table: string; fullTimeTeacherPost: string; activeStatus: string };
  chartTypes: string[];
  dashboardCacheSeconds: number;
  dashboardSyncRefreshMs: number;
  /** the largest share of an instance's time spent computing slow dashboard figures (config/indicators.json) */
  dashboardComputeShare?: number;
};

let cached: IndicatorsConfig | undefined;
export function indicatorsConfig(): IndicatorsConfig {
  if (!cached) cached = readDomainConfig<IndicatorsConfig>('indicators.json');
  return cached;
}

export type Figures = Record<string, number>;

export function emptyFigures(): Figures {
  return Object.fromEntries(Object.keys(indicatorsConfig().figures).map((key) => [key, 0]));
}

export function addFigures(a: Figures, b: Figures): Figures {
  // the keys of both, a's first (a dashboard sums every county's figures: no Set, no spread arrays)
  const sum: Figures = {};
  for (const key in a) sum[key] = (a[key] ?? 0) + (b[key] ?? 0);
  for (const key in b) if (!(key in sum)) sum[key] = b[key] ?? 0;
  return sum;
}

export const ratio = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 10000) / 10000 : null);

/** Every ratio indicator from summed figures: numerator ÷ denominator, null when the denominator is 0 (no population, no teachers...). */
export function indicatorsOf(figures: Figures): Record<string, number | null> {
  return Object.fromEntries(Object.entries(indicatorsConfig().indicators).map(([key, definition]) => [
    key, ratio(figures[definition.numerator!] ?? 0, figures[definition.denominator!] ?? 0),
  ]));
}

/** One indicator or figure of summed figures. */
export function valueOf(name: string, figures: Figures): number | null {
  const { indicators } = indicatorsConfig();
  if (indicators[name]) return ratio(figures[indicators[name].numerator!] ?? 0, figures[indicators[name].denominator!] ?? 0);
  return figures[name] ?? 0;
}

/** Whether a value meets its indicator's target (null: no target or no value). */
export function meetsTarget(name: string, value: number | null): boolean | null {
  const target = indicatorsConfig().indicators[name]?.target;
  if (!target || value === null) return null;
  return target.op === '>=' ? value >= target.value : value <= target.value;
}

/** The tables a figure or indicator is computed from. */
export function sourcesOf(name: string): Source[] {
  const { figures, indicators } = indicatorsConfig();
  if (figures[name]) return [figures[name].source];
  const definition = indicators[name];
  return [...new Set([figures[definition.numerator!].source, figures[definition.denominator!].source])];
}

export type Query = { indicator: string; dimension: string; filters: Record<string, string> };

/** Which filter kinds a source can honour. */
const FILTERABLE: Record<Source, string[]> = {
  kindergartens: ['region', 'kindergartenField', 'kindergartenFlag'],
  classes: ['region', 'kindergartenField', 'kindergartenFlag', 'classField'],
  children: ['region', 'kindergartenField', 'kindergartenFlag', 'classField', 'childField'],
  health: ['region', 'kindergartenField', 'kindergartenFlag', 'classField', 'childField'],
  staff: ['region', 'kindergartenField', 'kindergartenFlag'],
  population: ['region'],
  safety: ['region', 'kindergartenField', 'kindergartenFlag'],
  incidents: ['region', 'kindergartenField', 'kindergartenFlag'],
};

/**
 * Checks a query against the whitelists: the indicator, the dimension, each filter and its value.
 * Bad input → 400 naming the field (`indicator`, `dimension`, `filters.<name>`), in Chinese.
 */
export function validateQuery(input: any): Query {
  const config = indicatorsConfig();
  const indicator = checkedKey(String(input?.indicator ?? ''), 'indicator');
  if (!config.indicators[indicator] && !config.figures[indicator]) throw fieldError('indicator', `未知的指标：${indicator || '（空）'}`);
  const dimension = checkedKey(String(input?.dimension ?? ''), 'dimension');
  const dim = config.dimensions[dimension];
  if (!dim) throw fieldError('dimension', `未知的维度：${dimension || '（空）'}`);
  const sources = sourcesOf(indicator);
  const missing = sources.filter((source) => !dim.sources.includes(source));
  if (missing.length) throw fieldError('dimension', `指标“${labelOf(indicator)}”不能按“${dim.label}”分组`);
  const raw = input?.filters && typeof input.filters === 'object' ? input.filters : {};
  const filters: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    checkedKey(name, 'filters');
    if (value === undefined || value === null || value === '') continue;
    const definition = config.filters[name];
    if (!definition) throw filterError(name, `未知的筛选条件：${name}`);
    const text = String(value);
    if (definition.kind === 'region' && !/^\d{2}(\d{2}){0,2}$/.test(text)) throw filterError(name, '区域代码须为 2、4 或 6 位数字');
    if (definition.kind === 'year' && !/^\d{4}$/.test(text)) throw filterError(name, '年份须为 4 位数字');
    if (definition.kind === 'period' && !/^\d{4}-(0[1-9]|1[0-2])$/.test(text)) throw filterError(name, '月份格式须为 YYYY-MM');
    if (definition.kind === 'kindergartenFlag' && !['true', 'false'].includes(text)) throw filterError(name, '须为 true 或 false');
    if (definition.dictionary && !dictionaries()[definition.dictionary]?.some((entry) => entry.code === text)) throw filterError(name, `“${text}”不是${definition.label}的代码`);
    if (!['region', 'year', 'period'].includes(definition.kind)) {
      if (dim.kind === 'snapshot') throw filterError(name, `按月份（月度存档）分析时不能按“${definition.label}”筛选`);
      const unable = sources.filter((source) => !FILTERABLE[source].includes(definition.kind));
      if (unable.length) throw filterError(name, `指标“${labelOf(indicator)}”不能按“${definition.label}”筛选`);
    }
    filters[name] = text;
  }
  if (filters.from && filters.to && filters.from > filters.to) throw filterError('to', '截止月份不能早于起始月份');
  return { indicator, dimension, filters };
}

export function labelOf(name: string): string {
  const { figures, indicators } = indicatorsConfig();
  return indicators[name]?.label ?? figures[name]?.label ?? name;
}

/** The English name of a figure, indicator, dimension or filter; its Chinese label when it has none. */
export function englishLabelOf(name: string, chinese?: string): string {
  const config = indicatorsConfig();
  return config.labelsEn?.[name] ?? chinese ?? config.dimensions[name]?.label ?? config.filters[name]?.label ?? labelOf(name);
}

export function unitOf(name: string): string {
  const { figures, indicators } = indicatorsConfig();
  return indicators[name]?.unit ?? figures[name]?.unit ?? '';
}
