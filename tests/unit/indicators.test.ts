/** The indicator formulas and the query whitelist of config/indicators.json, without a server. */
import { emptyFigures, indicatorsOf, meetsTarget, sourcesOf, validateQuery, valueOf } from '../../cms/src/domain/indicators';

const figures = (values: Record<string, number>) => ({ ...emptyFigures(), ...values });
const pathOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error: any) {
    return error.details.errors[0].path;
  }
  throw new Error('no error');
};

test('each ratio is numerator ÷ denominator of the summed figures, rounded to 4 places; null without a denominator', () => {
  const f = figures({ children: 1800, population: 2000, childrenInInclusive: 1530, childrenInPublic: 810, kindergartens: 12, inclusiveKindergartens: 10, classes: 60, classesWithinLimit: 50, fullTimeTeachers: 120, healthChecked: 1710, vaccinationChecked: 1800, overweight: 171, obese: 57 });
  expect(indicatorsOf(f)).toEqual({
    grossEnrollmentRate: 0.9, inclusiveCoverage: 0.85, publicShare: 0.45, inclusiveKindergartenShare: 0.8333, classSizeCompliance: 0.8333, childrenPerTeacher: 15,
    healthCheckRate: 0.95, vaccinationCheckRate: 1, overweightRate: 0.1, obesityRate: 0.0333,
  });
  expect(indicatorsOf(figures({ children: 5 })).grossEnrollmentRate).toBeNull();
  expect(valueOf('children', f)).toBe(1800);
});

test('targets: ≥ for rates, ≤ for 生师比; no value, no verdict', () => {
  expect(meetsTarget('grossEnrollmentRate', 0.9)).toBe(true);
  expect(meetsTarget('inclusiveCoverage', 0.8499)).toBe(false);
  expect(meetsTarget('publicShare', 0.5)).toBe(true);
  expect(meetsTarget('childrenPerTeacher', 15)).toBe(true);
  expect(meetsTarget('childrenPerTeacher', 15.5)).toBe(false);
  expect(meetsTarget('grossEnrollmentRate', null)).toBeNull();
  expect(meetsTarget('inclusiveKindergartenShare', 0.1)).toBeNull();
});

test('the query whitelist: names, combinations and filter values from config and the code tables', () => {
  expect(validateQuery({ indicator: 'children', dimension: 'sex', filters: { ownership: 'public', region: '3505', grade: '' } }))
    .toEqual({ indicator: 'children', dimension: 'sex', filters: { ownership: 'public', region: '3505' } });
  expect(sourcesOf('grossEnrollmentRate').sort()).toEqual(['children', 'population']);
  expect(pathOf(() => validateQuery({ indicator: 'children) UNION SELECT 1 --', dimension: 'county' }))).toEqual(['indicator']);
  expect(pathOf(() => validateQuery({ indicator: 'children', dimension: 'c.id_number' }))).toEqual(['dimension']);
  expect(pathOf(() => validateQuery({ indicator: 'grossEnrollmentRate', dimension: 'ownership' }))).toEqual(['dimension']);
  expect(pathOf(() => validateQuery({ indicator: 'grossEnrollmentRate', dimension: 'county', filters: { ownership: 'public' } }))).toEqual(['filters', 'ownership']);
  expect(pathOf(() => validateQuery({ indicator: 'children', dimension: 'county', filters: { region: "35' OR 1=1" } }))).toEqual(['filters', 'region']);
  expect(pathOf(() => validateQuery({ indicator: 'children', dimension: 'month', filters: { sex: 'male' } }))).toEqual(['filters', 'sex']);
  expect(pathOf(() => validateQuery({ indicator: 'children', dimension: 'month', filters: { from: '2026-05', to: '2026-01' } }))).toEqual(['filters', 'to']);
});
