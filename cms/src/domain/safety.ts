import { readDomainConfig } from '../runtime/paths';
import { addWorkingDays, localDate } from './working-days';

/**
 * The rules of 安全管理 and 玩教具与图书 that need no database (docs/safety-and-resources.md): the
 * checklist, inspection periods (a month for self-inspections, a term for the county's), the
 * rectification deadline in working days, the incident report deadline, the per-child minimums.
 * The data is config/safety.json and config/resources.json.
 */

export type Coded = { code: string; name: string; nameEn: string };
export type ChecklistItem = { key: string; name: string; nameEn: string; severity: string };
export type ChecklistSection = { key: string; name: string; nameEn: string; items: ChecklistItem[] };
export type SafetyConfig = {
  checklist: ChecklistSection[];
  severities: Coded[];
  inspections: Record<'self' | 'county', { name: string; nameEn: string; level: string; every: 'month' | 'term' }>;
  terms: { key: string; name: string; nameEn: string; months: number[] }[];
  rectificationWorkingDays: Record<string, number>;
  incidents: { reportWithinHours: number; types: Coded[]; severities: Coded[] };
};
export type Minimum = { name: string; nameEn: string; unit: string; perChild: number };
export type ResourcesConfig = { books: Minimum; toyCategories: (Minimum & { key: string })[]; countedStatuses: string[] };

let safety: SafetyConfig | undefined;
let resources: ResourcesConfig | undefined;
export const safetyConfig = (): SafetyConfig => (safety ??= readDomainConfig<SafetyConfig>('safety.json'));
export const resourcesConfig = (): ResourcesConfig => (resources ??= readDomainConfig<ResourcesConfig>('resources.json'));

export const INSPECTION_KINDS = ['self', 'county'] as const;
/** The result of a checklist item (the API's `results.<key>`, the import's drop-down). */
export const INSPECTION_RESULTS: Coded[] = [
  { code: 'pass', name: '合格', nameEn: 'Pass' }, { code: 'fail', name: '不合格', nameEn: 'Fail' }, { code: 'na', name: '不适用', nameEn: 'Not applicable' },
];
export type InspectionKind = (typeof INSPECTION_KINDS)[number];

/** Every checklist item by key, with its section. */
export function checklistItems(): Map<string, ChecklistItem & { section: string }> {
  return new Map(safetyConfig().checklist.flatMap((section) => section.items.map((item) => [item.key, { ...item, section: section.key }] as const)));
}

/** The school year of a date: from September, e.g. 2026-10-08 → 2026-2027, 2027-03-01 → 2026-2027. */
export function schoolYearOf(date: string): string {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  const start = month >= 9 ? year : year - 1;
  return `${start}-${start + 1}`;
}

/** The term of a date, by config/safety.json terms: `2026-2027-1`. */
export function termOf(date: string): string {
  const month = Number(date.slice(5, 7));
  const term = safetyConfig().terms.find((t) => t.months.includes(month));
  return `${schoolYearOf(date)}-${term?.key ?? '1'}`;
}

/** The first day of the term of a date (config/safety.json terms): the term's first month, in this or the year before. */
export function termStartOf(date: string): string {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  const first = safetyConfig().terms.find((t) => t.months.includes(month))?.months[0] ?? month;
  return `${first <= month ? year : year - 1}-${String(first).padStart(2, '0')}-01`;
}

/** The period an inspection counts for: its month (self-inspections) or term (county inspections). */
export function periodOf(kind: InspectionKind, date: string): string {
  return safetyConfig().inspections[kind].every === 'month' ? date.slice(0, 7) : termOf(date);
}

/** The rectification deadline of a finding found on `date`: working days by severity. */
export function rectificationDeadline(date: string, severity: string): string {
  return addWorkingDays(date, safetyConfig().rectificationWorkingDays[severity] ?? 15);
}

/** A finding still waiting for the kindergarten past its deadline. */
export function isOverdue(finding: { state?: string; deadline?: string | null }, today = localDate()): boolean {
  return ['open', 'returned'].includes(String(finding.state)) && Boolean(finding.deadline) && String(finding.deadline) < today;
}

/** Whether an incident reported at `reportedAt` was reported later than the deadline after `occurredAt`. */
export function reportedLate(occurredAt: Date, reportedAt: Date): boolean {
  return reportedAt.getTime() - occurredAt.getTime() > safetyConfig().incidents.reportWithinHours * 3600 * 1000;
}

export type Shortfall = { key: string; name: string; unit: string; have: number; required: number; shortfall: number };

/** Required counts (per child, rounded up) against an inventory: books, then each toy category. */
export function shortfallsOf(children: number, books: number, toys: Record<string, unknown> | null | undefined): Shortfall[] {
  const config = resourcesConfig();
  const line = (key: string, minimum: Minimum, have: number): Shortfall => {
    const required = Math.ceil(Math.round(minimum.perChild * children * 1000) / 1000);
    return { key, name: minimum.name, unit: minimum.unit, have, required, shortfall: Math.max(0, required - have) };
  };
  return [
    line('books', config.books, books),
    ...config.toyCategories.map((category) => line(category.key, category, Number(toys?.[category.key] ?? 0) || 0)),
  ];
}

/** What the panel shows of the configuration (GET /api/me facts.safety): names in both languages, nothing it decides itself. */
export function safetyFacts() {
  const { checklist, severities, inspections, incidents, rectificationWorkingDays } = safetyConfig();
  const { books, toyCategories } = resourcesConfig();
  return {
    checklist, severities, rectificationWorkingDays,
    inspectionKinds: Object.entries(inspections).map(([code, i]) => ({ code, name: i.name, nameEn: i.nameEn, level: i.level })),
    incidentTypes: incidents.types, incidentSeverities: incidents.severities, reportWithinHours: incidents.reportWithinHours,
    books, toyCategories,
  };
}
