import { ownerLevelOf } from './project-rules';

/**
 * Project-fund roll-ups (项目汇总), the one rule for them: the database sums projects per region code
 * and type (`RollupBase`, one SQL GROUP BY), and these rows are grouped here by owning level or by
 * region prefix. `GET /api/project-rollup` groups the live rows; the monthly snapshot saves the rows
 * of its month and groups the saved ones, inside the reader's reach, when read.
 */
export const ROLLUP_GROUPS = { level: 0, province: 2, prefecture: 4, county: 6 } as const;
export type RollupGroup = keyof typeof ROLLUP_GROUPS;

/** Sums of the projects of one region code and type (amounts in 万元). */
export type RollupBase = {
  regionCode: string; type: string; projects: number; budget: number; allocated: number; spent: number;
  /** projects whose spending is above their allocation */
  overspent: number;
  /** projects whose latest monthly progress report (up to the month asked) was filed late */
  lateReports: number;
};
export type Sums = {
  projects: number; budget: number; allocated: number; spent: number; overspent: number; lateReports: number;
  byType: Record<string, { allocated: number; spent: number }>;
};
export type Rollup = { rows: (Sums & { code: string; name: string })[]; total: Sums & { code: string; name: string } };

export const LEVEL_NAMES: Record<string, string> = { province: '省级', prefecture: '地市级', county: '县级' };
const LEVEL_ORDER = ['province', 'prefecture', 'county'];

export const money = (value: unknown) => Math.round(Number(value ?? 0) * 100) / 100;
const empty = (): Sums => ({ projects: 0, budget: 0, allocated: 0, spent: 0, overspent: 0, lateReports: 0, byType: {} });

/** The group of a project's region code: its owning level, or its province/prefecture/county code. */
export function groupKey(regionCode: string, groupBy: RollupGroup): string {
  return groupBy === 'level' ? ownerLevelOf(regionCode) : String(regionCode).slice(0, ROLLUP_GROUPS[groupBy]).padEnd(6, '0');
}

/** A row of the database's GROUP BY (region_code, type) as numbers. */
export function baseRow(r: any): RollupBase {
  return {
    regionCode: String(r.region_code ?? r.regionCode), type: String(r.type), projects: Number(r.n ?? r.projects ?? 0),
    budget: money(r.budget), allocated: money(r.allocated), spent: money(r.spent),
    overspent: Number(r.overspent ?? 0), lateReports: Number(r.late_reports ?? r.lateReports ?? 0),
  };
}

/** Groups base rows by level or region; `names` names region codes; the total is labelled with `totalCode`. */
export function groupRollup(base: RollupBase[], groupBy: RollupGroup, names: Map<string, string> | Record<string, string>, totalCode = ''): Rollup {
  const nameOf = (code: string) => LEVEL_NAMES[code] ?? (names instanceof Map ? names.get(code) : names[code]) ?? code;
  const grouped = new Map<string, Sums>();
  const total = empty();
  for (const r of base) {
    const key = groupKey(r.regionCode, groupBy);
    const sums = grouped.get(key) ?? empty();
    grouped.set(key, sums);
    for (const s of [sums, total]) {
      s.projects += r.projects;
      s.budget = money(s.budget + r.budget);
      s.allocated = money(s.allocated + r.allocated);
      s.spent = money(s.spent + r.spent);
      s.overspent += r.overspent;
      s.lateReports += r.lateReports;
      const t = (s.byType[r.type] ??= { allocated: 0, spent: 0 });
      t.allocated = money(t.allocated + r.allocated);
      t.spent = money(t.spent + r.spent);
    }
  }
  return {
    rows: [...grouped.entries()]
      .sort(([a], [b]) => (groupBy === 'level' ? LEVEL_ORDER.indexOf(a) - LEVEL_ORDER.indexOf(b) : a.localeCompare(b)))
      .map(([code, sums]) => ({ code, name: nameOf(code), ...sums })),
    total: { code: totalCode, name: '合计', ...total },
  };
}

/** The region codes a grouping by region needs names for. */
export function regionGroupCodes(base: RollupBase[]): string[] {
  const codes = new Set<string>();
  for (const r of base) for (const g of ['province', 'prefecture', 'county'] as const) codes.add(groupKey(r.regionCode, g));
  return [...codes];
}
