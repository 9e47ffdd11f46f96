/**
 * Growth indicators (cms/src/domain/growth.ts) against known cases: the WHO tables publish, beside
 * L, M and S, the values at −3…+3 SD (rounded to 0.1 for 2–5 years, 0.001 for 5–19 years); the
 * z-score of a published SD value must be that SD, within the rounding. One case worked by hand
 * from the formula z = ((x/M)^L − 1)/(L·S); the restricted extension beyond +3; flags by age band.
 */
import { ageInMonths, assessGrowth, lmsFor, lmsForLength, lmsZ } from '../../cms/src/domain/growth';

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

describe('weight-for-length/height (WHO Child Growth Standards 2006, 45–120 cm)', () => {
  const zAt = (table: 'wfl' | 'wfh', sex: string, cm: number, kg: number) => {
    const [L, M, S] = lmsForLength(table, sex, cm)!;
    return lmsZ(kg, L, M, S);
  };

  test('the tables are the published rows; between two rows L, M, S are interpolated; none outside 45–110 / 65–120 cm', () => {
    expect(lmsForLength('wfl', 'male', 45)).toEqual([-0.3521, 2.441, 0.09182]);
    expect(lmsForLength('wfh', 'female', 120)).toEqual([-0.3833, 22.8173, 0.09828]);
    const [, m100] = lmsForLength('wfh', 'male', 100)!;
    const [, m1005] = lmsForLength('wfh', 'male', 100.5)!;
    expect(lmsForLength('wfh', 'male', 100.2)![1]).toBeCloseTo(m100 + (m1005 - m100) * 0.4, 6);
    expect(lmsForLength('wfl', 'male', 44.9)).toBeUndefined();
    expect(lmsForLength('wfl', 'male', 110.5)).toBeUndefined();
    expect(lmsForLength('wfh', 'female', 64.9)).toBeUndefined();
    expect(lmsForLength('wfh', 'female', 120.1)).toBeUndefined();
  });

  test.each([
    // table, sex, cm, the published values at −3, −2, −1, 0, +1, +2, +3 SD (WHO z-score tables, to 0.1 kg)
    ['wfl', 'male', 45, [1.9, 2.0, 2.2, 2.4, 2.7, 3.0, 3.3]],
    ['wfl', 'male', 80, [8.2, 8.9, 9.6, 10.4, 11.4, 12.4, 13.6]],
    ['wfl', 'female', 80, [7.8, 8.5, 9.2, 10.1, 11.0, 12.1, 13.4]],
    ['wfl', 'female', 110, [14.2, 15.5, 17.0, 18.6, 20.5, 22.6, 25.1]],
    ['wfh', 'male', 65, [5.9, 6.3, 6.9, 7.4, 8.1, 8.8, 9.6]],
    ['wfh', 'male', 100, [12.1, 13.1, 14.2, 15.4, 16.7, 18.2, 19.9]],
    ['wfh', 'male', 120, [17.1, 18.6, 20.4, 22.4, 24.6, 27.2, 30.1]],
    ['wfh', 'female', 100, [11.7, 12.8, 13.9, 15.2, 16.7, 18.4, 20.3]],
    ['wfh', 'female', 120, [17.3, 18.9, 20.7, 22.8, 25.2, 28.0, 31.2]],
  ] as const)('%s %s %i cm: each published SD value is its SD', (table, sex, cm, values) => {
    values.forEach((kg, i) => {
      // 0.05 kg of rounding is at most about 0.08 SD at 45 cm (SD ≈ 0.2 kg there), less above
      expect(Math.abs(zAt(table, sex, cm, kg) - (i - 3))).toBeLessThan(cm < 50 ? 0.3 : 0.1);
    });
  });
});

describe('flags at save (config/growth-standards.json cut-offs)', () => {
  const boy = (checkDate: string, heightCm: number, weightKg: number) => assessGrowth({ sex: 'male', birthDate: '2020-01-15', checkDate, heightCm, weightKg });

  test('under 5 years 消瘦/超重/肥胖 by weight-for-height (> +2, > +3, < −2); from 5 years by BMI-for-age', () => {
    // 100 cm boy: weight-for-height SD2 18.2, SD3 19.9, SD−2 13.1 (published)
    expect(boy('2024-01-15', 100, 18.6)).toMatchObject({ ageMonths: 48, flags: ['overweight'], nutritionStatus: 'overweight' });
    expect(boy('2024-01-15', 100, 18.6).weightForHeightZ).toBeCloseTo(2.2, 1);
    expect(boy('2024-01-15', 100, 20.5)).toMatchObject({ flags: ['overweight', 'obese'], nutritionStatus: 'obese' });
    expect(boy('2024-01-15', 100, 12.9)).toMatchObject({ flags: ['thin'], nutritionStatus: 'thin' });
    expect(boy('2024-01-15', 100, 15.4)).toMatchObject({ flags: [], nutritionStatus: 'normal' });
    // 110 cm, 22.4 kg: BMI 18.51, BMI-for-age z 2.13 at 60 months, but weight-for-height (SD2 21.9 at 110 cm published,
    // 22.4 kg about +2.2) decides under 5 years; at 61 months BMI-for-age with the 2007 cut-offs (> +1, > +2)
    const at60 = boy('2025-01-15', 110, 22.4);
    expect(at60).toMatchObject({ ageMonths: 60, bmi: 18.51, flags: ['overweight'], nutritionStatus: 'overweight', underweight: false });
    expect(at60.bmiZ).toBeCloseTo(2.13, 1);
    expect(at60.weightForHeightZ).toBeGreaterThan(2);
    const at61 = boy('2025-02-15', 110, 22.4);
    expect(at61).toMatchObject({ ageMonths: 61, weightForHeightZ: null, flags: ['overweight', 'obese'], nutritionStatus: 'obese' });
  });

  test('a heavy-for-age but proportionate child: no 超重 under 5 (weight-for-height normal) even when BMI-for-age is above +2', () => {
    // 4 years, 118 cm, 23 kg: BMI 16.5 (normal); weight-for-height of 118 cm median ~21.6 → normal
    expect(boy('2024-01-15', 118, 23)).toMatchObject({ flags: [], nutritionStatus: 'normal' });
  });

  test('消瘦 and 低体重', () => {
    // 5 years, 110 cm, 13.5 kg: weight-for-age below SD−2 14.1; weight-for-height of 110 cm SD−2 15.4 (published)
    expect(boy('2025-01-15', 110, 13.5)).toMatchObject({ flags: ['underweight', 'thin'], nutritionStatus: 'thin', underweight: true });
    // 61 months, 110 cm, 15.4 kg: BMI 12.73 < SD−2 13.031 of the 2007 reference
    expect(boy('2025-02-15', 110, 15.4)).toMatchObject({ flags: ['thin'], nutritionStatus: 'thin', underweight: false });
  });

  test('normal; weight-for-length under 24 months; no figures without a measurement', () => {
    expect(boy('2025-01-15', 110, 18.5)).toMatchObject({ flags: [], nutritionStatus: 'normal' });
    // 17 months, 80 cm, 10 kg: no BMI/weight-for-age table before 24 months; weight-for-length between SD−1 9.6 and the median 10.4
    const young = boy('2021-06-15', 80, 10);
    expect(young).toMatchObject({ ageMonths: 17, bmiZ: null, weightForAgeZ: null, flags: [], nutritionStatus: 'normal' });
    expect(young.weightForHeightZ).toBeGreaterThan(-1);
    expect(young.weightForHeightZ).toBeLessThan(0);
    expect(boy('2025-01-15', 110, null as any)).toMatchObject({ bmi: null, bmiZ: null, weightForAgeZ: null, weightForHeightZ: null, nutritionStatus: null });
  });
});
