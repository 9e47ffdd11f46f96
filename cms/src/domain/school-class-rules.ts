import type { Core } from '@strapi/strapi';
import { readDomainConfig } from '../runtime/paths';
import { fieldError } from '../utils/validation';

const CLASS = 'api::school-class.school-class';
const KINDERGARTEN = 'api::kindergarten.kindergarten';
type Limits = Record<string, { min?: number; max: number }>;
let limits: Limits | undefined;

export function sizeLimit(grade: string): { min?: number; max: number } | undefined {
  limits ??= readDomainConfig<{ sizeLimits: Limits }>('classes.json').sizeLimits;
  return limits[grade];
}

/**
 * The rules of a class (班级): it belongs to a kindergarten the user reaches and carries that
 * kindergarten's county code; a class over its size limit (config/classes.json) needs a stated
 * reason; a change to a class counts as the kindergarten updating its data.
 */
export function schoolClassRulesMiddleware(strapi: Core.Strapi) {
  return async (context: any, next: () => Promise<unknown>) => {
    if (context.uid !== CLASS || !['create', 'update'].includes(context.action)) return next();
    const data = context.params?.data;
    if (!data) return next();
    const existing = context.action === 'update'
      ? await strapi.db.query(CLASS).findOne({ where: { documentId: context.params.documentId }, populate: ['kindergarten'] })
      : null;
    let kindergarten = existing?.kindergarten ?? null;
    if (data.kindergarten !== undefined || !existing) {
      const id = typeof data.kindergarten === 'object' && data.kindergarten ? data.kindergarten.documentId ?? data.kindergarten.id : data.kindergarten;
      kindergarten = id ? await strapi.documents(KINDERGARTEN).findOne({ documentId: String(id) }) : null;
      if (!kindergarten) throw fieldError('kindergarten', '所属幼儿园不存在或不在管辖范围内');
      data.kindergarten = kindergarten.documentId;
    }
    data.countyCode = kindergarten.countyCode;
    const grade = data.grade ?? existing?.grade;
    const capacity = Number(data.capacity ?? existing?.capacity);
    const reason = data.oversizeReason !== undefined ? data.oversizeReason : existing?.oversizeReason;
    const limit = sizeLimit(grade);
    if (limit && capacity > limit.max && !String(reason ?? '').trim()) {
      throw fieldError('oversizeReason', `班额 ${capacity} 超过${limit.max}人的上限，须填写超额原因`);
    }
    const result = await next();
    await strapi.db.query(KINDERGARTEN).update({ where: { id: kindergarten.id }, data: { lastUpdatedAt: new Date() } });
    return result;
  };
}
