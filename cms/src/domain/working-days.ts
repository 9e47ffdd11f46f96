import { isWorkday } from 'chinese-days';
import { readDomainConfig } from '../runtime/paths';

type Calendar = { timeZone: string; monthlyUpdateDay: number; overrides: { workdays: string[]; holidays: string[] } };

let cached: Calendar | undefined;
export function calendar(): Calendar {
  cached ??= readDomainConfig<Calendar>('calendar.json');
  return cached;
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
