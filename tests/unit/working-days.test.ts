import { addWorkingDays, isWorkingDay, localDate } from '../../cms/src/domain/working-days';

const none = { workdays: [], holidays: [] };

test('National Day 2026: the holiday is skipped and the Saturday make-up day (10 October) counts', () => {
  expect(isWorkingDay('2026-10-01', none)).toBe(false);
  expect(isWorkingDay('2026-10-07', none)).toBe(false);
  expect(isWorkingDay('2026-10-10', none)).toBe(true);
  expect(isWorkingDay('2026-10-11', none)).toBe(false);
  // 30 Sep + 5 working days: 8, 9, 10 (make-up Saturday), 12, 13 October
  expect(addWorkingDays('2026-09-30', 5, none)).toBe('2026-10-13');
});

test('an ordinary week skips the weekend', () => {
  expect(addWorkingDays('2026-11-20', 5, none)).toBe('2026-11-27');
});

test('overrides from config/calendar.json win over the official calendar', () => {
  const overrides = { workdays: ['2026-11-21'], holidays: ['2026-11-23'] };
  expect(isWorkingDay('2026-11-21', overrides)).toBe(true);
  expect(isWorkingDay('2026-11-23', overrides)).toBe(false);
  // Fri 20 Nov + 2: Sat 21 (declared working), Tue 24 (Mon 23 declared off)
  expect(addWorkingDays('2026-11-20', 2, overrides)).toBe('2026-11-24');
});

test('dates are taken in China time', () => {
  expect(localDate(new Date('2026-11-22T17:00:00Z'))).toBe('2026-11-23');
});
