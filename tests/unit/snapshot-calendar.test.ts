import { lastDayOfMonth, latestDuePeriod } from '../../plugins/archive-snapshot/server/src/services/calendar';

test('the last day of each month, February and leap years included', () => {
  expect(lastDayOfMonth(2024, 2)).toBe(29);
  expect(lastDayOfMonth(2026, 2)).toBe(28);
  expect(lastDayOfMonth(2000, 2)).toBe(29);
  expect(lastDayOfMonth(2100, 2)).toBe(28);
  expect(lastDayOfMonth(2026, 4)).toBe(30);
  expect(lastDayOfMonth(2026, 12)).toBe(31);
});

test('a period falls due at 00:00 China time on its last day', () => {
  // 2026-02-27 23:59 in Shanghai is 15:59 UTC: January is the latest due period
  expect(latestDuePeriod(new Date('2026-02-27T15:59:00Z'), 'Asia/Shanghai')).toBe('2026-01');
  // 2026-02-28 00:00 in Shanghai is 2026-02-27 16:00 UTC: February is due
  expect(latestDuePeriod(new Date('2026-02-27T16:00:00Z'), 'Asia/Shanghai')).toBe('2026-02');
  expect(latestDuePeriod(new Date('2024-02-28T16:00:00Z'), 'Asia/Shanghai')).toBe('2024-02');
  expect(latestDuePeriod(new Date('2024-02-27T16:00:00Z'), 'Asia/Shanghai')).toBe('2024-01');
  expect(latestDuePeriod(new Date('2026-01-15T00:00:00Z'), 'Asia/Shanghai')).toBe('2025-12');
});
