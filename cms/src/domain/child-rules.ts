import { AsyncLocalStorage } from 'node:async_hooks';
import type { Core } from '@strapi/strapi';
import { readDomainConfig } from '../runtime/paths';
import { conflictError, fieldError, fieldsError } from '../utils/validation';
import { codeMessage, codeProblem } from './dictionaries';
import { actingUser } from './request-context';
import { forbidden } from '../security/errors';
import { resolvesDuplicateRecord } from './problem-records';
import { maskedStudentNumber } from '../security/student-numbers';
import { keyFields } from './workflows';

const CHILD = 'api::child.child';
const CLASS = 'api::school-class.school-class';
const UNIQUE_VIOLATIONS = new Set(['23505', 'SQLITE_CONSTRAINT_UNIQUE']);

/** Fields of the 学籍 record that take codes of config/dictionaries.json, and their tables. */
const CODED: Record<string, [string, string]> = {
  ethnicity: ['ethnicity', '民族'],
  nationality: ['nationality', '国籍/地区'],
  idType: ['idType', '身份证件类型'],
  overseasChinese: ['overseasChinese', '港澳台侨外'],
  health: ['health', '健康状况'],
  bloodType: ['bloodType', '血型'],
  householdType: ['householdType', '户口性质'],
  enrollmentMode: ['enrollmentMode', '就读方式'],
  leftBehind: ['leftBehind', '留守儿童'],
  disabilityType: ['disability', '残疾类型'],
};
/** CODED as a list (checkChildData walks it for every record an import checks). */
const CODED_FIELDS = Object.entries(CODED);
/** Set by the system only: derived, issued or moved by domain actions. */
const SYSTEM_FIELDS = ['idKey', 'idNumberMasked', 'pinyinKey', 'studentNumber', 'studentNumberKey', 'studentNumberMasked', 'status', 'countyCode', 'institutionCode'];

/**
 * Key information of the 学籍 (docs/domain.md §5): once a child has a 学籍号 these change only through an
 * approved key-information change — the fields workflow child-key-change governs (config/workflows.json);
 * the rule is enforced by cms/src/domain/governed-fields.ts.
 */
export const KEY_FIELDS: readonly string[] = keyFields(CHILD);

/**
 * Set only around the write of an approved key-information change (the lifecycle service's
 * applyKeyChange): in-process, per async call chain, so no request body, query or header can set it.
 */
const keyChangeScope = new AsyncLocalStorage<string>();
export function applyingKeyChange<T>(requestId: string, work: () => Promise<T>): Promise<T> {
  return keyChangeScope.run(requestId, work);
}
/** Whether the write under way is an approved key-information change (see applyingKeyChange). */
export function applyingKeyChangeNow(): boolean {
  return keyChangeScope.getStore() !== undefined;
}

const identity = (strapi: Core.Strapi) => strapi.plugin('student-id').service('identity');
const duplicates = (strapi: Core.Strapi) => strapi.plugin('dup-check').service('duplicates');

function isUniqueViolation(error: any, index: string): boolean {
  const code = error?.code ?? error?.cause?.code;
  const text = `${error?.constraint ?? ''} ${error?.message ?? ''}`;
  return UNIQUE_VIOLATIONS.has(code) && (text.includes(index) || text.includes('children.id_key'));
}

/** A 409 that says where the record holding the document is — and nothing about that child. */
async function duplicateError(strapi: Core.Strapi, idKey: string, exceptDocumentId?: string) {
  const holder = await duplicates(strapi).exactHolder(idKey, exceptDocumentId);
  return conflictError(heldElsewhereMessage(holder), ['idNumber']);
}

/** What an exact duplicate answers: where the record is held (kindergarten and county), nothing about the child. */
export function heldElsewhereMessage(holder: { countyName?: string | null; countyCode?: string | null; kindergartenName?: string | null } | null): string {
  const where = holder ? `${holder.countyName ?? holder.countyCode ?? ''}${holder.kindergartenName ?? ''}` : '本省其他幼儿园';
  return `该证件号码已有学籍，现就读于：${where}。请勿重复建立学籍；如信息有误，请联系该园或所属县区核实`;
}

type ChildAge = { minMonths: number; maxMonths: number; earliestEnrolment: string };
let childAge: ChildAge | undefined;
const childAgeRange = () => (childAge ??= readDomainConfig<{ childAge: ChildAge }>('classes.json').childAge);

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
/** Completed months from one day (YYYY-MM-DD) to another (rounded down: negative when `to` is the earlier one). */
function monthsBetween(from: string, to: string): number {
  const [, fy, fm, fd] = from.match(DAY)!.map(Number);
  const [, ty, tm, td] = to.match(DAY)!.map(Number);
  return (ty - fy) * 12 + (tm - fm) - (td < fd ? 1 : 0);
}
const ageText = (months: number) => (months % 12 === 0 ? `${months / 12}周岁` : `${months}个月`);

/**
 * The one rule of a plausible preschool birth date (config/classes.json `childAge`), for the entry
 * form, the API and the Excel import alike: not after today, and the child's age on the enrolment
 * date (today when there is none yet) within the configured range; the enrolment date itself not
 * before the earliest one. Values that are not a day (YYYY-MM-DD) are left to the schema's check.
 */
export function birthDateProblems(birthDate: unknown, enrolledOn: unknown, today: Date = new Date()): { field: string; message: string }[] {
  const birth = dayOf(birthDate);
  if (!birth || !DAY.test(birth)) return [];
  const todayDay = today.toISOString().slice(0, 10);
  if (birth > todayDay) return [{ field: 'birthDate', message: '出生日期晚于今天' }];
  const range = childAgeRange();
  const enrolment = dayOf(enrolledOn);
  const on = enrolment && DAY.test(enrolment) ? enrolment : todayDay;
  if (on < range.earliestEnrolment) return [{ field: 'enrolledOn', message: `入园日期早于${range.earliestEnrolment}，不是合理的入园日期` }];
  const months = monthsBetween(birth, on);
  if (months > range.maxMonths) return [{ field: 'birthDate', message: `出生日期超出学前儿童的合理范围：入园时已超过${ageText(range.maxMonths)}` }];
  if (months < range.minMonths) return [{ field: 'birthDate', message: `出生日期超出学前儿童的合理范围：入园时不满${ageText(range.minMonths)}` }];
  return [];
}

/** A problem of one field of a child's record; `stage` orders the rules (the API reports the first stage that fails). */
export type ChildProblem = { field: string; message: string; stage: number };

/**
 * Checks one identity document (the child's or a guardian's): normalises the number, validates it
 * by its document type, and returns its blind-index key and masked form, or the reason it is invalid.
 */
function checkDocument(strapi: Core.Strapi, type: string | null | undefined, raw: unknown) {
  const ids = identity(strapi);
  const number = ids.normalizeIdNumber(raw ?? '');
  if (!number) return { number: null, idKey: null, masked: null, result: null, reason: null };
  const result = ids.validateDocument(type || '1', number);
  if (!result.ok) return { number, idKey: null, masked: null, result: null, reason: result.reason as string };
  return { number: result.number, idKey: duplicates(strapi).idKey(type || '1', result.number), masked: ids.maskIdNumber(result.number), result, reason: null };
}

/**
 * The rules of a child's record that need no database (docs/domain.md §2–§3), in one place for the
 * entry form, the API and the Excel import: coded fields take codes of their tables; the ID number
 * is normalised and validated by its document type, sex and birth date come from it and must
 * agree with typed values; at least one guardian, each with a coded relation and a valid document;
 * without a number of its own, a guardian's ID number is required. `data` is normalised in place
 * (numbers, idKey, masked forms, derived sex and birth date, pinyinKey); nothing is written.
 * Returns every problem found, each with its stage.
 */
export function checkChildData(strapi: Core.Strapi, data: Record<string, any>, options: { creating: boolean; existing?: any }): ChildProblem[] {
  const { creating, existing } = options;
  const problems: ChildProblem[] = [];
  for (const [field, [table, label]] of CODED_FIELDS) {
    if (data[field] === undefined || data[field] === null || data[field] === '') continue;
    // a retired code stays on a record that already has it (existing), never on a new or changed value
    const problem = codeProblem(table, data[field], existing?.[field]);
    if (problem) problems.push({ field, message: codeMessage(label, problem), stage: 1 });
  }

  const idType = data.idType ?? existing?.idType;
  if (creating || data.idNumber !== undefined || data.idType !== undefined) {
    const raw = data.idNumber !== undefined ? data.idNumber : existing?.idNumber;
    const document = checkDocument(strapi, idType, raw);
    if (document.reason) problems.push({ field: 'idNumber', message: document.reason, stage: 2 });
    else if (!document.number && idType === '1') problems.push({ field: 'idNumber', message: '证件类型为居民身份证时，证件号码必填', stage: 2 });
    data.idNumber = document.number;
    data.idKey = document.idKey;
    data.idNumberMasked = document.masked;
    if (document.result) {
      const typed = { sex: data.sex ?? (creating ? undefined : existing?.sex), birthDate: data.birthDate ?? (creating ? undefined : existing?.birthDate) };
      if (!typed.sex && document.result.sex) data.sex = document.result.sex;
      if (!typed.birthDate && document.result.birthDate) data.birthDate = document.result.birthDate;
      const mismatches = identity(strapi).checkAgainstTyped({ type: idType, number: document.number, sex: typed.sex, birthDate: typed.birthDate });
      for (const mismatch of mismatches) problems.push({ ...mismatch, stage: 3 });
    }
  }

  // birth date plausibility: judged when the birth or enrolment date is new or changes, never re-judged on an unchanged record
  const birthChanged = data.birthDate !== undefined && dayOf(data.birthDate) !== dayOf(existing?.birthDate);
  const enrolmentChanged = data.enrolledOn !== undefined && dayOf(data.enrolledOn) !== dayOf(existing?.enrolledOn);
  if (creating || birthChanged || enrolmentChanged) {
    const birthDate = data.birthDate !== undefined ? data.birthDate : existing?.birthDate;
    const enrolledOn = data.enrolledOn !== undefined ? data.enrolledOn : existing?.enrolledOn;
    for (const problem of birthDateProblems(birthDate, enrolledOn)) problems.push({ ...problem, stage: 3 });
  }

  if (data.guardians !== undefined) {
    if (!Array.isArray(data.guardians) || data.guardians.length === 0) problems.push({ field: 'guardians', message: '至少填写一位监护人', stage: 4 });
    else {
      const existingRelations = (existing?.guardians ?? []).map((g: any) => g?.relation);
      data.guardians = data.guardians.map((guardian: any, index: number) => {
        // the guardian's own fields but its id and what is derived from its number (set below), in one copy
        const checked: Record<string, any> = {};
        if (guardian) for (const field of Object.keys(guardian)) if (field !== 'id' && field !== 'idKey' && field !== 'idNumberMasked') checked[field] = guardian[field];
        const relationProblem = codeProblem('guardianRelation', checked.relation, existingRelations);
        if (relationProblem) problems.push({ field: `guardians.${index}.relation`, message: codeMessage('与幼儿关系', relationProblem), stage: 4 });
        const document = checkDocument(strapi, checked.idType || '1', checked.idNumber);
        if (document.reason) problems.push({ field: `guardians.${index}.idNumber`, message: document.reason, stage: 4 });
        checked.idType = checked.idNumber ? checked.idType || '1' : checked.idType ?? null;
        checked.idNumber = document.number;
        checked.idKey = document.idKey;
        checked.idNumberMasked = document.masked;
        return checked;
      });
    }
  } else if (creating) problems.push({ field: 'guardians', message: '至少填写一位监护人', stage: 4 });
  const childHasNumber = Boolean(data.idNumber !== undefined ? data.idNumber : existing?.idNumber);
  const guardians = Array.isArray(data.guardians) ? data.guardians : existing?.guardians ?? [];
  if (!childHasNumber && !problems.some((p) => p.field === 'idNumber') && !guardians.some((g: any) => g.idNumber)) {
    problems.push({ field: 'guardians', message: '幼儿无证件号码时，须填写至少一位监护人的证件号码', stage: 5 });
  }
  if (data.name !== undefined) data.pinyinKey = duplicates(strapi).pinyinKey(data.name);
  return problems;
}

const dayOf = (value: unknown) => (value instanceof Date ? value.toISOString().slice(0, 10) : value ? String(value).slice(0, 10) : null);

/**
 * The key fields an update of a registered child would change (values sent unchanged — the edit
 * form sends every field — are not changes; ID numbers are compared normalised).
 */
export function changedKeyFields(strapi: Core.Strapi, data: Record<string, any>, existing: Record<string, any>): string[] {
  const ids = identity(strapi);
  const normal: Record<string, (value: unknown) => string | null> = {
    name: (value) => (value === undefined || value === null ? null : String(value).trim() || null),
    sex: (value) => (value ? String(value) : null),
    birthDate: dayOf,
    idType: (value) => (value ? String(value) : null),
    idNumber: (value) => (value ? ids.normalizeIdNumber(value) || null : null),
  };
  const plain = (value: unknown) => (value === undefined || value === null || value === '' ? null : String(value));
  return KEY_FIELDS.filter((field) => data[field] !== undefined && (normal[field] ?? plain)(data[field]) !== (normal[field] ?? plain)(existing[field]));
}

/** Whether a 学籍号 sent with an update is the stored one (also in its masked form, as lists show it). */
function sameStudentNumber(strapi: Core.Strapi, sent: unknown, existing: { studentNumber?: string | null; studentNumberMasked?: string | null }): boolean {
  const value = sent === '' ? null : sent ?? null;
  if (value === (existing.studentNumber ?? null)) return true;
  return typeof value === 'string' && Boolean(existing.studentNumber) && value === (existing.studentNumberMasked ?? maskedStudentNumber(strapi, existing.studentNumber));
}

/** The problems of the first stage that failed, as one 400 naming their fields. */
function firstStageError(problems: ChildProblem[]) {
  const stage = Math.min(...problems.map((p) => p.stage));
  return fieldsError(problems.filter((p) => p.stage === stage).map(({ field, message }) => ({ field, message })));
}

/**
 * Children's names sort in pinyin order (刘, 李, 林, 王, 吴…), as a Chinese reader and Excel expect,
 * not in code-point order (刘, 吴, 李…): a sort on `name` becomes a sort on the private `pinyinKey`
 * (toneless pinyin, kept for the duplicate check), then `name`. Sorts come as a string, a list of
 * strings or objects; anything else is left as it is.
 */
/** The order a list of `uid` is read in: children's names in pinyin order (`inPinyinOrder`), anything else as asked. */
export function listSort(uid: string, sort: unknown): unknown {
  return uid === CHILD && sort ? inPinyinOrder(sort) : sort;
}

export function inPinyinOrder(sort: unknown): unknown {
  const byName = (direction: string) => [{ pinyinKey: direction }, { name: direction }];
  const one = (entry: unknown): unknown[] => {
    if (typeof entry === 'string') {
      const [field, direction = 'asc'] = entry.split(':');
      return field === 'name' ? byName(direction.toLowerCase() === 'desc' ? 'desc' : 'asc') : [entry];
    }
    if (entry && typeof entry === 'object' && !Array.isArray(entry) && Object.keys(entry).length === 1 && 'name' in entry) {
      return byName(String((entry as any).name).toLowerCase() === 'desc' ? 'desc' : 'asc');
    }
    return [entry];
  };
  if (typeof sort === 'string') return sort.split(',').flatMap(one);
  if (Array.isArray(sort)) return sort.flatMap(one);
  if (sort && typeof sort === 'object') return one(sort);
  return sort;
}

/** What refusing to delete a registered child says (every path: REST, bridge, any service). */
export const REGISTERED_CHILD_DELETE_MESSAGE = '已注册学籍的幼儿不能删除，请办理离园、毕业或转出；重复学籍由县级在问题学籍中处理';

/**
 * A child with a 学籍号 never leaves by deletion — the number would be free again in the province —
 * but through the lifecycle (离园, 毕业, 转出), or as the resolution of a duplicate problem record
 * (重复学籍, domain/problem-records.ts resolvesDuplicateRecord). A draft (no 学籍号) may be deleted.
 */
async function checkDeletable(strapi: Core.Strapi, documentId: unknown) {
  if (typeof documentId !== 'string' || !documentId) return;
  const child = await strapi.db.query(CHILD).findOne({ where: { documentId }, select: ['id', 'studentNumber'] });
  if (!child?.studentNumber) return;
  if (await resolvesDuplicateRecord(strapi, child.id)) return;
  throw forbidden(REGISTERED_CHILD_DELETE_MESSAGE, { code: 'REGISTERED_CHILD', field: 'studentNumber' });
}

export function childRulesMiddleware(strapi: Core.Strapi) {
  return async (context: any, next: () => Promise<unknown>) => {
    if (context.uid === CHILD && context.action === 'delete') {
      await checkDeletable(strapi, context.params?.documentId);
      return next();
    }
    if (context.uid === CHILD && context.action === 'findMany' && context.params?.sort) {
      context.params.sort = listSort(context.uid, context.params.sort);
      return next();
    }
    if (context.uid !== CHILD || !['create', 'update'].includes(context.action)) return next();
    const data = context.params?.data;
    if (!data) return next();
    const creating = context.action === 'create';
    const documentId = creating ? undefined : context.params.documentId;
    const existing = creating ? null : await strapi.db.query(CHILD).findOne({ where: { documentId }, populate: ['guardians', 'schoolClass'] });
    // The 学籍号 never changes once issued, by anyone; users never set one (the review issues it).
    if (existing && data.studentNumber !== undefined && !sameStudentNumber(strapi, data.studentNumber, existing)) {
      if (existing.studentNumber) throw fieldError('studentNumber', '学籍号一经生成不能更改');
      if (actingUser(strapi)) throw fieldError('studentNumber', '学籍号由本园审核时系统生成，不能直接填写');
    }
    // Key information of a registered child changes only through an approved key-information change:
    // cms/src/domain/governed-fields.ts (registered before these rules) refuses any other write.
    if (actingUser(strapi)) for (const field of SYSTEM_FIELDS) delete data[field];

    if (creating || data.schoolClass !== undefined) {
      const classId = typeof data.schoolClass === 'object' && data.schoolClass ? data.schoolClass.documentId : data.schoolClass;
      const schoolClass = classId ? await strapi.documents(CLASS).findOne({ documentId: String(classId), populate: ['kindergarten'] }) : null;
      if (!schoolClass?.kindergarten) throw fieldError('schoolClass', '班级必填：请先建立班级，再为幼儿分班');
      if (existing && existing.institutionCode && existing.institutionCode !== schoolClass.kindergarten.code) {
        throw fieldError('schoolClass', '不能直接调到其他幼儿园的班级：请走转园流程');
      }
      data.schoolClass = schoolClass.documentId;
      data.institutionCode = schoolClass.kindergarten.code;
      data.countyCode = schoolClass.kindergarten.countyCode;
    }

    const problems = checkChildData(strapi, data, { creating, existing });
    if (problems.length) throw firstStageError(problems);

    const idKey = data.idKey !== undefined ? data.idKey : existing?.idKey;
    if (idKey && (await duplicates(strapi).exactHolder(idKey, documentId))) throw await duplicateError(strapi, idKey, documentId);
    try {
      return await next();
    } catch (error) {
      if (idKey && isUniqueViolation(error, 'children__id_key__unique')) throw await duplicateError(strapi, idKey, documentId);
      throw error;
    }
  };
}
