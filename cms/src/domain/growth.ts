/**
 * Growth indicators of a health check (docs/health.md): BMI-for-age and weight-for-age z-scores by the
 * LMS method against the WHO tables of config/growth-standards.json, and the flags they raise
 * (低体重, 消瘦, 超重, 肥胖) by the cut-offs declared there. Pure functions: the health rules
 * (cms/src/domain/health-rules.ts) call `assessGrowth` at every save.
 */
import { readDomainConfig } from '../runtime/paths';

export type Lms = [month: number, L: number, M: number, S: number];
export type GrowthFlag = { code: string; name: string; nameEn: string; indicator: 'bmi' | 'wfa'; below?: number; above?: number; fromMonth?: number; toMonth?: number };
export type GrowthStandards = {
  source: string;
  months: { min: number; max: number };
  flags: GrowthFlag[];
  tables: Record<'bmi' | 'wfa', Record<'male' | 'female', Lms[]>>;
};
export type GrowthResult = {
  ageMonths: number | null;
  bmi: number | null;
  bmiZ: number | null;
  weightForAgeZ: number | null;
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

/** z-scores, BMI and flags of one measurement; null figures when the age is outside the tables or a value is missing. */
export function assessGrowth(input: { sex?: string | null; birthDate?: string | null; checkDate?: string | null; heightCm?: number | null; weightKg?: number | null }): GrowthResult {
  const result: GrowthResult = { ageMonths: null, bmi: null, bmiZ: null, weightForAgeZ: null, flags: [], nutritionStatus: null, underweight: false };
  const { sex, birthDate, checkDate } = input;
  const height = input.heightCm === null || input.heightCm === undefined ? null : Number(input.heightCm);
  const weight = input.weightKg === null || input.weightKg === undefined ? null : Number(input.weightKg);
  if (!birthDate || !checkDate) return result;
  result.ageMonths = ageInMonths(String(birthDate), String(checkDate));
  if (height && weight) result.bmi = round(weight / (height / 100) ** 2, 2);
  const { min, max } = growthStandards().months;
  if (!sex || result.ageMonths < min || result.ageMonths > max) return result;
  const z: Record<'bmi' | 'wfa', number | null> = { bmi: null, wfa: null };
  const bmiRow = lmsFor('bmi', sex, result.ageMonths);
  if (bmiRow && height && weight) z.bmi = lmsZ(weight / (height / 100) ** 2, bmiRow[1], bmiRow[2], bmiRow[3]);
  const wfaRow = lmsFor('wfa', sex, result.ageMonths);
  if (wfaRow && weight) z.wfa = lmsZ(weight, wfaRow[1], wfaRow[2], wfaRow[3]);
  result.bmiZ = z.bmi === null ? null : round(z.bmi, 2);
  result.weightForAgeZ = z.wfa === null ? null : round(z.wfa, 2);
  for (const flag of growthStandards().flags) {
    const value = z[flag.indicator];
    if (value === null) continue;
    if (flag.fromMonth !== undefined && result.ageMonths < flag.fromMonth) continue;
    if (flag.toMonth !== undefined && result.ageMonths > flag.toMonth) continue;
    const hit = (flag.below !== undefined && value < flag.below) || (flag.above !== undefined && value > flag.above);
    if (hit && !result.flags.includes(flag.code)) result.flags.push(flag.code);
  }
  result.underweight = result.flags.includes('underweight');
  if (z.bmi !== null) {
    result.nutritionStatus = result.flags.includes('obese') ? 'obese' : result.flags.includes('overweight') ? 'overweight' : result.flags.includes('thin') ? 'thin' : 'normal';
  }
  return result;
}
