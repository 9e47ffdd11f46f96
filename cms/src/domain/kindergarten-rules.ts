import type { Core } from '@strapi/strapi';
import { fieldError, fieldsError } from '../utils/validation';
import { codeMessage, codeProblem } from './dictionaries';
import { actingUser, runningAsSystem } from './request-context';

const KINDERGARTEN = 'api::kindergarten.kindergarten';
export const DICTIONARY_FIELDS: Record<string, string> = { urbanRural: 'urbanRural', sponsorType: 'sponsorType', grade: 'grade' };
const LABELS: Record<string, string> = { urbanRural: '城乡分类', sponsorType: '办别', grade: '等级' };

/**
 * The rules of a kindergarten record, on every create and update:
 * - its county code is a county of the GB/T 2260 tree; the `county` relation follows the code;
 * - 城乡分类, 办别 and 等级 are codes of their code tables (config/dictionaries.json);
 * - a licence does not end before it starts;
 * - the registration state is the approval engine's to set, never a user's;
 * - lastUpdatedAt records the change (monthly compliance: data updated by the 25th).
 */
export function kindergartenRulesMiddleware(strapi: Core.Strapi) {
  return async (context: any, next: () => Promise<unknown>) => {
    if (context.uid !== KINDERGARTEN || !['create', 'update'].includes(context.action)) return next();
    const data = context.params?.data;
    if (!data) return next();
    if (actingUser(strapi) && !runningAsSystem(strapi)) {
      delete data.registrationState;
      delete data.lastUpdatedAt;
    }
    await checkKindergartenData(strapi, data, context.action === 'update' ? context.params.documentId : undefined);
    data.lastUpdatedAt = new Date();
    return next();
  };
}

/**
 * Checks (and completes) the values of a kindergarten about to be written; `documentId` names the
 * stored record for an update. Used on every write, and by the approval engine on submission.
 */
export async function checkKindergartenData(strapi: Core.Strapi, data: Record<string, any>, documentId?: string) {
  delete data.county;
  if (data.countyCode !== undefined) {
    const county = /^\d{6}$/.test(String(data.countyCode))
      ? await strapi.db.query('api::region.region').findOne({ where: { code: data.countyCode, level: 'county' } })
      : null;
    if (!county) throw fieldError('countyCode', '所属区县代码不是有效的县级行政区划代码');
    data.county = county.documentId;
  }
  const coded = Object.entries(DICTIONARY_FIELDS).filter(([field]) => data[field] !== undefined && data[field] !== null && data[field] !== '');
  // a retired code is kept on a kindergarten that has it, refused as a new value: read the stored values only then
  const stored = documentId && coded.some(([field, table]) => codeProblem(table, data[field]) === 'retired')
    ? await strapi.db.query(KINDERGARTEN).findOne({ where: { documentId }, select: Object.keys(DICTIONARY_FIELDS) })
    : null;
  const problems = coded
    .map(([field, table]) => ({ field, problem: codeProblem(table, data[field], stored?.[field]) }))
    .filter((item): item is { field: string; problem: 'unknown' | 'retired' } => item.problem !== null)
    .map(({ field, problem }) => ({ field, message: codeMessage(LABELS[field], problem) }));
  if (problems.length) throw fieldsError(problems);
  if (data.licenseStart !== undefined || data.licenseEnd !== undefined) {
    const existing = documentId
      ? await strapi.db.query(KINDERGARTEN).findOne({ where: { documentId }, select: ['licenseStart', 'licenseEnd'] })
      : null;
    const start = data.licenseStart !== undefined ? data.licenseStart : existing?.licenseStart;
    const end = data.licenseEnd !== undefined ? data.licenseEnd : existing?.licenseEnd;
    if (start && end && String(end) < String(start)) throw fieldError('licenseEnd', '许可证截止日期不能早于起始日期');
  }
}
