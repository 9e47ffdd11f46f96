/** Month arithmetic in a time zone: periods are 'YYYY-MM'; a period's run is due at 00:00 on its last day. */

export function lastDayOfMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function localParts(at: Date, timeZone: string): { year: number; month: number; day: number } {
  const [year, month, day] = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    .format(at).split('-').map(Number);
  return { year, month, day };
}

export function periodOf(year: number, month: number): string {
  return `${year}-${String(month).padStart(2, '0')}`;
}

/** The latest period whose run is due at `at`: this month from its last day on, the previous month before. */
export function latestDuePeriod(at: Date, timeZone: string): string {
  const { year, month, day } = localParts(at, timeZone);
  if (day === lastDayOfMonth(year, month)) return periodOf(year, month);
  return month === 1 ? periodOf(year - 1, 12) : periodOf(year, month - 1);
}

export function isValidPeriod(period: unknown): period is string {
  return typeof period === 'string' && /^\d{4}-(0[1-9]|1[0-2])$/.test(period);
}
