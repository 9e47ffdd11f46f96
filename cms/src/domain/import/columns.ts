/**
 * The columns of the children's Excel template and import: one per field of the 学籍 record, two
 * groups for guardians 1 and 2. Headers are the Chinese labels of config/labels.json; coded columns
 * name their code table of config/dictionaries.json; which columns are required comes from the
 * content types' schemas (one place for each rule).
 */
import type { Core } from '@strapi/strapi';
import { readDomainConfig } from '../../runtime/paths';
import { dictionaries, type Entry } from '../dictionaries';
import type { Definition } from '../custom-fields';
import { INSPECTION_RESULTS, safetyConfig } from '../safety';

export type ColumnKind = 'text' | 'code' | 'date' | 'boolean' | 'class' | 'id';
export type Column = {
  /** Where the value goes: a child field, `guardians.<n>.<field>`, or `customFields.<key>` (a custom field). */
  path: string;
  field: string;
  guardian?: number;
  kind: ColumnKind;
  table?: string;
  header: string;
  required: boolean;
  /** The definition of a custom field's column. */
  custom?: Definition;
};

const CHILD = 'api::child.child';
const GUARDIAN = 'family.guardian';
export const GUARDIAN_COLUMNS = 2;
/** The headers of the columns the error report adds; ignored when the fixed report is uploaded again. */
export const ERROR_HEADER = '错误说明';
export const RESULT_HEADER = '导入结果';
/** The header of the report's column of hints (likely duplicates: imported, to be checked); ignored on upload too. */
export const HINT_HEADER = '提示';
/**
 * The header of the column of a report that holds only some of the uploaded rows (those to fix or to
 * check): where each was in the uploaded file (the reasons name other rows by that number); ignored on upload too.
 */
export const ROW_HEADER = '原行号';
/** The columns a report adds to the uploaded ones: replaced, not read, when a report is uploaded again. */
export const REPORT_HEADERS: ReadonlySet<string> = new Set([RESULT_HEADER, ERROR_HEADER, HINT_HEADER, ROW_HEADER]);

/** The child's fields, in the template's order, with how each cell is read. */
const CHILD_FIELDS: [string, ColumnKind, string?][] = [
  ['name', 'text'], ['pinyin', 'text'], ['formerName', 'text'], ['idType', 'code', 'idType'], ['idNumber', 'id'],
  ['sex', 'code', 'sex'], ['birthDate', 'date'], ['birthPlace', 'text'], ['nativePlace', 'text'], ['ethnicity', 'code', 'ethnicity'],
  ['nationality', 'code', 'nationality'], ['overseasChinese', 'code', 'overseasChinese'], ['health', 'code', 'health'],
  ['bloodType', 'code', 'bloodType'], ['householdRegion', 'text'], ['householdType', 'code', 'householdType'], ['address', 'text'],
  ['phone', 'text'], ['enrolledOn', 'date'], ['schoolClass', 'class'], ['enrollmentMode', 'code', 'enrollmentMode'], ['source', 'text'],
  ['onlyChild', 'boolean'], ['leftBehind', 'code', 'leftBehind'], ['migrant', 'boolean'], ['orphan', 'boolean'], ['martyrChild', 'boolean'],
  ['disabled', 'boolean'], ['disabilityType', 'code', 'disability'], ['inclusiveEducation', 'boolean'], ['needsAid', 'boolean'],
];
const GUARDIAN_FIELDS: [string, ColumnKind, string?][] = [
  ['name', 'text'], ['relation', 'code', 'guardianRelation'], ['idType', 'code', 'idType'], ['idNumber', 'id'], ['phone', 'text'], ['employer', 'text'],
];
/** Sex comes from a resident ID number when the cell is empty; the class from the default class. */
const DERIVABLE = new Set(['sex', 'birthDate', 'schoolClass']);

let cached: Column[] | undefined;

/** Every column of the template, in order. */
export function columns(strapi: Core.Strapi): Column[] {
  if (cached) return cached;
  const labels = readDomainConfig<Record<string, Record<string, string>>>('labels.json');
  const label = (field: string) => labels.child?.[field] ?? labels.shared?.[field] ?? field;
  const childAttributes = (strapi.contentTypes as any)[CHILD].attributes;
  const guardianAttributes = (strapi.components as any)[GUARDIAN].attributes;
  const list: Column[] = CHILD_FIELDS.map(([field, kind, table]) => ({
    path: field, field, kind, table, header: label(field), required: Boolean(childAttributes[field]?.required) && !DERIVABLE.has(field),
  }));
  for (let n = 1; n <= GUARDIAN_COLUMNS; n += 1) {
    for (const [field, kind, table] of GUARDIAN_FIELDS) {
      const own = field === 'name' ? '姓名' : label(field);
      list.push({ path: `guardians.${n - 1}.${field}`, field, guardian: n, kind, table, header: `监护人${n}${own}`, required: n === 1 && Boolean(guardianAttributes[field]?.required) });
    }
  }
  cached = list;
  return list;
}

let byPath: Map<string, Column> | undefined;
/** The columns by path (`name`, `guardians.0.idNumber`…). */
export function columnsByPath(strapi: Core.Strapi): Map<string, Column> {
  byPath ??= new Map(columns(strapi).map((c) => [c.path, c]));
  return byPath;
}

/** The Chinese name of a code table (sheet names may not hold "/"). */
export const TABLE_NAMES: Record<string, string> = {
  idType: '身份证件类型', sex: '性别', ethnicity: '民族', nationality: '国籍地区', overseasChinese: '港澳台侨外', health: '健康状况',
  bloodType: '血型', householdType: '户口性质', enrollmentMode: '就读方式', leftBehind: '留守儿童', disability: '残疾类型', guardianRelation: '与幼儿关系',
  healthCheckType: '体检类型', vaccinationStatus: '查验结果', safetyResult: '检查结果', incidentType: '事故类型', incidentSeverity: '严重程度',
};

/** The lists of config/safety.json an import reads like code tables (cms/src/domain/import/safety-import.ts). */
const CONFIG_TABLES: Record<string, () => Entry[]> = {
  safetyResult: () => INSPECTION_RESULTS,
  incidentType: () => safetyConfig().incidents.types,
  incidentSeverity: () => safetyConfig().incidents.severities,
};

/** The entries of a code table (config/dictionaries.json, or one of the lists above). */
export function tableEntries(table: string): Entry[] {
  return dictionaries()[table] ?? CONFIG_TABLES[table]?.() ?? [];
}

/**
 * A cell of a coded column → its code: the code itself or its Chinese name (also "代码 名称"), or a
 * numeric code without its leading zeros (`1` for `01`, as a spreadsheet's CSV conversion leaves it)
 * when exactly one code of the table reads so.
 */
export function codeOf(table: string, value: string): string | undefined {
  const own = dictionaries()[table];
  if (!own) return lookUpCode(tableEntries(table), value);
  // an import reads the same few values in every row: each value of a code table is looked up once
  // per version of the table (a table edited in the panel is a new array: dictionaries())
  let memo = codeMemos.get(own);
  if (!memo) codeMemos.set(own, (memo = new Map()));
  if (memo.has(value)) return memo.get(value);
  const code = lookUpCode(own, value);
  if (memo.size >= CODE_MEMO_LIMIT) memo.clear();
  memo.set(value, code);
  return code;
}

/** The code of each value looked up, per code table array (codeOf); at most this many values a table. */
const codeMemos = new WeakMap<Entry[], Map<string, string | undefined>>();
const CODE_MEMO_LIMIT = 10_000;

function lookUpCode(entries: Entry[], value: string): string | undefined {
  const exact = entries.find((e) => e.code === value) ?? entries.find((e) => e.name === value);
  if (exact) return exact.code;
  const upper = entries.find((e) => e.code === value.toUpperCase());
  if (upper) return upper.code;
  if (/^\d+$/.test(value)) {
    const bare = value.replace(/^0+/, '');
    const padded = entries.filter((e) => /^\d+$/.test(e.code) && e.code.length > value.length && e.code.replace(/^0+/, '') === bare);
    if (padded.length === 1) return padded[0].code;
  }
  const split = value.match(/^(\S+)\s*[-–—:：\s]\s*(.+)$/);
  if (split) return entries.find((e) => e.code === split[1] && e.name === split[2])?.code;
  return undefined;
}

/** A header as typed → comparable: full-width folded, spaces and required marks removed. */
export function headerKey(text: string): string {
  return text.normalize('NFKC').replace(/[\s*★☆]/g, '');
}

/**
 * One column per active custom field of the children (custom-fields.ts), after the record's own:
 * the label as header, yes/no and code-table fields with their drop-downs, required ones marked.
 */
export function customColumns(definitions: Definition[]): Column[] {
  return definitions.map((definition) => ({
    path: `customFields.${definition.key}`,
    field: definition.key,
    kind: definition.type === 'boolean' ? 'boolean' : definition.type === 'choice' ? 'code' : definition.type === 'date' ? 'date' : 'text',
    table: definition.type === 'choice' ? definition.codeTable ?? undefined : undefined,
    header: definition.label,
    required: definition.required,
    custom: definition,
  }));
}

/** The custom fields' cells of a row → their input (coded cells to codes), for validateCustomFields. */
export function customInput(columnList: Column[], cells: Record<string, string>): Record<string, string> {
  return Object.fromEntries(columnList.filter((c) => c.custom && cells[c.path]).map((c) => [c.field, c.kind === 'code' ? codeOf(c.table!, cells[c.path]) ?? cells[c.path] : cells[c.path]]));
}
