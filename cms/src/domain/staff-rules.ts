import type { Core } from '@strapi/strapi';
import { readDomainConfig } from '../runtime/paths';
import { conflictError, fieldError, fieldsError } from '../utils/validation';
import { codeMessage, codeProblem } from './dictionaries';
import { actingUser } from './request-context';

const STAFF = 'api::staff.staff';
const TRAINING = 'api::training-record.training-record';
const KINDERGARTEN = 'api::kindergarten.kindergarten';
const UNIQUE_VIOLATIONS = new Set(['23505', 'SQLITE_CONSTRAINT_UNIQUE']);

export type StaffingConfig = {
  staffToChildren: { min: number; max: number; posts: string[] };
  educatorsToChildren: { min: number; max: number; posts: string[] };
  perClass: { teachers: number; careWorkers: number };
  teacherPosts: string[];
  careWorkerPosts: string[];
  certificatePosts: string[];
  activeStatuses: string[];
  ageBands: { code: string; name: string; from: number }[];
  aid: { termPattern: string; maxAmount: number };
};

let cached: StaffingConfig | undefined;
/** config/staffing.json: ratios of the staffing standard, posts that count, age bands, aid limits. */
export function staffingConfig(): StaffingConfig {
  cached ??= readDomainConfig<StaffingConfig>('staffing.json');
  return cached;
}

/** Coded fields of a staff record and their tables (config/dictionaries.json). */
export const CODED: Record<string, [string, string]> = {
  post: ['staffPost', '岗位'],
  ethnicity: ['ethnicity', '民族'],
  idType: ['idType', '身份证件类型'],
  degree: ['degree', '学历'],
  certificateType: ['teacherCertificate', '资格证种类'],
  title: ['staffTitle', '职称'],
  establishment: ['establishment', '编制'],
  employmentStatus: ['employmentStatus', '任职状态'],
};
/** Set by the system only. */
const SYSTEM_FIELDS = ['idKey', 'idNumberMasked'];

const identity = (strapi: Core.Strapi) => strapi.plugin('student-id').service('identity');
const duplicates = (strapi: Core.Strapi) => strapi.plugin('dup-check').service('duplicates');

function isUniqueViolation(error: any): boolean {
  const code = error?.code ?? error?.cause?.code;
  const text = `${error?.constraint ?? ''} ${error?.message ?? ''}`;
  return UNIQUE_VIOLATIONS.has(code) && (text.includes('staff_members__id_key__unique') || text.includes('staff_members.id_key'));
}

/** The kindergarten (and county) of the record holding this document, other than `exceptDocumentId`. */
export async function staffHolder(strapi: Core.Strapi, idKey: string, exceptDocumentId?: string) {
  const where: Record<string, unknown> = { idKey };
  if (exceptDocumentId) where.documentId = { $ne: exceptDocumentId };
  const staff = await strapi.db.query(STAFF).findOne({ where, select: ['institutionCode', 'countyCode'] });
  return staff ? (await duplicates(strapi).describeHolders([staff]))[0] : null;
}

/** A 409 naming the kindergarten (and county) that holds the person — nothing about the person. */
async function duplicateError(strapi: Core.Strapi, idKey: string, exceptDocumentId?: string) {
  const holder = await staffHolder(strapi, idKey, exceptDocumentId);
  const where = holder ? `${holder.countyName ?? holder.countyCode ?? ''}${holder.kindergartenName ?? ''}` : '本省其他幼儿园';
  return conflictError(`该证件号码的教职工已在${where}登记，一人只能有一条教职工记录`, ['idNumber']);
}

function isDate(value: unknown): value is string {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value));
}

/** Coded fields and dates of staff values (on every write, and by the approval engine on a correction's submission). */
export async function checkStaffData(strapi: Core.Strapi, data: Record<string, any>, stored?: Record<string, any> | string | null) {
  const problems: { field: string; message: string }[] = [];
  // the stored record (or its documentId, from the approval engine): a retired code it has stays
  const existing = typeof stored === 'string' ? await strapi.db.query(STAFF).findOne({ where: { documentId: stored } }) : stored;
  for (const [field, [table, label]] of Object.entries(CODED)) {
    if (data[field] === undefined || data[field] === null || data[field] === '') continue;
    // a retired code is kept on a record that has it, refused as a new value
    const problem = codeProblem(table, data[field], existing?.[field]);
    if (problem) problems.push({ field, message: codeMessage(label, problem) });
  }
  for (const field of ['birthDate', 'hiredOn']) {
    if (data[field] !== undefined && data[field] !== null && data[field] !== '' && !isDate(data[field])) problems.push({ field, message: '日期格式须为 YYYY-MM-DD' });
  }
  if (problems.length) throw fieldsError(problems);
}

/**
 * The rules of a staff record (docs/domain.md §2), on every create and update:
 * - it belongs to a kindergarten in the caller's reach, which fixes its county;
 * - coded fields take codes of their tables;
 * - the ID number is normalised and validated by its document type (student-id identity service);
 *   sex and birth date come from a resident ID and must agree with typed values;
 * - one person, one record in the province: a keyed hash under a unique index (dup-check's idKey),
 *   a duplicate answers 409 naming the kindergarten that holds the person.
 */
export function staffRulesMiddleware(strapi: Core.Strapi) {
  return async (context: any, next: () => Promise<unknown>) => {
    if (context.uid === TRAINING && ['create', 'update'].includes(context.action)) return trainingRules(strapi, context, next);
    if (context.uid !== STAFF || !['create', 'update'].includes(context.action)) return next();
    const data = context.params?.data;
    if (!data) return next();
    const creating = context.action === 'create';
    const documentId = creating ? undefined : context.params.documentId;
    const existing = creating ? null : await strapi.db.query(STAFF).findOne({ where: { documentId } });
    if (actingUser(strapi)) for (const field of SYSTEM_FIELDS) delete data[field];

    if (creating || (data.institutionCode !== undefined && data.institutionCode !== existing?.institutionCode)) {
      if (!creating) throw fieldError('institutionCode', '教职工调动到其他幼儿园须由原园办理离职、新园重新登记');
      // scoped read: a kindergarten outside the caller's reach does not exist for them
      const kindergarten = data.institutionCode ? await strapi.documents(KINDERGARTEN).findFirst({ filters: { code: String(data.institutionCode) } }) : null;
      if (!kindergarten) throw fieldError('institutionCode', '所在幼儿园必填，且须在管辖范围内');
      data.institutionCode = kindergarten.code;
      data.countyCode = kindergarten.countyCode;
    } else if (data.countyCode !== undefined && existing && data.countyCode !== existing.countyCode) {
      throw fieldError('countyCode', '所属区县由所在幼儿园决定');
    }

    await checkStaffData(strapi, data, existing);
    if (data.certificateNumber && !(data.certificateType ?? existing?.certificateType)) throw fieldError('certificateType', '填写资格证编号时须选择资格证种类');

    const idType = data.idType ?? existing?.idType ?? '1';
    let idKey = existing?.idKey ?? null;
    if (creating || data.idNumber !== undefined || data.idType !== undefined) {
      const ids = identity(strapi);
      const number = ids.normalizeIdNumber(data.idNumber !== undefined ? data.idNumber ?? '' : existing?.idNumber ?? '');
      if (!number) throw fieldError('idNumber', '证件号码必填：教职工按证件号码全省唯一');
      const result = ids.validateDocument(idType, number);
      if (!result.ok) throw fieldError('idNumber', result.reason);
      data.idType = idType;
      data.idNumber = result.number;
      data.idNumberMasked = ids.maskIdNumber(result.number);
      data.idKey = idKey = duplicates(strapi).idKey(idType, result.number);
      const typed = { sex: data.sex ?? existing?.sex, birthDate: data.birthDate ?? existing?.birthDate };
      if (!typed.sex && result.sex) data.sex = result.sex;
      if (!typed.birthDate && result.birthDate) data.birthDate = result.birthDate;
      const mismatches = ids.checkAgainstTyped({ type: idType, number: result.number, sex: typed.sex, birthDate: typed.birthDate });
      if (mismatches.length) throw fieldsError(mismatches);
    }
    if (idKey && (await staffHolder(strapi, idKey, documentId))) throw await duplicateError(strapi, idKey, documentId);
    try {
      return await next();
    } catch (error) {
      if (idKey && isUniqueViolation(error)) throw await duplicateError(strapi, idKey, documentId);
      throw error;
    }
  };
}

/** Training records: the staff member (in reach) fixes kindergarten and county; end not before start. */
async function trainingRules(strapi: Core.Strapi, context: any, next: () => Promise<unknown>) {
  const data = context.params?.data;
  if (!data) return next();
  const creating = context.action === 'create';
  const existing = creating ? null : await strapi.db.query(TRAINING).findOne({ where: { documentId: context.params.documentId } });
  if (creating || data.staff !== undefined) {
    const staffId = typeof data.staff === 'object' && data.staff ? data.staff.documentId ?? data.staff.connect?.[0]?.documentId : data.staff;
    const staff = staffId ? await strapi.documents(STAFF).findOne({ documentId: String(staffId) }) : null;
    if (!staff) throw fieldError('staff', '教职工必填，且须在管辖范围内');
    data.staff = staff.documentId;
    data.institutionCode = staff.institutionCode;
    data.countyCode = staff.countyCode;
  }
  const problems: { field: string; message: string }[] = [];
  for (const field of ['startDate', 'endDate']) {
    if (data[field] !== undefined && data[field] !== null && !isDate(data[field])) problems.push({ field, message: '日期格式须为 YYYY-MM-DD' });
  }
  for (const field of ['hours', 'credits']) {
    if (data[field] !== undefined && data[field] !== null && data[field] !== '' && !(Number(data[field]) >= 0)) problems.push({ field, message: '须为不小于 0 的数' });
  }
  if (problems.length) throw fieldsError(problems);
  const start = data.startDate ?? existing?.startDate;
  const end = data.endDate ?? existing?.endDate;
  if (start && end && String(end) < String(start)) throw fieldError('endDate', '结束日期不能早于开始日期');
  return next();
}
