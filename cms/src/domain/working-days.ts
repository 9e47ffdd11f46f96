import { isWorkday } from 'chinese-days';
import { readDomainConfig } from '../runtime/paths';
import { calendarOverlay, overlayVersion } from './config-overlay';

export type CalendarWindow = { from: string; to: string };
export type Calendar = {
  timeZone: string;
  monthlyUpdateDay: number;
  overrides: { workdays: string[]; holidays: string[] };
  windows: Record<'graduation' | 'promotion' | 'enrollment', CalendarWindow>;
  lifecycleDeadlines: { transferWorkingDays: number; accidentalLeaveWorkingDays: number };
  /** Review deadlines per workflow (working days), over config/workflows.json dueWorkingDays. */
  reviewDeadlines: Record<string, number>;
};

let defaults: Calendar | undefined;
let merged: { version: number; calendar: Calendar } | undefined;

/** The calendar as shipped: config/calendar.json. */
export function defaultCalendar(): Calendar {
  if (!defaults) {
    const { $comment, ...rest } = readDomainConfig<Record<string, any>>('calendar.json');
    const { $comment: _windowsComment, ...windows } = rest.windows ?? {};
    defaults = { reviewDeadlines: {}, ...rest, windows } as Calendar;
  }
  return defaults;
}

/**
 * The calendar in force: config/calendar.json with the province's edits made in the panel
 * (校历与期限, content type calendar-setting) over it; see config-overlay.ts.
 */
export function calendar(): Calendar {
  const version = overlayVersion();
  if (merged?.version === version) return merged.calendar;
  const base = defaultCalendar();
  const edits = calendarOverlay();
  const result: Calendar = edits
    ? {
        ...base,
        monthlyUpdateDay: edits.monthlyUpdateDay ?? base.monthlyUpdateDay,
        overrides: edits.overrides ?? base.overrides,
        windows: { ...base.windows, ...(edits.windows ?? {}) } as Calendar['windows'],
        lifecycleDeadlines: { ...base.lifecycleDeadlines, ...(edits.lifecycleDeadlines ?? {}) },
        reviewDeadlines: { ...base.reviewDeadlines, ...(edits.reviewDeadlines ?? {}) },
      }
    : base;
  merged = { version, calendar: result };
  return result;
}

/** A date as YYYY-MM-DD in the configured time zone (Asia/Shanghai by default). */
export function localDate(at: Date = new Date(), timeZone = calendar().timeZone): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

function nextDay(date: string): string {
  const day = new Date(`${date}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() + 1);
  return day.toISOString().slice(0, 10);
}

/**
 * Whether a date is a working day: the official calendar (holidays and make-up working days, from
 * the chinese-days package), then the overrides of config/calendar.json.
 */
export function isWorkingDay(date: string, overrides = calendar().overrides): boolean {
  if (overrides.holidays.includes(date)) return false;
  if (overrides.workdays.includes(date)) return true;
  return isWorkday(date);
}

/** The date `count` working days after `start` (the start day itself not counted). */
export function addWorkingDays(start: string, count: number, overrides = calendar().overrides): string {
  let date = start;
  let left = count;
  while (left > 0) {
    date = nextDay(date);
    if (isWorkingDay(date, overrides)) left -= 1;
  }
  return date;
}
