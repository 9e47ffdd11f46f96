/**
 * The form of a collection task (专项填报, docs/collection-tasks.md) as data: sections of fields of
 * the custom fields' types, presets and code tables (the same definition rules,
 * custom-fields.ts `fieldDefinitionProblems`; the same value rules, `checkCustomValues`), plus
 * repeating tables (one row per class…) and file uploads. Also the task's Excel workbooks: the
 * template a kindergarten fills, its reading (cells as the children's import reads them,
 * cms/src/domain/import), and the export of every answer (one sheet per repeating table).
 */
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { excel } from '../runtime/excel';
import { checkCustomValues, displayValue, ensureRegionCodes, fieldDefinitionProblems, FIELD_TYPES, type Definition, type Values } from './custom-fields';
import { keyFromName } from './field-formats';
import { dictionaries, stateName } from './dictionaries';
import { codeOf, headerKey, TABLE_NAMES } from './import/columns';
import { normalizeText, parseDateText, serialToDate } from './import/workbook';
import { DATE_FORMAT, TEXT_FORMAT, fitColumns } from './sheet-cells';

export type FormField = {
  key: string;
  label: string;
  type: string;
  required?: boolean;
  help?: string | null;
  min?: number | null;
  max?: number | null;
  pattern?: string | null;
  format?: string | null;
  codeTable?: string | null;
  /** A repeating table's columns (fields of the scalar types). */
  columns?: FormField[];
  /** A repeating table's bounds on its rows. */
  minRows?: number | null;
  maxRows?: number | null;
};
export type FormSection = { title: string; fields: FormField[] };
/**
 * A cross-field rule, checked on submit (`ruleProblems`):
 * - `compare`: number field `field` `op` number field `other` (e.g. 在园幼儿数 ≤ 核定学位数);
 * - `requiredIf`: `field` must be filled when field `when` equals `equals` (a yes/no or a code);
 * - `sum`: the sum of a repeating table's number column `table`.`column` equals number field `field`.
 */
export type FormRule =
  | { kind: 'compare'; field: string; op: '<=' | '<' | '>=' | '>' | '='; other: string }
  | { kind: 'requiredIf'; field: string; when: string; equals: string | boolean }
  | { kind: 'sum'; table: string; column: string; field: string };
export type FormRuleWithText = FormRule & { text?: string };
export type TaskForm = { sections: FormSection[]; rules?: FormRuleWithText[] };
export type AnswerProblem = { path: (string | number)[]; message: string };

/** The scalar types are the custom fields' (custom-fields.ts FIELD_TYPES); a form adds these two. */
export const FORM_TYPES = [...FIELD_TYPES, 'file', 'table'] as const;
const MAX_FIELDS = 200;
const MAX_ROWS = 500;

const numberOrNull = (value: unknown) => (value === null || value === undefined || value === '' ? null : Number(value));

/** A form field as the custom fields' rules read it. */
export function definitionOf(field: FormField): Definition {
  return {
    id: 0, documentId: '', entity: 'kindergarten', key: field.key, label: field.label, type: field.type as any,
    required: Boolean(field.required), help: field.help ?? null, min: numberOrNull(field.min), max: numberOrNull(field.max),
    pattern: field.pattern || null, format: field.format || null, codeTable: field.codeTable || null,
    regionCode: '', province: '', retired: false, order: 0,
  };
}

/** Every field of a form, in order (tables as one field). */
export function fieldsOf(form: TaskForm | null | undefined): FormField[] {
  return (form?.sections ?? []).flatMap((section) => section.fields ?? []);
}

const scalar = (field: FormField) => field.type !== 'table' && field.type !== 'file';

/**
 * Checks and normalises a designed form: sections with a title; fields with a label, a type (the
 * custom fields' or file or table), a key (from the label in pinyin when not given, unique in the
 * form), the custom fields' rules on code tables, ranges and formats; tables with columns of the
 * scalar types. Throws a 400 naming each problem by its path (`form.sections.0.fields.1.codeTable`).
 */
export function checkForm(input: unknown): TaskForm {
  const problems: { field: string; message: string }[] = [];
  const raw: any = input;
  if (!raw || typeof raw !== 'object' || !Array.isArray(raw.sections) || raw.sections.length === 0) {
    throw new errors.ValidationError('表单须至少有一个分组', { errors: [{ path: ['form', 'sections'], message: '表单须至少有一个分组', name: 'ValidationError' }] });
  }
  const taken = new Set<string>();
  let count = 0;
  const field = (f: any, at: string, inTable: boolean): FormField => {
    count += 1;
    const label = String(f?.label ?? '').trim();
    let key = typeof f?.key === 'string' && f.key ? f.key : keyFromName(label, taken, 'field');
    if (!inTable && taken.has(key)) problems.push({ field: `${at}.key`, message: `字段键「${key}」在表单中重复` });
    if (!inTable) taken.add(key);
    const type = String(f?.type ?? '');
    const value = (name: string) => (name === 'key' ? key : name === 'label' ? label : f?.[name]);
    const own = fieldDefinitionProblems(value, inTable ? FIELD_TYPES : FORM_TYPES)
      .map((p) => ({ field: `${at}.${p.field}`, message: `${label || at}：${p.message}` }));
    problems.push(...own);
    const result: FormField = {
      key, label, type, required: Boolean(f?.required), help: f?.help ? String(f.help).slice(0, 200) : null,
      min: numberOrNull(f?.min), max: numberOrNull(f?.max), pattern: f?.pattern || null, format: f?.format || null,
      codeTable: type === 'choice' ? f?.codeTable ?? null : null,
    };
    if (type === 'table') {
      if (!Array.isArray(f?.columns) || f.columns.length === 0) problems.push({ field: `${at}.columns`, message: `${label}：重复表格须至少有一列` });
      const columnKeys = new Set<string>();
      result.columns = (Array.isArray(f?.columns) ? f.columns : []).map((c: any, i: number) => {
        const column = field(c, `${at}.columns.${i}`, true);
        if (columnKeys.has(column.key)) problems.push({ field: `${at}.columns.${i}.key`, message: `${label}：列键「${column.key}」重复` });
        columnKeys.add(column.key);
        return column;
      });
      result.min = null;
      result.max = null;
      result.minRows = numberOrNull(f?.minRows);
      result.maxRows = numberOrNull(f?.maxRows);
      for (const bound of ['minRows', 'maxRows'] as const) {
        const n = result[bound];
        if (n !== null && n !== undefined && !(Number.isInteger(n) && n >= 0 && n <= MAX_ROWS)) problems.push({ field: `${at}.${bound}`, message: `${label}：行数须为 0 到 ${MAX_ROWS} 的整数` });
      }
      if (result.minRows != null && result.maxRows != null && result.minRows > result.maxRows) problems.push({ field: `${at}.maxRows`, message: `${label}：最多行数不能小于最少行数` });
    }
    return result;
  };
  const sections = raw.sections.map((s: any, i: number) => {
    const title = String(s?.title ?? '').trim();
    if (!title) problems.push({ field: `form.sections.${i}.title`, message: `第 ${i + 1} 个分组须有标题` });
    if (!Array.isArray(s?.fields)) problems.push({ field: `form.sections.${i}.fields`, message: `分组「${title}」的字段须为列表` });
    return { title, fields: (Array.isArray(s?.fields) ? s.fields : []).map((f: any, j: number) => field(f, `form.sections.${i}.fields.${j}`, false)) };
  });
  if (count > MAX_FIELDS) problems.push({ field: 'form.sections', message: `表单最多 ${MAX_FIELDS} 个字段` });
  const rules = checkRules(raw.rules, sections.flatMap((section: FormSection) => section.fields), problems);
  if (problems.length) {
    throw new errors.ValidationError(problems.map((p) => p.message).join('；'), {
      errors: problems.map(({ field: path, message }) => ({ path: path.split('.'), message, name: 'ValidationError' })),
    });
  }
  // each rule carries its words (ruleText), as the designer and the generated form show it
  return rules.length ? { sections, rules: rules.map((rule) => ({ ...rule, text: ruleText(rule, { sections }) })) } : { sections };
}

const OPS: Record<string, { text: string; holds: (a: number, b: number) => boolean }> = {
  '<=': { text: '小于或等于', holds: (a, b) => a <= b },
  '<': { text: '小于', holds: (a, b) => a < b },
  '>=': { text: '大于或等于', holds: (a, b) => a >= b },
  '>': { text: '大于', holds: (a, b) => a > b },
  '=': { text: '等于', holds: (a, b) => a === b },
};
const MAX_RULES = 50;

/** Checks a form's cross-field rules against its fields: each names fields that exist, of the right type. */
function checkRules(input: unknown, fields: FormField[], problems: { field: string; message: string }[]): FormRule[] {
  if (input === undefined || input === null) return [];
  if (!Array.isArray(input) || input.length > MAX_RULES) {
    problems.push({ field: 'form.rules', message: `校验规则须为列表，最多 ${MAX_RULES} 条` });
    return [];
  }
  const find = (key: unknown, types: string[] | null) => fields.find((f) => f.key === key && (!types || types.includes(f.type)));
  return input.map((r: any, i: number) => {
    const at = `form.rules.${i}`;
    const bad = (name: string, message: string) => problems.push({ field: `${at}.${name}`, message: `第 ${i + 1} 条校验规则：${message}` });
    if (r?.kind === 'compare') {
      if (!find(r.field, ['number'])) bad('field', '须选择一个数字字段');
      if (!OPS[r.op]) bad('op', '比较方式须为 <=、<、>=、> 或 =');
      if (!find(r.other, ['number']) || r.other === r.field) bad('other', '须选择另一个数字字段');
      return { kind: 'compare', field: String(r.field), op: r.op, other: String(r.other) } as FormRule;
    }
    if (r?.kind === 'requiredIf') {
      const target = find(r.field, null);
      if (!target || target.type === 'table') bad('field', '须选择一个字段（重复表格用“最少行数”）');
      const when = find(r.when, ['boolean', 'choice']);
      if (!when || r.when === r.field) bad('when', '条件须为另一个是/否或代码表字段');
      const equals = when?.type === 'boolean' ? r.equals === true || r.equals === 'true' : String(r.equals ?? '');
      if (when?.type === 'choice' && !(dictionaries()[when.codeTable ?? ''] ?? []).some((e) => e.code === equals)) bad('equals', `条件值须为「${when.label}」代码表中的值`);
      return { kind: 'requiredIf', field: String(r.field), when: String(r.when), equals } as FormRule;
    }
    if (r?.kind === 'sum') {
      const table = find(r.table, ['table']);
      if (!table) bad('table', '须选择一个重复表格');
      else if (!table.columns?.some((c) => c.key === r.column && c.type === 'number')) bad('column', `须选择「${table.label}」的一个数字列`);
      if (!find(r.field, ['number'])) bad('field', '须选择一个数字字段');
      return { kind: 'sum', table: String(r.table), column: String(r.column), field: String(r.field) } as FormRule;
    }
    bad('kind', '规则类型须为 compare（比较）、requiredIf（条件必填）或 sum（表格列合计）');
    return null as unknown as FormRule;
  }).filter(Boolean);
}

/** A rule in words, as the generated form shows it above the submit button (and the designer lists it). */
export function ruleText(rule: FormRule, form: TaskForm): string {
  const fields = fieldsOf(form);
  const label = (key: string) => fields.find((f) => f.key === key)?.label ?? key;
  if (rule.kind === 'compare') return `${label(rule.field)}须${OPS[rule.op]?.text ?? rule.op}${label(rule.other)}`;
  if (rule.kind === 'sum') {
    const table = fields.find((f) => f.key === rule.table);
    return `${table?.label ?? rule.table}的「${table?.columns?.find((c) => c.key === rule.column)?.label ?? rule.column}」合计须等于${label(rule.field)}`;
  }
  const when = fields.find((f) => f.key === rule.when);
  const value = when ? displayValue(definitionOf(when), rule.equals) : String(rule.equals);
  return `${label(rule.when)}为“${value}”时，${label(rule.field)}必填`;
}

/**
 * The cross-field rules a submission breaks, each naming its fields (path `answers.<field>`): a
 * comparison between two filled numbers, a field required by another's value, a table column's sum.
 */
export function ruleProblems(form: TaskForm, answers: Values): AnswerProblem[] {
  const problems: AnswerProblem[] = [];
  const fields = fieldsOf(form);
  const label = (key: string) => fields.find((f) => f.key === key)?.label ?? key;
  const number = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null);
  for (const rule of form.rules ?? []) {
    if (rule.kind === 'compare') {
      const a = number(answers[rule.field]);
      const b = number(answers[rule.other]);
      if (a !== null && b !== null && !OPS[rule.op].holds(a, b)) {
        problems.push({ path: ['answers', rule.field], message: `${label(rule.field)}（${a}）须${OPS[rule.op].text}${label(rule.other)}（${b}）` });
      }
    } else if (rule.kind === 'requiredIf') {
      if (answers[rule.when] === rule.equals && isEmpty(answers[rule.field])) problems.push({ path: ['answers', rule.field], message: `${ruleText(rule, form)}` });
    } else if (rule.kind === 'sum') {
      const rows = Array.isArray(answers[rule.table]) ? (answers[rule.table] as Values[]) : [];
      const total = number(answers[rule.field]);
      const sum = rows.reduce((s, row) => s + (number(row?.[rule.column]) ?? 0), 0);
      if (total !== null && Math.abs(sum - total) > 1e-9) {
        problems.push({ path: ['answers', rule.field], message: `${ruleText(rule, form)}（合计 ${sum}，${label(rule.field)} ${total}）` });
      }
    }
  }
  return problems;
}

/** Whether a form has at least one field to fill. */
export function hasFields(form: TaskForm | null | undefined): boolean {
  return fieldsOf(form).length > 0;
}

const isEmpty = (value: unknown) => value === undefined || value === null || (typeof value === 'string' && value.trim() === '') || (Array.isArray(value) && value.length === 0);

/**
 * Checks the answers sent for a task and merges them into the stored ones. The scalar fields go
 * through the custom fields' rules (checkCustomValues: type, range, format, code of its table,
 * required); a table is a list of rows, each checked the same way against its columns; a file is
 * `{ id }` of a file uploaded through /api/upload. With `enforceRequired` (a submission) every
 * required field, table (at least `minRows` rows, 1 when required) and file must be there, and the
 * form's cross-field rules hold (`ruleProblems`).
 */
export async function checkAnswers(strapi: Core.Strapi, form: TaskForm, input: unknown, options: { previous?: Values | null; enforceRequired: boolean }): Promise<{ values: Values; problems: AnswerProblem[] }> {
  const previous: Values = options.previous && typeof options.previous === 'object' && !Array.isArray(options.previous) ? options.previous : {};
  if (input !== undefined && input !== null && (typeof input !== 'object' || Array.isArray(input))) {
    return { values: previous, problems: [{ path: ['answers'], message: '填报内容须为 {字段键: 值} 的对象' }] };
  }
  const sent: Values = (input as Values) ?? {};
  const fields = fieldsOf(form);
  if (fields.some((f) => f.type === 'region' || f.columns?.some((c) => c.type === 'region'))) await ensureRegionCodes(strapi);
  const scalars = fields.filter(scalar).map(definitionOf);
  const scalarSent = Object.fromEntries(Object.entries(sent).filter(([key]) => !fields.some((f) => f.key === key && !scalar(f))));
  const scalarPrevious = Object.fromEntries(Object.entries(previous).filter(([key]) => scalars.some((d) => d.key === key)));
  const checked = checkCustomValues(scalars, scalars, scalarSent, { previous: scalarPrevious, enforceRequired: options.enforceRequired });
  const problems: AnswerProblem[] = checked.problems.map((p) => ({ path: ['answers', p.key], message: p.key && !scalars.some((d) => d.key === p.key) ? `表单中没有字段「${p.key}」` : p.message }));
  const values: Values = { ...checked.values };
  for (const field of fields.filter((f) => !scalar(f))) {
    const value = Object.hasOwn(sent, field.key) ? sent[field.key] : previous[field.key];
    if (field.type === 'table') {
      if (value === undefined || value === null) {
        if (options.enforceRequired && (field.required || (field.minRows ?? 0) > 0)) problems.push({ path: ['answers', field.key], message: `${field.label}须至少填写 ${Math.max(1, field.minRows ?? 0)} 行` });
        continue;
      }
      if (!Array.isArray(value)) {
        problems.push({ path: ['answers', field.key], message: `${field.label}须为行的列表` });
        continue;
      }
      const columns = (field.columns ?? []).map(definitionOf);
      const rows: Values[] = [];
      value.forEach((row, i) => {
        const result = checkCustomValues(columns, columns, row, { enforceRequired: options.enforceRequired });
        for (const p of result.problems) problems.push({ path: ['answers', field.key, i, p.key], message: `${field.label}第 ${i + 1} 行：${p.key && !columns.some((c) => c.key === p.key) ? `没有列「${p.key}」` : p.message}` });
        rows.push(result.values);
      });
      const min = field.minRows ?? (field.required ? 1 : 0);
      if (options.enforceRequired && rows.length < min) problems.push({ path: ['answers', field.key], message: `${field.label}须至少填写 ${Math.max(1, min)} 行` });
      if (rows.length > (field.maxRows ?? MAX_ROWS)) problems.push({ path: ['answers', field.key], message: `${field.label}最多 ${field.maxRows ?? MAX_ROWS} 行` });
      values[field.key] = rows;
    } else {
      if (isEmpty(value)) {
        delete values[field.key];
        if (options.enforceRequired && field.required) problems.push({ path: ['answers', field.key], message: `${field.label}须上传文件` });
        continue;
      }
      const id = typeof value === 'object' ? Number((value as any).id) : Number(value);
      const file = Number.isInteger(id) && id > 0 ? await strapi.db.query('plugin::upload.file').findOne({ where: { id }, select: ['id', 'name', 'url'] }) : null;
      if (!file) problems.push({ path: ['answers', field.key], message: `${field.label}：没有这个已上传的文件，请重新上传` });
      else values[field.key] = { id: file.id, name: file.name, url: file.url };
    }
  }
  // the cross-field rules (form.rules) are checked on submit, on answers that are each valid
  if (options.enforceRequired && problems.length === 0) problems.push(...ruleProblems(form, values));
  return { values, problems };
}

/** A 400 naming each answer problem by its path (['answers', key] or ['answers', table, row, column]). */
export function answersError(problems: AnswerProblem[]): errors.ValidationError {
  return new errors.ValidationError(problems.map((p) => p.message).join('；'), {
    errors: problems.map(({ path, message }) => ({ path: path.map(String), message, name: 'ValidationError' })),
  });
}

/* ───────────────────────── workbooks ───────────────────────── */

const MAIN_SHEET = '填报';
const REQUIRED_FILL = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFDE9D9' } } as const;
const HEADER_FILL = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDCE6F1' } } as const;

/** A sheet's name from a table's label: Excel's forbidden characters out, 31 characters at most, unique. */
function sheetNames(form: TaskForm): Map<string, string> {
  const used = new Set([MAIN_SHEET, '说明']);
  const names = new Map<string, string>();
  for (const field of fieldsOf(form).filter((f) => f.type === 'table')) {
    let name = field.label.replace(/[\\/?*[\]:]/g, ' ').slice(0, 28) || field.key;
    for (let n = 2; used.has(name); n += 1) name = `${name.slice(0, 25)}(${n})`;
    used.add(name);
    names.set(field.key, name);
  }
  return names;
}

function hintOf(field: FormField): string {
  const parts = [field.help ?? ''];
  if (field.type === 'choice') parts.push(`从下拉列表选择（${TABLE_NAMES[field.codeTable ?? ''] ?? field.codeTable}），或填写代码`);
  if (field.type === 'boolean') parts.push('填“是”或“否”');
  if (field.type === 'date') parts.push('日期：2021-03-05、2021/3/5 或 20210305');
  if (field.type === 'number') parts.push('数字');
  if (field.type === 'region') parts.push('6 位行政区划代码，如 350502');
  return parts.filter(Boolean).join('；');
}

function choiceList(field: FormField): string | null {
  if (field.type === 'boolean') return '"是,否"';
  if (field.type !== 'choice') return null;
  const names = (dictionaries()[field.codeTable ?? ''] ?? []).filter((e: any) => !e.retired).map((e) => e.name);
  const text = names.join(',');
  return names.length && text.length < 250 && !/[",]/.test(names.join('')) ? `"${text}"` : null;
}

function cellOf(field: FormField, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (field.type === 'boolean' || field.type === 'choice') return displayValue(definitionOf(field), value);
  if (field.type === 'number') return Number(value);
  return String(value);
}

/**
 * The task's Excel template for one kindergarten (its answers so far filled in): sheet 填报 with one
 * row per field (名称, 填写内容), one sheet per repeating table (a column per table column, a row per
 * table row), and 说明. Required fields are marked * (red), choices have drop-downs.
 */
export async function buildTaskTemplate(task: { title: string; form: TaskForm; instructions?: string | null }, answers: Values = {}): Promise<Buffer> {
  const workbook = new (excel().Workbook)();
  workbook.creator = '全国学前教育管理信息系统';
  const main = workbook.addWorksheet(MAIN_SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
  main.columns = [{ header: '填报项目', key: 'label', width: 24 }, { header: '填写内容', key: 'value', width: 30 }, { header: '说明', key: 'hint', width: 40 }];
  main.getRow(1).font = { bold: true };
  const names = sheetNames(task.form);
  for (const field of fieldsOf(task.form)) {
    if (field.type === 'file') continue;
    if (field.type === 'table') {
      main.addRow({ label: field.label, value: `见工作表「${names.get(field.key)}」`, hint: '每行填写一条' }).getCell(2).font = { italic: true, color: { argb: 'FF808080' } };
      continue;
    }
    const row = main.addRow({ label: `${field.required ? '*' : ''}${field.label}`, value: cellOf(field, answers[field.key]), hint: hintOf(field) });
    row.getCell(1).fill = field.required ? REQUIRED_FILL : HEADER_FILL;
    const cell = row.getCell(2);
    if (field.type === 'date') cell.numFmt = DATE_FORMAT;
    else if (field.type !== 'number') cell.numFmt = TEXT_FORMAT;
    const list = choiceList(field);
    if (list) cell.dataValidation = { type: 'list', allowBlank: true, formulae: [list], showErrorMessage: false };
  }
  for (const field of fieldsOf(task.form).filter((f) => f.type === 'table')) {
    const sheet = workbook.addWorksheet(names.get(field.key)!, { views: [{ state: 'frozen', ySplit: 1 }] });
    const columns = field.columns ?? [];
    sheet.columns = columns.map((c) => ({ header: `${c.required ? '*' : ''}${c.label}`, key: c.key, width: 14 }));
    const header = sheet.getRow(1);
    header.font = { bold: true };
    columns.forEach((c, i) => {
      const cell = header.getCell(i + 1);
      cell.fill = c.required ? REQUIRED_FILL : HEADER_FILL;
      const hint = hintOf(c);
      if (hint) cell.note = hint;
      if (c.type === 'date') sheet.getColumn(i + 1).numFmt = DATE_FORMAT;
      else if (c.type !== 'number') sheet.getColumn(i + 1).numFmt = TEXT_FORMAT;
      const list = choiceList(c);
      const letter = String.fromCharCode(65 + i);
      if (list && i < 26) (sheet as any).dataValidations.add(`${letter}2:${letter}${(field.maxRows ?? 100) + 1}`, { type: 'list', allowBlank: true, formulae: [list], showErrorMessage: false });
    });
    const rows = Array.isArray(answers[field.key]) ? (answers[field.key] as Values[]) : [];
    for (const r of rows) sheet.addRow(columns.map((c) => cellOf(c, r[c.key])));
    fitColumns(sheet, { min: 10 });
  }
  const help = workbook.addWorksheet('说明');
  help.getColumn(1).width = 100;
  [task.title, task.instructions ?? '', '',
    `1. 在“${MAIN_SHEET}”表的“填写内容”列逐项填写；带 * 的为必填项（提交时检查）。不要修改“填报项目”列。`,
    '2. 每个重复表格一张工作表：第 1 行为列名，第 2 行起每行一条。',
    '3. 代码项从下拉列表选择名称，也可以直接填写代码；是/否项填“是”或“否”；日期可写作 2021-03-05、2021/3/5 或 20210305。',
    '4. 不要使用公式和合并单元格；上传后保存为草稿，在页面上检查后再提交。附件请在页面上上传。',
  ].forEach((text, i) => { const row = help.addRow([text]); if (i === 0) row.font = { bold: true, size: 14 }; });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

export type ImportProblem = { sheet: string; row: number; column: string; message: string };

/** A cell → its text, as the children's import reads cells (full-width folded; dates from date cells or serials). */
function cellText(value: any, field: FormField): { text: string; error?: string } {
  if (value === null || value === undefined) return { text: '' };
  if (typeof value === 'object' && ('formula' in value || 'sharedFormula' in value)) return { text: '', error: '单元格含公式：请“选择性粘贴 → 数值”' };
  if (value instanceof Date) return { text: value.toISOString().slice(0, 10) };
  if (typeof value === 'object' && Array.isArray(value.richText)) value = value.richText.map((r: any) => r.text).join('');
  if (typeof value === 'object' && 'text' in value) value = value.text;
  if (typeof value === 'number' && field.type === 'date') return { text: serialToDate(value) ?? String(value) };
  return { text: normalizeText(String(value)) };
}

/** A cell's text → the value the rules check; a problem when it cannot be one. */
function parsedValue(field: FormField, text: string): { value?: unknown; error?: string } {
  if (!text) return { value: undefined };
  switch (field.type) {
    case 'number': return Number.isFinite(Number(text)) ? { value: Number(text) } : { error: `${field.label}须为数字` };
    case 'boolean': return text === '是' ? { value: true } : text === '否' ? { value: false } : { error: `${field.label}须填“是”或“否”` };
    case 'date': { const date = parseDateText(text); return date ? { value: date } : { error: `${field.label}须为有效日期，如 2021-03-05` }; }
    case 'choice': { const code = codeOf(field.codeTable ?? '', text); return code ? { value: code } : { error: `${field.label}“${text}”不是代码表中的值` }; }
    default: return { value: text };
  }
}

/**
 * Reads a filled template: the 填报 sheet's rows by their label, each table's sheet by its headers.
 * Returns the answers and a row-level report (sheet, row, column, reason) of what could not be read;
 * the caller then checks the answers with `checkAnswers` and maps its problems back to rows.
 */
export async function readTaskWorkbook(buffer: Buffer, form: TaskForm, maxBytes: number): Promise<{ answers: Values; problems: ImportProblem[]; rowOf: (path: AnswerProblem['path']) => { sheet: string; row: number; column: string } }> {
  const fileError = (message: string) => new errors.ValidationError(message, { errors: [{ path: ['file'], message, name: 'ValidationError' }] });
  if (!buffer?.length) throw fileError('请选择要上传的 Excel 文件（.xlsx）');
  if (buffer.length > maxBytes) throw fileError(`文件超过 ${Math.round(maxBytes / 1048576)} MB`);
  if (buffer.subarray(0, 4).toString('hex') !== '504b0304') throw fileError('文件不是 Excel 工作簿（.xlsx）：请下载本任务的填报模板，填写后上传');
  const workbook = new (excel().Workbook)();
  try {
    await workbook.xlsx.load(buffer as any);
  } catch {
    throw fileError('文件无法读取：请用 Excel 另存为 .xlsx 后重新上传');
  }
  const main = workbook.getWorksheet(MAIN_SHEET);
  if (!main) throw fileError(`没有找到工作表「${MAIN_SHEET}」：请下载本任务的填报模板，填写后上传`);
  const answers: Values = {};
  const problems: ImportProblem[] = [];
  const fields = fieldsOf(form);
  const byLabel = new Map(fields.filter(scalar).map((f) => [headerKey(f.label), f]));
  const places = new Map<string, { sheet: string; row: number; column: string }>();
  main.eachRow({ includeEmpty: false }, (row, number) => {
    if (number === 1) return;
    const field = byLabel.get(headerKey(normalizeText(String(cellText(row.getCell(1).value, { type: 'text' } as FormField).text))));
    if (!field) return;
    places.set(field.key, { sheet: MAIN_SHEET, row: number, column: '填写内容' });
    const { text, error } = cellText(row.getCell(2).value, field);
    const parsed = error ? { error } : parsedValue(field, text);
    if (parsed.error) problems.push({ sheet: MAIN_SHEET, row: number, column: field.label, message: parsed.error });
    else if (parsed.value !== undefined) answers[field.key] = parsed.value;
  });
  const names = sheetNames(form);
  for (const field of fields.filter((f) => f.type === 'table')) {
    const sheet = workbook.getWorksheet(names.get(field.key)!);
    if (!sheet) continue;
    const columns = new Map<number, FormField>();
    const rows: Values[] = [];
    sheet.eachRow({ includeEmpty: false }, (row, number) => {
      if (number === 1) {
        row.eachCell((cell, col) => {
          const column = (field.columns ?? []).find((c) => headerKey(c.label) === headerKey(normalizeText(String(cell.value ?? ''))));
          if (column) columns.set(col, column);
        });
        return;
      }
      const values: Values = {};
      let filled = false;
      for (const [col, column] of columns) {
        const { text, error } = cellText(row.getCell(col).value, column);
        const parsed = error ? { error } : parsedValue(column, text);
        if (text || error) filled = true;
        if (parsed.error) problems.push({ sheet: sheet.name, row: number, column: column.label, message: parsed.error });
        else if (parsed.value !== undefined) values[column.key] = parsed.value;
      }
      if (!filled) return;
      places.set(`${field.key}.${rows.length}`, { sheet: sheet.name, row: number, column: '' });
      rows.push(values);
    });
    answers[field.key] = rows;
  }
  const rowOf = (path: AnswerProblem['path']) => {
    const [, key, index, column] = path;
    const table = fields.find((f) => f.key === key && f.type === 'table');
    if (table && index !== undefined) {
      const place = places.get(`${key}.${index}`) ?? { sheet: names.get(String(key)) ?? '', row: 0, column: '' };
      return { ...place, column: table.columns?.find((c) => c.key === column)?.label ?? '' };
    }
    const field = fields.find((f) => f.key === key);
    return places.get(String(key)) ?? { sheet: table ? names.get(String(key)) ?? '' : MAIN_SHEET, row: 0, column: field?.label ?? '' };
  };
  return { answers, problems, rowOf };
}

/**
 * Every answer of a task as a workbook: sheet 答卷, one row per kindergarten (its state, when it
 * submitted, whether late, then one column per field); one sheet per repeating table, one row per
 * table row with its kindergarten.
 */
export async function buildAnswersWorkbook(task: { title: string; form: TaskForm }, submissions: any[], regionNames: Map<string, string>): Promise<{ buffer: Buffer; rows: number }> {
  const workbook = new (excel().Workbook)();
  workbook.creator = '全国学前教育管理信息系统';
  const fields = fieldsOf(task.form);
  const main = workbook.addWorksheet('答卷', { views: [{ state: 'frozen', ySplit: 1 }] });
  const scalars = fields.filter((f) => f.type !== 'table');
  main.addRow(['幼儿园代码', '幼儿园名称', '区县', '状态', '提交时间', '是否逾期', ...scalars.map((f) => f.label)]).font = { bold: true };
  let rows = 0;
  for (const s of submissions) {
    const answers: Values = s.answers ?? {};
    main.addRow([s.institutionCode, s.kindergartenName, regionNames.get(s.countyCode) ?? s.countyCode, stateName('task-submissions.state', s.state),
      s.submittedAt ? new Date(s.submittedAt).toISOString().slice(0, 10) : '', s.late ? '是' : '否',
      ...scalars.map((f) => (f.type === 'file' ? (answers[f.key] as any)?.name ?? '' : cellOf(f, answers[f.key])))]);
    rows += 1;
  }
  main.getColumn(1).numFmt = TEXT_FORMAT;
  fitColumns(main, { min: 8 });
  const names = sheetNames(task.form);
  for (const field of fields.filter((f) => f.type === 'table')) {
    const sheet = workbook.addWorksheet(names.get(field.key)!, { views: [{ state: 'frozen', ySplit: 1 }] });
    const columns = field.columns ?? [];
    sheet.addRow(['幼儿园代码', '幼儿园名称', '区县', '行号', ...columns.map((c) => c.label)]).font = { bold: true };
    for (const s of submissions) {
      const list = Array.isArray(s.answers?.[field.key]) ? s.answers[field.key] : [];
      list.forEach((r: Values, i: number) => {
        sheet.addRow([s.institutionCode, s.kindergartenName, regionNames.get(s.countyCode) ?? s.countyCode, i + 1, ...columns.map((c) => cellOf(c, r[c.key]))]);
        rows += 1;
      });
    }
    sheet.getColumn(1).numFmt = TEXT_FORMAT;
    fitColumns(sheet, { min: 8 });
  }
  return { buffer: Buffer.from(await workbook.xlsx.writeBuffer()), rows };
}
