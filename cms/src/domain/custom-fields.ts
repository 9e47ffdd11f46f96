/**
 * Custom fields (自定义字段), defined as data: a province administrator adds fields to children,
 * kindergartens or staff for the whole province or a part of it (`api::custom-field.custom-field`);
 * the values are stored with the record, in its `customFields` JSON, keyed by the field's key.
 * One module for every rule of them:
 * - which definitions apply to a record: the active ones of its entity whose region prefix
 *   (350000 → 35, 350500 → 3505, 350502 → 350502) is a prefix of the record's county code; cached
 *   for a few seconds (other instances follow) and dropped on every write of a definition here;
 * - the values' validation, a yup schema built from the definitions (required, type, range,
 *   pattern, code of its code table, region code of the GB/T 2260 tree), run on every create and
 *   update of the three entities (REST, panel, approval effects) and by the Excel import;
 * - a required field is enforced on create and when the record is edited (PUT on the record's own
 *   route): old records stay readable, listable and exportable without it until then;
 * - retired fields (and fields that do not apply to the record's place) are hidden, and their
 *   values are kept as they were: they cannot be changed, nor are they lost;
 * - list filters (`customFilters[key]=value`, boolean and choice fields) and the statistics
 *   dimension (`custom:<key>`), where the key is always looked up in the definitions and the value
 *   passed as a bound parameter, never as SQL.
 */
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import * as yup from 'yup';
import { checkedKey, conflictError, fieldError, fieldsError } from '../utils/validation';
import { dictionaries, entry, vocabulary, yesNoName } from './dictionaries';
import { actingUser } from './request-context';
import { routeIdentity } from '../security/route-identity';
import { onEveryWrite } from '../runtime/on-every-write';
import { fieldFormats, keyFromName, matchesFormat } from './field-formats';
import { accessScope, type Reach } from './request-context';

export const CUSTOM_FIELD = 'api::custom-field.custom-field';
export type Entity = 'child' | 'kindergarten' | 'staff' | 'safety-inspection' | 'incident' | 'resource-inventory' | 'healthCheck';
export type FieldType = 'text' | 'number' | 'date' | 'boolean' | 'choice' | 'region';
export const ENTITIES: Entity[] = ['child', 'kindergarten', 'staff', 'safety-inspection', 'incident', 'resource-inventory', 'healthCheck'];
export const FIELD_TYPES: FieldType[] = ['text', 'number', 'date', 'boolean', 'choice', 'region'];
export const ENTITY_UIDS: Record<Entity, string> = {
  child: 'api::child.child',
  kindergarten: 'api::kindergarten.kindergarten',
  staff: 'api::staff.staff',
  'safety-inspection': 'api::safety-inspection.safety-inspection',
  incident: 'api::incident.incident',
  'resource-inventory': 'api::resource-inventory.resource-inventory',
  healthCheck: 'api::child-health-check.child-health-check',
};
const ENTITY_OF_UID: Record<string, Entity> = Object.fromEntries(Object.entries(ENTITY_UIDS).map(([entity, uid]) => [uid, entity as Entity]));
/** The REST routes of each entity: a PUT on `<route>/:id` is an edit of the record. */
const ROUTES: Record<Entity, string> = {
  child: '/api/children', kindergarten: '/api/kindergartens', staff: '/api/staff-members',
  'safety-inspection': '/api/safety-inspections', incident: '/api/incidents', 'resource-inventory': '/api/resource-inventories',
  healthCheck: '/api/child-health-checks',
};
/** Where list filters on custom fields are read (the list, and the export of the list). */
const LIST_PATHS: Record<string, Entity> = {
  '/api/children': 'child', '/api/child-export': 'child', '/api/kindergartens': 'kindergarten', '/api/kindergarten-export': 'kindergarten',
  '/api/staff-members': 'staff', '/api/staff-export': 'staff',
  '/api/safety-inspections': 'safety-inspection', '/api/safety-export/inspections': 'safety-inspection',
  '/api/incidents': 'incident', '/api/safety-export/incidents': 'incident',
  '/api/resource-inventories': 'resource-inventory', '/api/safety-export/inventories': 'resource-inventory',
  '/api/child-health-checks': 'healthCheck', '/api/child-health-check-export': 'healthCheck',
};
const TTL_MS = 5000;
const UNIQUE_VIOLATIONS = new Set(['23505', 'SQLITE_CONSTRAINT_UNIQUE']);

export type Definition = {
  id: number;
  documentId: string;
  entity: Entity;
  key: string;
  label: string;
  type: FieldType;
  required: boolean;
  help: string | null;
  min: number | null;
  max: number | null;
  pattern: string | null;
  /** A named format of config/field-formats.json (手机号码, 邮政编码…); `pattern` is the experts' alternative. */
  format: string | null;
  codeTable: string | null;
  regionCode: string;
  province: string;
  retired: boolean;
  order: number;
};
export type Values = Record<string, unknown>;
export type CustomProblem = { key: string; message: string };

const numberOrNull = (value: unknown) => (value === null || value === undefined || value === '' ? null : Number(value));

function normalize(row: any): Definition {
  return {
    id: row.id, documentId: row.documentId, entity: row.entity, key: row.key, label: row.label, type: row.type,
    required: Boolean(row.required), help: row.help ?? null, min: numberOrNull(row.min), max: numberOrNull(row.max),
    pattern: row.pattern || null, format: row.format || null, codeTable: row.codeTable || null, regionCode: row.regionCode, province: row.province ?? String(row.regionCode ?? '').slice(0, 2),
    retired: Boolean(row.retired), order: Number(row.order ?? 0),
  };
}

/** The region prefix a region code stands for: 350000 → 35, 350500 → 3505, 350502 → 350502. */
export function regionPrefix(regionCode: string): string {
  if (/^\d{2}0000$/.test(regionCode)) return regionCode.slice(0, 2);
  if (/^\d{4}00$/.test(regionCode)) return regionCode.slice(0, 4);
  return regionCode;
}

/** Whether a definition applies to a record of this county. */
export function appliesTo(definition: Definition, countyCode: string | null | undefined): boolean {
  return typeof countyCode === 'string' && countyCode.startsWith(regionPrefix(definition.regionCode));
}

let cache: { at: number; list: Definition[] } | null = null;

/** Drops the cached definitions (after a write of a definition). */
export function clearDefinitions() {
  cache = null;
}

/** A definition written here or in another instance drops the cached definitions (cms/src/runtime/on-every-write.ts). */
export function subscribeDefinitionInvalidation(strapi: Core.Strapi): void {
  onEveryWrite(strapi, [CUSTOM_FIELD], clearDefinitions);
}

/** Every definition (active and retired), ordered; from the cache when it is younger than TTL_MS. */
export async function allDefinitions(strapi: Core.Strapi): Promise<Definition[]> {
  if (cache && Date.now() - cache.at < TTL_MS) return cache.list;
  const rows = await strapi.db.query(CUSTOM_FIELD as any).findMany({ orderBy: [{ order: 'asc' }, { id: 'asc' }] });
  cache = { at: Date.now(), list: rows.map(normalize) };
  return cache.list;
}

/** The active definitions of `entity` that apply to a record of `countyCode`. */
export async function activeDefinitions(strapi: Core.Strapi, entity: Entity, countyCode: string | null | undefined): Promise<Definition[]> {
  return (await allDefinitions(strapi)).filter((d) => d.entity === entity && !d.retired && appliesTo(d, countyCode));
}

/** The active definitions of `entity` that concern the reach (the columns of its lists and exports): the access scope's `overlapsRegion`. */
export async function definitionsForReach(strapi: Core.Strapi, entity: Entity, reach: Reach): Promise<Definition[]> {
  const scope = accessScope(strapi);
  return (await allDefinitions(strapi)).filter((d) => d.entity === entity && !d.retired && scope.overlapsRegion(reach, regionPrefix(d.regionCode)));
}

let regionCodes: Set<string> | null = null;
/** The GB/T 2260 codes (loaded once; region-typed values are checked against them). */
export async function ensureRegionCodes(strapi: Core.Strapi): Promise<Set<string>> {
  if (!regionCodes) {
    const rows = await strapi.db.query('api::region.region' as any).findMany({ select: ['code'] });
    regionCodes = new Set(rows.map((r: any) => String(r.code)));
  }
  return regionCodes;
}

function isRealDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** The yup schema of one field, with Chinese messages naming its label. */
export function fieldSchema(definition: Definition): yup.Schema {
  const { label, min, max } = definition;
  let schema: any;
  const format = definition.format ? fieldFormats()[definition.format] : undefined;
  switch (definition.type) {
    case 'number':
      schema = yup.number().typeError(`${label}须为数字`);
      if (format) schema = schema.test('format', `${label}${format.message}`, (v: unknown) => matchesFormat(format, v));
      if (min !== null) schema = schema.min(min, `${label}不能小于 ${min}`);
      if (max !== null) schema = schema.max(max, `${label}不能大于 ${max}`);
      break;
    case 'date':
      schema = yup.string().typeError(`${label}须为日期`).test('date', `${label}须为 YYYY-MM-DD 格式的有效日期`, (v) => v === undefined || v === null || isRealDate(v));
      break;
    case 'boolean':
      schema = yup.boolean().strict().typeError(`${label}须为“是”或“否”`);
      break;
    case 'choice':
      schema = yup.string().typeError(`${label}不是代码表中的值`).test('code', `${label}不是代码表中的值`, (v) => v === undefined || v === null || Boolean(entry(definition.codeTable ?? '', v)));
      break;
    case 'region':
      schema = yup.string().typeError(`${label}须为 6 位行政区划代码`).test('region', `${label}不是有效的行政区划代码`, (v) => v === undefined || v === null || Boolean(/^\d{6}$/.test(v) && regionCodes?.has(v)));
      break;
    default:
      schema = yup.string().strict().typeError(`${label}须为文字`);
      if (min !== null) schema = schema.min(min, `${label}至少 ${min} 个字`);
      if (max !== null) schema = schema.max(max, `${label}不超过 ${max} 个字`);
      if (format) schema = schema.test('format', `${label}${format.message}`, (v: unknown) => matchesFormat(format, v));
      else if (definition.pattern) schema = schema.matches(safeRegExp(definition.pattern), { message: `${label}格式不正确`, excludeEmptyString: true });
  }
  return definition.required ? schema.required(`${label}必填`).nonNullable(`${label}必填`) : schema.nullable().optional();
}

function safeRegExp(pattern: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch {
    return /$^/;
  }
}

/** The yup object schema of a set of definitions (values keyed by field key). */
export function valuesSchema(definitions: Definition[]) {
  return yup.object(Object.fromEntries(definitions.map((d) => [d.key, fieldSchema(d)])));
}

const isEmpty = (value: unknown) => value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * Checks the custom values written to a record, and merges them into the stored ones. Synchronous
 * (the Excel import checks rows with it): `active` are the definitions applying to the record,
 * `known` every definition of its entity in its province (retired, or for another part of it).
 * - unknown keys are refused; values of known but inactive fields may not change (they are kept);
 * - active values are validated (and cast: "12" → 12 for a number); empty means "no value";
 * - with `enforceRequired` (a create, or an edit of the record) every active field is validated
 *   on the merged values, so a required one must be there; otherwise only the values sent are.
 */
export function checkCustomValues(active: Definition[], known: Definition[], input: unknown, options: { previous?: Values | null; enforceRequired: boolean }): { values: Values; problems: CustomProblem[] } {
  const previous: Values = options.previous && typeof options.previous === 'object' && !Array.isArray(options.previous) ? options.previous : {};
  const problems: CustomProblem[] = [];
  if (input !== undefined && input !== null && (typeof input !== 'object' || Array.isArray(input))) {
    return { values: previous, problems: [{ key: '', message: '自定义字段须为 {字段键: 值} 的对象' }] };
  }
  const sent: Values = (input as Values) ?? {};
  const byKey = new Map(active.map((d) => [d.key, d]));
  const knownByKey = new Map(known.map((d) => [d.key, d]));
  const merged: Values = { ...previous };
  const toValidate: Definition[] = [];
  for (const [key, value] of Object.entries(sent)) {
    const definition = byKey.get(key);
    if (!definition) {
      const other = knownByKey.get(key);
      if (!other) problems.push({ key, message: `没有名为「${key}」的自定义字段` });
      else if (!same(value, previous[key])) problems.push({ key, message: `${other.label}${other.retired ? '已停用' : '不适用于该记录所在地区'}，不能修改` });
      continue;
    }
    if (isEmpty(value)) delete merged[key];
    else merged[key] = typeof value === 'string' ? value.trim() : value;
    toValidate.push(definition);
  }
  const checked = options.enforceRequired ? active : toValidate;
  if (checked.length) {
    const subset = Object.fromEntries(checked.filter((d) => merged[d.key] !== undefined).map((d) => [d.key, merged[d.key]]));
    try {
      const cast = valuesSchema(checked).validateSync(subset, { abortEarly: false, stripUnknown: true }) as Values;
      for (const d of checked) if (cast[d.key] !== undefined) merged[d.key] = cast[d.key];
    } catch (error: any) {
      if (!(error instanceof yup.ValidationError)) throw error;
      const inner = error.inner?.length ? error.inner : [error];
      for (const item of inner) {
        const key = String(item.path ?? '').replace(/^\["?|"?\]$/g, '');
        if (!problems.some((p) => p.key === key)) problems.push({ key, message: item.message });
      }
    }
  }
  return { values: merged, problems };
}

/** A 400 naming each field as ['customFields', key]. */
export function customFieldsError(problems: CustomProblem[]): errors.ValidationError {
  return new errors.ValidationError(problems.map((p) => p.message).join('；'), {
    errors: problems.map(({ key, message }) => ({ path: key ? ['customFields', key] : ['customFields'], message, name: 'ValidationError' })),
  });
}

/** Checks and merges the custom values of a record of `entity` in `countyCode` (async: loads definitions and region codes). */
export async function validateCustomFields(strapi: Core.Strapi, entity: Entity, countyCode: string | null | undefined, input: unknown, options: { previous?: Values | null; enforceRequired: boolean }) {
  const all = await allDefinitions(strapi);
  const province = typeof countyCode === 'string' ? countyCode.slice(0, 2) : '';
  const known = all.filter((d) => d.entity === entity && d.province === province);
  const active = known.filter((d) => !d.retired && appliesTo(d, countyCode));
  if (active.some((d) => d.type === 'region')) await ensureRegionCodes(strapi);
  return checkCustomValues(active, known, input, options);
}

/** Whether the current request is an edit of the record itself (PUT on its own REST route). */
function isRecordEdit(strapi: Core.Strapi, entity: Entity): boolean {
  const ctx: any = strapi.requestContext.get();
  if (!ctx || ctx.method !== 'PUT') return false;
  const path = routeIdentity(ctx);
  return path.startsWith(`${ROUTES[entity]}/`) && !path.slice(ROUTES[entity].length + 1).includes('/');
}

/** The values of a definition's attributes a user may set, checked; throws a 400 naming the field. */
async function checkDefinition(strapi: Core.Strapi, data: Record<string, any>, existing: Definition | null) {
  delete data.province;
  if (existing) {
    for (const field of ['entity', 'key', 'type', 'codeTable'] as const) {
      if (data[field] !== undefined && (data[field] || null) !== (existing[field] || null)) {
        throw fieldError(field, '字段的对象、键、类型和代码表创建后不能修改（已有记录的值依赖它们）：请停用该字段，另建新字段');
      }
    }
  }
  const value = (field: string) => (data[field] !== undefined ? data[field] : (existing as any)?.[field]);
  // the key names a property of every record's customFields, the code table one of the dictionaries
  if (value('key') !== undefined) checkedKey(value('key'), 'key');
  if (value('codeTable')) checkedKey(value('codeTable'), 'codeTable');
  const problems: { field: string; message: string }[] = [];
  if (!ENTITIES.includes(value('entity'))) problems.push({ field: 'entity', message: '适用对象须为幼儿、幼儿园、教职工、安全检查、意外事故、玩教具与图书或体检记录' });
  problems.push(...fieldDefinitionProblems(value));
  if (value('type') !== 'choice' && !existing) data.codeTable = null;
  if (problems.length) throw fieldsError(problems);
  if (data.label !== undefined) data.label = String(data.label).trim();
  const regionCode = value('regionCode');
  const region = /^\d{6}$/.test(String(regionCode ?? ''))
    ? await strapi.db.query('api::region.region' as any).findOne({ where: { code: regionCode }, select: ['code'] })
    : null;
  if (!region) throw fieldError('regionCode', '适用地区须为有效的行政区划代码（省 350000、市 350500 或县 350502）');
  data.province = String(regionCode).slice(0, 2);
}

/**
 * The rules of one field's definition, whatever holds it (a custom field, a field of a
 * collection task's form: cms/src/domain/collection-forms.ts): key, label, type, code table, range,
 * named format or pattern. `value(field)` reads the definition; `types` are the types allowed.
 */
export function fieldDefinitionProblems(value: (field: string) => any, types: readonly string[] = FIELD_TYPES): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  const type = value('type');
  if (!/^[a-z][a-z0-9_]{0,39}$/.test(String(value('key') ?? ''))) problems.push({ field: 'key', message: '字段键须以小写字母开头，只含小写字母、数字和下划线，最多 40 个字符' });
  if (!String(value('label') ?? '').trim()) problems.push({ field: 'label', message: '字段名称必填' });
  if (!types.includes(type)) problems.push({ field: 'type', message: '字段类型须为文本、数字、日期、是/否、代码表选项或行政区划' });
  if (type === 'choice') {
    if (!value('codeTable') || typeof value('codeTable') !== 'string' || !Object.hasOwn(dictionaries(), value('codeTable'))) problems.push({ field: 'codeTable', message: '代码表选项须选择一个已有的代码表' });
  }
  const min = numberOrNull(value('min'));
  const max = numberOrNull(value('max'));
  for (const [field, number] of [['min', min], ['max', max]] as const) {
    if (number === null) continue;
    if (!Number.isFinite(number)) problems.push({ field, message: '范围须为数字' });
    else if (type !== 'number' && type !== 'text') problems.push({ field, message: '只有数字和文本字段可以设定范围（文本为字数）' });
    else if (type === 'text' && !(Number.isInteger(number) && number >= 0)) problems.push({ field, message: '文本字数范围须为不小于 0 的整数' });
  }
  if (min !== null && max !== null && min > max) problems.push({ field: 'max', message: '最大值不能小于最小值' });
  const format = value('format');
  if (format) {
    const named = typeof format === 'string' && Object.hasOwn(fieldFormats(), format) ? fieldFormats()[format] : null;
    if (!named) problems.push({ field: 'format', message: `没有名为「${String(format)}」的格式：请从格式列表中选择` });
    else if (named.type !== type) problems.push({ field: 'format', message: `「${named.name}」格式只用于${named.type === 'number' ? '数字' : '文本'}字段` });
    if (value('pattern')) problems.push({ field: 'pattern', message: '已选择格式时不能再填写高级格式（正则表达式）：二者选一' });
  }
  const pattern = value('pattern');
  if (pattern) {
    if (type !== 'text') problems.push({ field: 'pattern', message: '只有文本字段可以设定高级格式（正则表达式）' });
    else {
      try {
        new RegExp(String(pattern));
      } catch {
        problems.push({ field: 'pattern', message: '高级格式不是有效的正则表达式' });
      }
    }
  }
  return problems;
}

/**
 * The key of a new field when none is given: the label in pinyin (是否接种疫苗 → shi_fou_jie_zhong_yi_miao),
 * unique among the keys of its entity in its province (retired fields included). People never type keys;
 * experts may, under 高级.
 */
async function generatedKey(strapi: Core.Strapi, data: Record<string, any>): Promise<string> {
  const province = /^\d{6}$/.test(String(data.regionCode ?? '')) ? String(data.regionCode).slice(0, 2) : '';
  const rows = await strapi.db.query(CUSTOM_FIELD as any).findMany({ where: { entity: data.entity, province }, select: ['key'] });
  return keyFromName(String(data.label ?? ''), rows.map((row: any) => row.key), 'field');
}

function isUniqueViolation(error: any): boolean {
  const code = error?.code ?? error?.cause?.code;
  const text = `${error?.constraint ?? ''} ${error?.message ?? ''}`;
  return UNIQUE_VIOLATIONS.has(code) && /custom_fields/.test(text);
}

async function definitionRules(strapi: Core.Strapi, context: any, next: () => Promise<unknown>) {
  const data = context.params?.data;
  if (!data) return next();
  const creating = context.action === 'create';
  const existingRow = creating ? null : await strapi.db.query(CUSTOM_FIELD as any).findOne({ where: { documentId: context.params.documentId } });
  const existing = existingRow ? normalize(existingRow) : null;
  if (creating && (data.key === undefined || data.key === null || data.key === '')) data.key = await generatedKey(strapi, data);
  await checkDefinition(strapi, data, existing);
  const entity = data.entity ?? existing?.entity;
  const key = data.key ?? existing?.key;
  const taken = await strapi.db.query(CUSTOM_FIELD as any).findOne({
    where: { entity, key, province: data.province, ...(existing ? { id: { $ne: existing.id } } : {}) }, select: ['id'],
  });
  const duplicate = () => conflictError(`本省已有键为「${key}」的${{ child: '幼儿', kindergarten: '幼儿园', staff: '教职工', 'safety-inspection': '安全检查', incident: '意外事故', 'resource-inventory': '玩教具与图书', healthCheck: '体检记录' }[entity as Entity] ?? ''}自定义字段（含已停用的）`, ['key']);
  if (taken) throw duplicate();
  try {
    return await next();
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicate();
    throw error;
  } finally {
    clearDefinitions();
  }
}

/** The definitions a list filter names: `customFilters[key]=value`, boolean and choice fields only. */
async function filterOf(strapi: Core.Strapi, entity: Entity, raw: unknown): Promise<Record<string, unknown>[]> {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw fieldError('customFilters', '自定义字段筛选须为 customFilters[字段键]=值');
  const all = (await allDefinitions(strapi)).filter((d) => d.entity === entity);
  const postgres = strapi.db.dialect.client === 'postgres';
  const conditions: Record<string, unknown>[] = [];
  for (const [key, text] of Object.entries(raw as Record<string, unknown>)) {
    checkedKey(key, 'customFilters');
    if (text === undefined || text === '') continue;
    const definition = all.find((d) => d.key === key);
    if (!definition || !['boolean', 'choice'].includes(definition.type)) {
      throw new errors.ValidationError(`没有可筛选的自定义字段「${key}」`, { errors: [{ path: ['customFilters', key], message: `没有可筛选的自定义字段「${key}」`, name: 'ValidationError' }] });
    }
    let value: unknown = text;
    if (definition.type === 'boolean') {
      if (text === true || text === 'true') value = true;
      else if (text === false || text === 'false') value = false;
      else throw new errors.ValidationError(`${definition.label}的筛选值须为 true 或 false`, { errors: [{ path: ['customFilters', key], message: `${definition.label}的筛选值须为 true 或 false`, name: 'ValidationError' }] });
    } else if (typeof text !== 'string' || !entry(definition.codeTable ?? '', text)) {
      throw new errors.ValidationError(`${definition.label}的筛选值不是代码表中的值`, { errors: [{ path: ['customFilters', key], message: `${definition.label}的筛选值不是代码表中的值`, name: 'ValidationError' }] });
    }
    // PostgreSQL: jsonb containment (@>); SQLite: the JSON text as Strapi writes it ({"key":value}),
    // where a quote inside a string value is always escaped, so `"key":value` matches only the key.
    conditions.push(postgres
      ? { customFields: { $jsonSupersetOf: JSON.stringify({ [key]: value }) } }
      : { customFields: { $contains: `${JSON.stringify(key)}:${JSON.stringify(value)}` } });
  }
  return conditions;
}

/**
 * Document-service middleware: definitions are checked on create and update (and the cache
 * dropped); the three entities' custom values are validated and merged on create and update;
 * list filters on custom fields are added to the lists (and the export) of the three entities.
 */
export function customFieldsMiddleware(strapi: Core.Strapi) {
  return async (context: any, next: () => Promise<unknown>) => {
    if (context.uid === CUSTOM_FIELD) {
      if (context.action === 'delete') throw new errors.ForbiddenError('自定义字段不能删除：请停用它（已有的值会保留）');
      if (['create', 'update'].includes(context.action)) return definitionRules(strapi, context, next);
      return next();
    }
    const entity = ENTITY_OF_UID[context.uid];
    if (!entity) return next();
    if (context.action === 'findMany' || context.action === 'count') {
      const ctx: any = strapi.requestContext.get();
      let raw = ctx?.query?.customFilters;
      if (raw === undefined && typeof ctx?.query?.filter === 'string' && ctx.query.filter.includes('customFilters')) {
        try {
          raw = JSON.parse(ctx.query.filter)?.customFilters; // the export of a list: its react-admin filter
        } catch {
          raw = undefined;
        }
      }
      if (raw !== undefined && LIST_PATHS[routeIdentity(ctx)] === entity) {
        const conditions = await filterOf(strapi, entity, raw);
        if (conditions.length) {
          const existing = context.params?.filters;
          context.params = { ...context.params, filters: existing && Object.keys(existing).length ? { $and: [existing, ...conditions] } : { $and: conditions } };
        }
      }
      return next();
    }
    if (!['create', 'update'].includes(context.action)) return next();
    const data = context.params?.data;
    if (!data) return next();
    const creating = context.action === 'create';
    const edit = creating || (Boolean(actingUser(strapi)) && isRecordEdit(strapi, entity));
    if (!creating && !edit && data.customFields === undefined) return next();
    const existing = creating ? null : await strapi.db.query(context.uid).findOne({ where: { documentId: context.params.documentId }, select: ['countyCode', 'customFields'] });
    const countyCode = data.countyCode ?? existing?.countyCode;
    const { values, problems } = await validateCustomFields(strapi, entity, countyCode, data.customFields, { previous: existing?.customFields, enforceRequired: edit });
    if (problems.length) throw customFieldsError(problems);
    data.customFields = Object.keys(values).length || data.customFields !== undefined || existing?.customFields ? values : null;
    return next();
  };
}

/** How a definition's value reads in a cell (exports): codes as their names, yes/no in Chinese. */
export function displayValue(definition: Definition, value: unknown): string {
  if (value === undefined || value === null || value === '') return '';
  if (definition.type === 'boolean') return value === true || value === false ? yesNoName(value) : String(value);
  if (definition.type === 'choice') return entry(definition.codeTable ?? '', value)?.name ?? String(value);
  return String(value);
}

const SAFE_KEY = /^[a-z][a-z0-9_]{0,39}$/;

/** A field key about to be inlined into SQL: the key pattern again (a key of a stored definition, checked when saved). */
export function assertSafeKey(key: string): string {
  if (!SAFE_KEY.test(key)) throw new Error(`unsafe custom field key ${key}`);
  return key;
}

/**
 * The SQL expression of a custom value as text, for GROUP BY: PostgreSQL `->>` on the jsonb
 * column; SQLite json_type/json_extract (booleans as 'true'/'false', as PostgreSQL writes them).
 * The key is inlined (a bound parameter in both SELECT and GROUP BY is two different expressions
 * to PostgreSQL): it must be a key of a definition, and is checked against the key pattern again.
 */
export function customFieldSql(client: string, column: string, key: string): string {
  assertSafeKey(key);
  if (!/^[a-z_.]+$/.test(column)) throw new Error(`unsafe column ${column}`);
  if (client === 'postgres') return `(${column} ->> '${key}')`;
  return `(CASE json_type(${column}, '$.${key}') WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE json_extract(${column}, '$.${key}') END)`;
}

/**
 * A chart dimension of a child custom field (`custom:<key>`): a boolean or choice field of the
 * children that concerns the reach. Null when the name is not of that form; a 400 naming
 * `dimension` when no such field exists.
 */
export async function customDimension(strapi: Core.Strapi, name: unknown, reach: Reach) {
  const match = typeof name === 'string' ? name.match(/^custom:(.+)$/) : null;
  if (!match) return null;
  const definition = (await definitionsForReach(strapi, 'child', reach)).find((d) => d.key === match[1] && (d.type === 'boolean' || d.type === 'choice'));
  if (!definition || !SAFE_KEY.test(definition.key)) throw fieldError('dimension', `未知的维度：${name}（须为幼儿的“是/否”或代码表自定义字段）`);
  const labels = new Map<string, string>(definition.type === 'boolean'
    ? vocabulary().yesNo.map((item) => [item.code, item.name] as [string, string])
    : (dictionaries()[definition.codeTable ?? ''] ?? []).map((e) => [e.code, e.name] as [string, string]));
  return { definition, dimension: { label: definition.label, kind: 'childCustom' as const, column: definition.key, sources: ['children' as const] }, labels };
}

/** The chart dimensions of the child custom fields that concern the reach (for the pickers). */
export async function customDimensions(strapi: Core.Strapi, reach: Reach) {
  return (await definitionsForReach(strapi, 'child', reach))
    .filter((d) => d.type === 'boolean' || d.type === 'choice')
    .map((d) => ({ key: `custom:${d.key}`, label: `${d.label}（自定义字段）`, kind: 'childCustom' }));
}
