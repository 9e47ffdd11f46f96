import { dueDate, gradeStep, inWindow, nextSchoolYear, today } from '../../cms/src/domain/lifecycle';

afterEach(() => { delete process.env.PRESCHOOL_TODAY; });

test('windows of config/calendar.json are inclusive, yearly (MM-DD)', () => {
  expect(inWindow('graduation', '2026-06-29')).toBe(false);
  expect(inWindow('graduation', '2026-06-30')).toBe(true);
  expect(inWindow('graduation', '2027-07-15')).toBe(true);
  expect(inWindow('graduation', '2026-07-16')).toBe(false);
  expect(inWindow('promotion', '2026-07-16')).toBe(true);
  expect(inWindow('promotion', '2026-09-01')).toBe(false);
});

test('grades move up by the classGrade code table; the top grade graduates; mixed-age classes stay', () => {
  expect(gradeStep('nursery')).toEqual({ next: 'small', graduates: false });
  expect(gradeStep('middle')).toEqual({ next: 'large', graduates: false });
  expect(gradeStep('large')).toEqual({ next: undefined, graduates: true });
  expect(gradeStep('mixed')).toEqual({ next: undefined, graduates: false });
  expect(nextSchoolYear('2026-2027')).toBe('2027-2028');
});

test('30 working days across National Day; the fixed clock is for tests only', () => {
  expect(dueDate('2026-09-15', 'transfer')).toBe('2026-11-02');
  expect(dueDate('2026-09-15', 'accidentalLeave')).toBe('2026-11-02');
  process.env.PRESCHOOL_TODAY = '2026-07-01';
  expect(today()).toBe('2026-07-01');
  const env = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    expect(today()).not.toBe('2026-07-01');
  } finally {
    process.env.NODE_ENV = env;
  }
});
