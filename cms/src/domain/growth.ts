/**
 * Growth indicators of a health check (docs/health.md): BMI-for-age, weight-for-age and (under 5 years)
 * weight-for-length/height z-scores by the LMS method against the WHO tables of
 * config/growth-standards.json, and the flags they raise
 * (低体重, 消瘦, 超重, 肥胖) by the cut-offs declared there. Pure functions: the health rules
 * (cms/src/domain/health-rules.ts) call `assessGrowth` at every save.
 */
import { readDomainConfig } from '../runtime/paths';

export type Lms = [month: number, L: number, M: number, S: number];
export type Indicator = 'bmi' | 'wfa' | 'wfh';
export type GrowthFlag = { code: string; name: string; nameEn: string; indicator: Indicator; below?: number; above?: number; fromMonth?: number; toMonth?: number };
export type GrowthStandards = {
  source: string;
  months: { min: number; max: number };
  flags: GrowthFlag[];
  /** bmi, wfa by month; wfl (weight-for-length, under 24 months), wfh (weight-for-height) by cm. */
  tables: Record<'bmi' | 'wfa' | 'wfl' | 'wfh', Record<'male' | 'female', Lms[]>>;
};
export type GrowthResult = {
  ageMonths: number | null;
  bmi: number | null;
  bmiZ: number | null;
  weightForAgeZ: number | null;
  /** Weight-for-length (under 24 months) or weight-for-height z-score, up to 60 months. */
  weightForHeightZ: number | null;
  flags: string[];
  /** One of thin, normal, overweight, obese (null: no BMI-for-age z-score), for statistics. */
  nutritionStatus: string | null;
  underweight: boolean;
};

let cached: GrowthStandards | undefined;
export function growthStandards(): GrowthStandards {
  cached ??= readDomainConfig<GrowthStandards>('growth-standards.json');
  return cached;
}

const round = (value: number, places: number) => Math.round(value * 10 ** places) / 10 ** places;

/** The value at z standard deviations of an LMS distribution. */
export function lmsValue(L: number, M: number, S: number, z: number): number {
  return L === 0 ? M * Math.exp(S * z) : M * (1 + L * S * z) ** (1 / L);
}

/**
 * The z-score of `x` for LMS parameters: ((x/M)^L − 1)/(L·S), or ln(x/M)/S when L = 0. Beyond ±3 the
 * WHO restricted extension: 3 + (x − SD3)/(SD3 − SD2) (and symmetrically below −3), so that extreme
 * values are not stretched by the skewness of the distribution.
 */
export function lmsZ(x: number, L: number, M: number, S: number): number {
  const z = L === 0 ? Math.log(x / M) / S : ((x / M) ** L - 1) / (L * S);
  if (z > 3) {
    const sd3 = lmsValue(L, M, S, 3);
    return 3 + (x - sd3) / (sd3 - lmsValue(L, M, S, 2));
  }
  if (z < -3) {
    const sd3 = lmsValue(L, M, S, -3);
    return -3 + (x - sd3) / (lmsValue(L, M, S, -2) - sd3);
  }
  return z;
}

/** Age in completed months between a birth date and a check date (YYYY-MM-DD). */
export function ageInMonths(birthDate: string, onDate: string): number {
  const [by, bm, bd] = birthDate.slice(0, 10).split('-').map(Number);
  const [y, m, d] = onDate.slice(0, 10).split('-').map(Number);
  return (y - by) * 12 + (m - bm) - (d < bd ? 1 : 0);
}

/** The LMS row of a table for an age in completed months (none outside the table). */
export function lmsFor(indicator: 'bmi' | 'wfa', sex: string, months: number): Lms | undefined {
  const table = growthStandards().tables[indicator]?.[sex as 'male' | 'female'];
  return table?.find(([month]) => month === months);
}

/** Age up to which weight-for-length/height is computed; below `LENGTH_BEFORE` months the length table (recumbent) is used. */
const WFH_MAX_MONTHS = 60;
const LENGTH_BEFORE = 24;

/**
 * The LMS parameters of weight-for-length (`wfl`) or weight-for-height (`wfh`) at a length in cm
 * (rounded to 0.1 cm, as measured): the published rows are every 0.5 cm, L, M and S are
 * interpolated linearly between the two around it; none outside the table (45–110 and 65–120 cm).
 */
export function lmsForLength(table: 'wfl' | 'wfh', sex: string, cm: number): [number, number, number] | undefined {
  const rows = growthStandards().tables[table]?.[sex as 'male' | 'female'];
  if (!rows?.length) return undefined;
  const x = Math.round(cm * 10) / 10;
  if (x < rows[0][0] || x > rows[rows.length - 1][0]) return undefined;
  const i = rows.findIndex(([at]) => at >= x);
  const upper = rows[i];
  if (upper[0] === x || i === 0) return [upper[1], upper[2], upper[3]];
  const lower = rows[i - 1];
  const t = (x - lower[0]) / (upper[0] - lower[0]);
  const mix = (k: 1 | 2 | 3) => lower[k] + (upper[k] - lower[k]) * t;
  return [mix(1), mix(2), mix(3)];
}

/** z-scores, BMI and flags of one measurement; null figures when the age is outside the tables or a value is missing. */
export function assessGrowth(input: { sex?: string | null; birthDate?: string | null; checkDate?: string | null; heightCm?: number | null; weightKg?: number | null }): GrowthResult {
  const result: GrowthResult = { ageMonths: null, bmi: null, bmiZ: null, weightForAgeZ: null, weightForHeightZ: null, flags: [], nutritionStatus: null, underweight: false };
  const { sex, birthDate, checkDate } = input;
  const height = input.heightCm === null || input.heightCm === undefined ? null : Number(input.heightCm);
  const weight = input.weightKg === null || input.weightKg === undefined ? null : Number(input.weightKg);
  if (!birthDate || !checkDate) return result;
  result.ageMonths = ageInMonths(String(birthDate), String(checkDate));
  if (height && weight) result.bmi = round(weight / (height / 100) ** 2, 2);
  const z: Record<Indicator, number | null> = { bmi: null, wfa: null, wfh: null };
  if (sex && height && weight && result.ageMonths >= 0 && result.ageMonths <= WFH_MAX_MONTHS) {
    const lms = lmsForLength(result.ageMonths < LENGTH_BEFORE ? 'wfl' : 'wfh', sex, height);
    if (lms) z.wfh = lmsZ(weight, lms[0], lms[1], lms[2]);
  }
  result.weightForHeightZ = z.wfh === null ? null : round(z.wfh, 2);
  const { min, max } = growthStandards().months;
  if (!sex || result.ageMonths < min || result.ageMonths > max) return withFlags(result, z);
  const bmiRow = lmsFor('bmi', sex, result.ageMonths);
  if (bmiRow && height && weight) z.bmi = lmsZ(weight / (height / 100) ** 2, bmiRow[1], bmiRow[2], bmiRow[3]);
  const wfaRow = lmsFor('wfa', sex, result.ageMonths);
  if (wfaRow && weight) z.wfa = lmsZ(weight, wfaRow[1], wfaRow[2], wfaRow[3]);
  result.bmiZ = z.bmi === null ? null : round(z.bmi, 2);
  result.weightForAgeZ = z.wfa === null ? null : round(z.wfa, 2);
  return withFlags(result, z);
}

const NUTRITION = ['thin', 'overweight', 'obese'];

/**
 * The flags the z-scores raise at the child's age; the nutrition status is known when a z-score
 * that the 消瘦/超重/肥胖 flags of that age use (weight-for-height to 5 years, BMI-for-age after) is.
 */
function withFlags(result: GrowthResult, z: Record<Indicator, number | null>): GrowthResult {
  const age = result.ageMonths ?? -1;
  let assessed = false;
  for (const flag of growthStandards().flags) {
    if (flag.fromMonth !== undefined && age < flag.fromMonth) continue;
    if (flag.toMonth !== undefined && age > flag.toMonth) continue;
    const value = z[flag.indicator];
    if (value === null) continue;
    if (NUTRITION.includes(flag.code)) assessed = true;
    const hit = (flag.below !== undefined && value < flag.below) || (flag.above !== undefined && value > flag.above);
    if (hit && !result.flags.includes(flag.code)) result.flags.push(flag.code);
  }
  result.underweight = result.flags.includes('underweight');
  if (assessed) {
    result.nutritionStatus = result.flags.includes('obese') ? 'obese' : result.flags.includes('overweight') ? 'overweight' : result.flags.includes('thin') ? 'thin' : 'normal';
  }
  return result;
}
