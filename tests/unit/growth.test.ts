/**
 * Growth indicators (cms/src/domain/growth.ts) against known cases: the WHO tables publish, beside
 * L, M and S, the values at −3…+3 SD (rounded to 0.1 for 2–5 years, 0.001 for 5–19 years); the
 * z-score of a published SD value must be that SD, within the rounding. One case worked by hand
 * from the formula z = ((x/M)^L − 1)/(L·S); the restricted extension beyond +3; flags by age band.
 */
import { ageInMonths, assessGrowth, lmsFor, lmsZ } from '../../cms/src/domain/growth';

const z = (indicator: 'bmi' | 'wfa', sex: string, month: number, x: number) => {
  const row = lmsFor(indicator, sex, month)!;
  return lmsZ(x, row[1], row[2], row[3]);
};

test('the tables are the published WHO LMS rows', () => {
  expect(lmsFor('bmi', 'male', 60)).toEqual([60, -0.6892, 15.1916, 0.087]);
  expect(lmsFor('bmi', 'male', 61)).toEqual([61, -0.7387, 15.2641, 0.0839]);
  expect(lmsFor('wfa', 'female', 48)).toEqual([48, -0.3361, 16.0697, 0.13884]);
  expect(lmsFor('bmi', 'male', 23)).toBeUndefined();
  expect(lmsFor('bmi', 'male', 97)).toBeUndefined();
});

test('hand-worked: boy, 60 months, BMI 18.3 → ((18.3/15.1916)^−0.6892 − 1)/(−0.6892 × 0.087) = 2.008', () => {
  expect(z('bmi', 'male', 60, 18.3)).toBeCloseTo(2.008, 3);
  expect(z('bmi', 'male', 60, 15.1916)).toBeCloseTo(0, 6);
});

test.each([
  // indicator, sex, month, published value, its SD
  ['bmi', 'male', 60, 12.9, -2], ['bmi', 'male', 60, 16.6, 1], ['bmi', 'male', 60, 20.3, 3],
  ['bmi', 'male', 61, 13.031, -2], ['bmi', 'male', 61, 16.645, 1], ['bmi', 'male', 61, 18.259, 2], ['bmi', 'male', 61, 20.166, 3],
  ['bmi', 'female', 42, 12.9, -2], ['bmi', 'female', 42, 18.4, 2],
  ['bmi', 'female', 72, 12.7, -2], ['bmi', 'female', 72, 17.011, 1], ['bmi', 'female', 72, 19.224, 2],
  ['wfa', 'male', 60, 14.1, -2], ['wfa', 'male', 60, 24.2, 2],
  ['wfa', 'female', 48, 12.3, -2], ['wfa', 'female', 48, 21.5, 2],
  ['wfa', 'female', 72, 15.274, -2], ['wfa', 'female', 72, 27.845, 2],
] as const)('%s %s %i months: the published value %f is %i SD', (indicator, sex, month, value, sd) => {
  // 2–5 years: published to 0.1 (about 0.05 SD); 5–19 years: to 0.001
  expect(Math.abs(z(indicator, sex, month, value) - sd)).toBeLessThan(month <= 60 ? 0.06 : 0.002);
});

test('beyond +3 and −3 the WHO restricted extension: distance in units of the 2–3 SD interval', () => {
  // boy, 60 months: SD2 18.3, SD3 20.3 (published) → BMI 22.3 is about 3 + 2.0/2.0 = 4
  expect(z('bmi', 'male', 60, 22.3)).toBeCloseTo(4, 1);
  // boy, 61 months: SD−2 13.031, SD−3 12.118 → 11.205 is −3 − 0.913/0.913 = −4
  expect(z('bmi', 'male', 61, 11.205)).toBeCloseTo(-4, 2);
});

test('age in completed months', () => {
  expect(ageInMonths('2020-01-15', '2025-01-15')).toBe(60);
  expect(ageInMonths('2020-01-15', '2025-01-14')).toBe(59);
  expect(ageInMonths('2020-01-31', '2025-02-28')).toBe(60);
});

describe('flags at save (config/growth-standards.json cut-offs)', () => {
  const boy = (checkDate: string, heightCm: number, weightKg: number) => assessGrowth({ sex: 'male', birthDate: '2020-01-15', checkDate, heightCm, weightKg });

  test('one BMI, two ages: 超重 under 5 years (> +2), 肥胖 from 5 years (> +2 of the 2007 reference)', () => {
    // 110 cm, 22.4 kg: BMI 18.51
    const at60 = boy('2025-01-15', 110, 22.4);
    expect(at60).toMatchObject({ ageMonths: 60, bmi: 18.51, flags: ['overweight'], nutritionStatus: 'overweight', underweight: false });
    expect(at60.bmiZ).toBeCloseTo(2.13, 1);
    const at61 = boy('2025-02-15', 110, 22.4);
    expect(at61).toMatchObject({ ageMonths: 61, flags: ['overweight', 'obese'], nutritionStatus: 'obese' });
  });

  test('消瘦 and 低体重', () => {
    // 110 cm, 15.4 kg: BMI 12.73 < SD−2 12.9; weight above SD−2 14.1
    expect(boy('2025-01-15', 110, 15.4)).toMatchObject({ flags: ['thin'], nutritionStatus: 'thin', underweight: false });
    // 13.5 kg: below both
    expect(boy('2025-01-15', 110, 13.5)).toMatchObject({ flags: ['underweight', 'thin'], nutritionStatus: 'thin', underweight: true });
  });

  test('normal; no figures outside the tables or without a measurement', () => {
    expect(boy('2025-01-15', 110, 18.5)).toMatchObject({ flags: [], nutritionStatus: 'normal' });
    expect(boy('2021-06-15', 80, 10)).toMatchObject({ ageMonths: 17, bmiZ: null, weightForAgeZ: null, flags: [], nutritionStatus: null });
    expect(boy('2025-01-15', 110, null as any)).toMatchObject({ bmi: null, bmiZ: null, weightForAgeZ: null, nutritionStatus: null });
  });
});
