import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { readDomainConfig } from '../runtime/paths';
import { conflictError, fieldError, fieldsError } from '../utils/validation';
import { entry } from './dictionaries';
import { actingUser, runningAsSystem } from './request-context';
import { isUniqueViolation } from './aid-rules';

const PROJECT = 'api::project.project';
const PROGRESS = 'api::project-progress.project-progress';
const ABOVE: Record<string, string> = { province: 'ministry', prefecture: 'province', county: 'prefecture' };
/** What only the level that entered the allocation may change, and what the system sets. */
const ALLOCATION_FIELDS = ['allocated'];
const SYSTEM_FIELDS = ['ownerLevel', 'createdByLevel', 'reviewState', 'reviewComment', 'reviewedByName'];

/** The level owning a region code: 350000 a province, 350500 a prefecture, 350502 a county. */
export function ownerLevelOf(regionCode: string): 'province' | 'prefecture' | 'county' {
  if (regionCode.endsWith('0000')) return 'province';
  if (regionCode.endsWith('00')) return 'prefecture';
  return 'county';
}

/** The level that reviews a level's projects and monthly reports (the level above). */
export function reviewerLevelOf(ownerLevel: string): string | undefined {
  return ABOVE[ownerLevel];
}

/** Today and the month's last day in the calendar's zone (config/calendar.json). */
export function localToday(now = new Date()): string {
  const timeZone = readDomainConfig<{ timeZone: string }>('calendar.json').timeZone || 'Asia/Shanghai';
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}
export function lastDayOf(month: string): string {
  const [y, m] = month.split('-').map(Number);
  const day = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return `${month}-${String(day).padStart(2, '0')}`;
}

const money = (value: unknown) => Math.round(Number(value ?? 0) * 100) / 100;

function checkAmounts(data: Record<string, any>) {
  const problems: { field: string; message: string }[] = [];
  for (const field of ['budget', 'allocated', 'spent']) {
    if (data[field] === undefined || data[field] === null || data[field] === '') continue;
    if (!(Number(data[field]) >= 0) || !Number.isFinite(Number(data[field]))) problems.push({ field, message: '金额须为不小于 0 的数（万元）' });
    else data[field] = money(data[field]);
  }
  if (data.sources !== undefined && data.sources !== null) {
    const sources = data.sources;
    if (typeof sources !== 'object' || Array.isArray(sources)) problems.push({ field: 'sources', message: '资金来源须为 {来源代码: 金额}' });
    else {
      for (const [code, amount] of Object.entries(sources)) {
        if (!entry('fundingSource', code)) problems.push({ field: 'sources', message: `资金来源 ${code} 不是代码表中的值` });
        else if (!(Number(amount) >= 0)) problems.push({ field: 'sources', message: '各来源金额须为不小于 0 的数（万元）' });
      }
    }
  }
  if (data.type !== undefined && !entry('projectType', data.type)) problems.push({ field: 'type', message: '项目类别不是代码表中的值' });
  if (data.progress !== undefined && data.progress !== null && !(Number.isInteger(Number(data.progress)) && Number(data.progress) >= 0 && Number(data.progress) <= 100)) {
    problems.push({ field: 'progress', message: '进度须为 0–100 的整数（%）' });
  }
  if (problems.length) throw fieldsError(problems);
}

/**
 * Project funds (docs/domain.md §2, project data), on every create and update by a user:
 * - a project belongs to the region of its owning level (regionCode; the scope plugin keeps it in
 *   reach); it is entered by that level or by the level right above (the Ministry enters each
 *   province's central allocation);
 * - the allocation is changed only by the level that entered the project;
 * - spending above the allocation needs a stated reason (overspendReason), else 400 on `spent`.
 */
export function projectRulesMiddleware(strapi: Core.Strapi) {
  return async (context: any, next: () => Promise<unknown>) => {
    if (context.uid === PROGRESS && context.action === 'create') return progressRules(strapi, context, next);
    const user = actingUser(strapi);
    if (context.uid === PROJECT && context.action === 'delete' && user) {
      const existing = await strapi.db.query(PROJECT).findOne({ where: { documentId: context.params?.documentId } });
      if (existing && existing.createdByLevel !== user.level) throw new errors.ForbiddenError('项目只能由录入单位删除');
      return next();
    }
    if (context.uid !== PROJECT || !['create', 'update'].includes(context.action)) return next();
    const data = context.params?.data;
    if (!data) return next();
    const creating = context.action === 'create';
    const existing = creating ? null : await strapi.db.query(PROJECT).findOne({ where: { documentId: context.params.documentId } });
    if (user && !runningAsSystem(strapi)) {
      for (const field of SYSTEM_FIELDS) delete data[field];
      const regionCode = String(creating ? data.regionCode ?? '' : existing.regionCode);
      if (!creating && data.regionCode !== undefined && data.regionCode !== existing.regionCode) throw fieldError('regionCode', '项目所属地区不能更改');
      if (!/^\d{6}$/.test(regionCode)) throw fieldError('regionCode', '所属地区必填（6 位行政区划代码）');
      const owner = ownerLevelOf(regionCode);
      const own = user.level === owner && user.regionCode === regionCode;
      const allocator = user.level === reviewerLevelOf(owner);
      if (!own && !allocator) throw new errors.ForbiddenError('项目由所属层级录入，或由上一级下达');
      if (creating) {
        data.ownerLevel = owner;
        data.createdByLevel = user.level;
        data.reviewState = 'draft';
      } else {
        const locked = ALLOCATION_FIELDS.filter((field) => field in data && money(data[field]) !== money(existing[field]) && existing.createdByLevel !== user.level);
        if (locked.length) throw fieldsError(locked.map((field) => ({ field, message: '下达金额只能由下达单位修改' })));
        if (!own) {
          const ownerOnly = ['spent', 'progress', 'overspendReason'].filter((field) => field in data && String(data[field] ?? '') !== String(existing[field] ?? ''));
          if (ownerOnly.length) throw fieldsError(ownerOnly.map((field) => ({ field, message: '支出与进度由项目所属单位填报' })));
        }
      }
    }
    checkAmounts(data);
    const allocated = money(data.allocated !== undefined ? data.allocated : existing?.allocated);
    const spent = money(data.spent !== undefined ? data.spent : existing?.spent);
    const reason = String((data.overspendReason !== undefined ? data.overspendReason : existing?.overspendReason) ?? '').trim();
    if (spent > allocated && !reason) throw fieldError('spent', `支出 ${spent} 万元超过下达金额 ${allocated} 万元，须填写超支说明`);
    return next();
  };
}

/**
 * A monthly progress report: filed by the project's own level for a month that has begun, once per
 * project and month (unique index: 409); flagged late when filed after the month's last day.
 */
async function progressRules(strapi: Core.Strapi, context: any, next: () => Promise<unknown>) {
  const data = context.params?.data;
  const user = actingUser(strapi);
  if (!data) return next();
  const project: any = data.projectId ? await strapi.documents(PROJECT).findOne({ documentId: String(data.projectId) }) : null;
  if (!project) throw fieldError('projectId', '项目不存在或不在管辖范围内');
  if (user && !(user.level === project.ownerLevel && user.regionCode === project.regionCode)) throw new errors.ForbiddenError('进展月报由项目所属单位填报');
  const month = String(data.month ?? '');
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw fieldError('month', '月份格式须为 YYYY-MM');
  const today = localToday();
  if (`${month}-01` > today) throw fieldError('month', '不能填报尚未开始的月份');
  if (!(Number.isInteger(Number(data.progress)) && Number(data.progress) >= 0 && Number(data.progress) <= 100)) throw fieldError('progress', '进度须为 0–100 的整数（%）');
  if (data.spentToDate !== undefined && data.spentToDate !== null && data.spentToDate !== '' && !(Number(data.spentToDate) >= 0)) throw fieldError('spentToDate', '金额须为不小于 0 的数（万元）');
  Object.assign(data, {
    projectId: project.documentId, projectName: project.name, regionCode: project.regionCode,
    progress: Number(data.progress), submittedAt: new Date(), late: today > lastDayOf(month), state: 'submitted',
    reviewComment: null, reviewedByName: null,
  });
  try {
    return await next();
  } catch (error) {
    if (isUniqueViolation(error, 'project_progress_reports__project_id_month__unique', 'project_progress_reports.project_id')) {
      throw conflictError(`该项目 ${month} 的进展月报已填报`, ['month']);
    }
    throw error;
  }
}
