import type { Core } from '@strapi/strapi';
import { calendar, defaultCalendar } from '../../../domain/working-days';
import { declaredWorkflows } from '../../../domain/workflows';
import { CALENDAR_SETTING, calendarOverlay, loadOverlay, type CalendarEdits } from '../../../domain/config-overlay';
import { recordAudit } from '../../../security/audit';
import { fieldsError } from '../../../utils/validation';

type Actor = { id?: number; username?: string; level?: string; regionCode?: string | null };
type Problem = { field: string; message: string };

const WINDOWS = ['graduation', 'promotion', 'enrollment'] as const;
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const MAX_WORKING_DAYS = 250;

/** "MM-DD" of a real day of the year (02-29 allowed: it exists in leap years). */
export function isMonthDay(value: unknown): value is string {
  const match = typeof value === 'string' ? /^(\d{2})-(\d{2})$/.exec(value) : null;
  if (!match) return false;
  const month = Number(match[1]);
  const day = Number(match[2]);
  return month >= 1 && month <= 12 && day >= 1 && day <= DAYS_IN_MONTH[month - 1];
}

/** "YYYY-MM-DD" of a real date. */
export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

const isDays = (value: unknown) => Number.isInteger(value) && (value as number) >= 1 && (value as number) <= MAX_WORKING_DAYS;

/**
 * Checks an edit of the calendar (all parts optional, each replacing the same part of the edits in
 * force) and returns the edits to store, or throws one 400 naming every bad field.
 */
export function checkCalendarInput(input: Record<string, any>, current: CalendarEdits | null): CalendarEdits {
  const problems: Problem[] = [];
  const next: CalendarEdits = { ...(current ?? {}) };
  if (input.windows !== undefined) {
    if (!input.windows || typeof input.windows !== 'object') problems.push({ field: 'windows', message: '窗口期格式有误' });
    else {
      const windows = { ...(next.windows ?? {}) };
      for (const [kind, window] of Object.entries<any>(input.windows)) {
        if (!(WINDOWS as readonly string[]).includes(kind)) { problems.push({ field: `windows.${kind}`, message: '没有这个窗口期' }); continue; }
        let ok = true;
        for (const end of ['from', 'to']) {
          if (!isMonthDay(window?.[end])) { problems.push({ field: `windows.${kind}.${end}`, message: '日期须为 MM-DD 格式的真实日期，如 07-16' }); ok = false; }
        }
        if (ok && window.from > window.to) { problems.push({ field: `windows.${kind}.to`, message: '结束日期不能早于开始日期' }); ok = false; }
        if (ok) windows[kind] = { from: window.from, to: window.to };
      }
      next.windows = windows;
    }
  }
  if (input.monthlyUpdateDay !== undefined) {
    const day = input.monthlyUpdateDay;
    if (!Number.isInteger(day) || day < 1 || day > 28) problems.push({ field: 'monthlyUpdateDay', message: '每月更新日须为 1–28 的整数' });
    else next.monthlyUpdateDay = day;
  }
  if (input.overrides !== undefined) {
    const lists: Record<string, string[]> = {};
    for (const kind of ['workdays', 'holidays']) {
      const list = input.overrides?.[kind] ?? [];
      if (!Array.isArray(list)) { problems.push({ field: `overrides.${kind}`, message: '须为日期列表' }); continue; }
      list.forEach((date: unknown, index: number) => {
        if (!isIsoDate(date)) problems.push({ field: `overrides.${kind}.${index}`, message: '日期须为 YYYY-MM-DD 格式的真实日期' });
      });
      lists[kind] = [...new Set(list.filter(isIsoDate) as string[])].sort();
    }
    const both = (lists.workdays ?? []).filter((date) => (lists.holidays ?? []).includes(date));
    if (both.length) problems.push({ field: 'overrides.holidays', message: `${both.join('、')} 不能既是工作日又是休息日` });
    next.overrides = { workdays: lists.workdays ?? [], holidays: lists.holidays ?? [] };
  }
  if (input.lifecycleDeadlines !== undefined) {
    const deadlines = { ...defaultCalendar().lifecycleDeadlines, ...(next.lifecycleDeadlines ?? {}) };
    for (const key of ['transferWorkingDays', 'accidentalLeaveWorkingDays'] as const) {
      const value = input.lifecycleDeadlines?.[key];
      if (value === undefined) continue;
      if (!isDays(value)) problems.push({ field: `lifecycleDeadlines.${key}`, message: `期限须为 1–${MAX_WORKING_DAYS} 个工作日` });
      else deadlines[key] = value;
    }
    next.lifecycleDeadlines = deadlines;
  }
  if (input.reviewDeadlines !== undefined) {
    const declared = declaredWorkflows();
    const deadlines = { ...(next.reviewDeadlines ?? {}) };
    for (const [key, value] of Object.entries<any>(input.reviewDeadlines ?? {})) {
      if (!declared[key]) { problems.push({ field: `reviewDeadlines.${key}`, message: '没有这个审核流程' }); continue; }
      if (!isDays(value)) problems.push({ field: `reviewDeadlines.${key}`, message: `审核期限须为 1–${MAX_WORKING_DAYS} 个工作日` });
      else if (value === declared[key].dueWorkingDays) delete deadlines[key];
      else deadlines[key] = value;
    }
    next.reviewDeadlines = deadlines;
  }
  if (problems.length) throw fieldsError(problems);
  return next;
}

/**
 * 校历与期限: the windows of graduation, promotion and enrollment, the monthly update
 * day, review and lifecycle deadlines, working-day overrides. config/calendar.json is the default;
 * the edits are one row (one deployment = one province), read at once by every window and deadline
 * check (cms/src/domain/working-days.ts calendar()), audited with the values before and after.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  view() {
    const current = calendar();
    const base = defaultCalendar();
    const workflows = Object.values(declaredWorkflows()).map((wf) => ({
      key: wf.key, name: wf.name, nameEn: wf.nameEn, reviewer: wf.reviewer,
      defaultDays: wf.dueWorkingDays, dueWorkingDays: current.reviewDeadlines?.[wf.key] ?? wf.dueWorkingDays,
    }));
    const pick = (c: typeof current) => ({ windows: c.windows, monthlyUpdateDay: c.monthlyUpdateDay, overrides: c.overrides, lifecycleDeadlines: c.lifecycleDeadlines });
    return { settings: pick(current), defaults: pick(base), workflows, edited: Boolean(calendarOverlay()) };
  },

  async change(actor: Actor, input: Record<string, any> = {}) {
    if (!input || typeof input !== 'object' || Array.isArray(input)) throw fieldsError([{ field: 'data', message: '请提交要修改的校历设置' }]);
    await loadOverlay(strapi);
    const before = calendarOverlay();
    const next = checkCalendarInput(input, before);
    await strapi.db.transaction(async () => {
      const row = await strapi.db.query(CALENDAR_SETTING as any).findOne({ where: { scope: 'deployment' } });
      const data = { settings: next, regionCode: actor.regionCode ?? null, changedBy: actor.username ?? null };
      if (row) await strapi.db.query(CALENDAR_SETTING as any).update({ where: { id: row.id }, data });
      else await strapi.db.query(CALENDAR_SETTING as any).create({ data: { scope: 'deployment', ...data } });
      await recordAudit(strapi, { action: 'calendar.change', targetType: CALENDAR_SETTING, targetId: 'deployment', details: { before, after: next } });
    });
    await loadOverlay(strapi);
    return this.view();
  },
});
