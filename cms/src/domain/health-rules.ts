/**
 * The rules of children's health records (卫生保健, docs/health.md), on every create and update of a
 * health check, a vaccination certificate check and a health condition — REST, panel, import:
 * - the record belongs to a child in the caller's reach (a scoped read), whose kindergarten and
 *   county it takes; the child never changes afterwards;
 * - coded fields take codes of their tables (config/dictionaries.json), dates are dates not in the
 *   future and not before the child's birth, measurements are inside config/health.json ranges;
 * - a health check's age, BMI, z-scores and growth flags are computed here (cms/src/domain/growth.ts),
 *   never taken from the client.
 */
import type { Core } from '@strapi/strapi';
import { readDomainConfig } from '../runtime/paths';
import { fieldError, fieldsError } from '../utils/validation';
import { codeMessage, codeProblem } from './dictionaries';
import { assessGrowth } from './growth';
import { localDate } from './working-days';

export const HEALTH_CHECK = 'api::child-health-check.child-health-check';
export const VACCINATION_CHECK = 'api::vaccination-check.vaccination-check';
export const HEALTH_CONDITION = 'api::child-health-condition.child-health-condition';
export const HEALTH_UIDS = [HEALTH_CHECK, VACCINATION_CHECK, HEALTH_CONDITION];
const CHILD = 'api::child.child';

export type HealthConfig = {
  rateWindowDays: number;
  checkedStatuses: string[];
  /** Rows of one Excel import of health or certificate checks (cms/src/domain/import/health-import.ts). */
  importMaxRows: number;
  ranges: Record<string, { min: number; max: number }>;
};
let cached: HealthConfig | undefined;
export function healthConfig(): HealthConfig {
  cached ??= readDomainConfig<HealthConfig>('health.json');
  return cached;
}

/** Coded fields per content type: field → [code table, Chinese label]. */
const CODED: Record<string, Record<string, [string, string]>> = {
  [HEALTH_CHECK]: { checkType: ['healthCheckType', '体检类型'] },
  [VACCINATION_CHECK]: { status: ['vaccinationStatus', '查验结果'] },
  [HEALTH_CONDITION]: { conditionType: ['healthConditionType', '类别'] },
};
const DATES: Record<string, string[]> = {
  [HEALTH_CHECK]: ['checkDate'],
  [VACCINATION_CHECK]: ['checkDate', 'completedOn'],
  [HEALTH_CONDITION]: ['since'],
};
const LABELS: Record<string, string> = {
  heightCm: '身高（cm）', weightKg: '体重（kg）', visionLeft: '左眼视力', visionRight: '右眼视力', haemoglobin: '血红蛋白（g/L）',
  checkDate: '日期', completedOn: '补种完成日期', since: '起始日期',
};
/** Computed at save: a client's values are dropped. */
const COMPUTED = ['ageMonths', 'bmi', 'bmiZ', 'weightForAgeZ', 'weightForHeightZ', 'growthFlags', 'nutritionStatus', 'underweight', 'institutionCode', 'countyCode'];

const isDate = (value: unknown): value is string => typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value));
const blank = (value: unknown) => value === undefined || value === null || value === '';

function childIdOf(value: unknown): string | null {
  if (!value) return null;
  if (typeof value === 'object') {
    const v = value as any;
    return v.documentId ?? v.connect?.[0]?.documentId ?? v.set?.[0]?.documentId ?? null;
  }
  return String(value);
}

/**
 * The problems of health-record values (also run by the import for each row before it writes):
 * codes, dates (not in the future, not before the child's birth), ranges.
 */
export function healthProblems(uid: string, data: Record<string, any>, child: { birthDate?: string | null } | null, existing?: Record<string, any> | null) {
  const problems: { field: string; message: string }[] = [];
  for (const [field, [table, label]] of Object.entries(CODED[uid] ?? {})) {
    if (blank(data[field])) continue;
    const problem = codeProblem(table, data[field], existing?.[field]);
    if (problem) problems.push({ field, message: codeMessage(label, problem) });
  }
  const today = localDate();
  for (const field of DATES[uid] ?? []) {
    const value = data[field];
    if (blank(value)) continue;
    if (!isDate(value)) problems.push({ field, message: `${LABELS[field]}格式须为 YYYY-MM-DD` });
    else if (value > today) problems.push({ field, message: `${LABELS[field]}不能晚于今天` });
    else if (child?.birthDate && value < String(child.birthDate).slice(0, 10)) problems.push({ field, message: `${LABELS[field]}不能早于幼儿出生日期` });
  }
  if (uid === HEALTH_CHECK) {
    for (const [field, { min, max }] of Object.entries(healthConfig().ranges)) {
      const value = data[field];
      if (blank(value)) continue;
      const number = Number(value);
      if (!Number.isFinite(number) || number < min || number > max) problems.push({ field, message: `${LABELS[field] ?? field}须在 ${min}–${max} 之间` });
      else data[field] = number;
    }
  }
  return problems;
}

export function healthRulesMiddleware(strapi: Core.Strapi) {
  return async (context: any, next: () => Promise<unknown>) => {
    if (!HEALTH_UIDS.includes(context.uid) || !['create', 'update'].includes(context.action)) return next();
    const data = context.params?.data;
    if (!data) return next();
    const uid = context.uid as string;
    const creating = context.action === 'create';
    const existing = creating ? null : await strapi.db.query(uid as any).findOne({ where: { documentId: context.params.documentId }, populate: { child: { select: ['documentId'] } } });
    for (const field of COMPUTED) delete data[field];

    let childId = existing?.child?.documentId ?? null;
    if (creating || data.child !== undefined) {
      const asked = childIdOf(data.child);
      if (!creating && asked !== childId) throw fieldError('child', '记录所属幼儿不能更改');
      childId = asked;
    }
    // scoped read: a child outside the caller's reach does not exist for them
    const child = childId ? await strapi.documents(CHILD).findOne({ documentId: childId, fields: ['sex', 'birthDate', 'institutionCode', 'countyCode'] as any }) : null;
    if (!child) throw fieldError('child', '幼儿必填，且须在管辖范围内');
    if (creating) data.child = child.documentId;
    else delete data.child;
    data.institutionCode = child.institutionCode;
    data.countyCode = child.countyCode;

    const problems = healthProblems(uid, data, child as any, existing);
    if (problems.length) throw fieldsError(problems);

    if (uid === HEALTH_CHECK) {
      const merged = { ...(existing ?? {}), ...data };
      const growth = assessGrowth({ sex: (child as any).sex, birthDate: (child as any).birthDate, checkDate: merged.checkDate, heightCm: merged.heightCm, weightKg: merged.weightKg });
      Object.assign(data, {
        ageMonths: growth.ageMonths, bmi: growth.bmi, bmiZ: growth.bmiZ, weightForAgeZ: growth.weightForAgeZ, weightForHeightZ: growth.weightForHeightZ,
        growthFlags: growth.flags, nutritionStatus: growth.nutritionStatus, underweight: growth.underweight,
      });
    }
    if (uid === VACCINATION_CHECK) {
      const merged = { ...(existing ?? {}), ...data };
      if (merged.completedOn && merged.checkDate && String(merged.completedOn) < String(merged.checkDate)) throw fieldError('completedOn', '补种完成日期不能早于查验日期');
    }
    return next();
  };
}
