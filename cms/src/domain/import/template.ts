/**
 * The workbooks the import hands out: the template (data sheet, one sheet per code table with
 * drop-downs on the coded columns, 说明) and the error report (the uploaded rows with the result
 * and the reasons, to fix and upload again). Cells as sheet-cells.ts writes them: text columns as
 * text, date columns as dates, widths that fit.
 */
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { excel } from '../../runtime/excel';
import { TABLE_NAMES, tableEntries, type Column } from './columns';
import { DATE_FORMAT, TEXT_FORMAT, displayWidth, fitColumns, fitWidth } from '../sheet-cells';

import { DATA_SHEET } from './workbook';
import { reportArchive, type ReportRow } from './report-xml';
const REQUIRED_FILL = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFDE9D9' } } as const;
const HEADER_FILL = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDCE6F1' } } as const;

function columnLetter(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

function hint(column: Column): string {
  if (column.kind === 'code') return `从下拉列表选择，或填写代码（见“${TABLE_NAMES[column.table!] ?? column.table}”表；数字代码前面的 0 可省略，如 01 可写作 1）`;
  if (column.kind === 'date') return '日期：2021-03-05、2021/3/5 或 20210305';
  if (column.kind === 'boolean') return '填“是”或“否”';
  if (column.kind === 'class') return '本园班级名称；不填则用导入时选择的默认班级';
  if (column.kind === 'id') return '文本格式，18 位身份证号的 X 大小写均可；居民身份证可自动得出性别和出生日期';
  if (column.field === 'birthPlace' || column.field === 'householdRegion' || column.custom?.type === 'region') return `${column.custom?.help ? `${column.custom.help}；` : ''}6 位行政区划代码，如 350502`;
  if (column.custom) return [column.custom.help, column.custom.type === 'number' ? '数字' : ''].filter(Boolean).join('；');
  return '';
}

/** What a filled cell of a column is as wide as (an 18-character ID number, a date, a drop-down's longest name). */
function sampleWidth(column: Column, classes: string[]): number {
  if (column.kind === 'id') return 20;
  if (column.kind === 'date') return 10;
  if (column.kind === 'boolean') return 2;
  if (column.kind === 'class') return Math.max(0, ...classes.map(displayWidth));
  if (column.kind === 'code') return Math.max(0, ...tableEntries(column.table!).filter((e) => !e.retired).map((e) => displayWidth(e.name)));
  if (column.field === 'birthPlace' || column.field === 'householdRegion' || column.custom?.type === 'region') return 6;
  return /phone/i.test(column.field) ? 13 : 12;
}

/** The text of the end mark: LibreOffice keeps a drop-down, when it saves, only down to 1,000 rows below the last filled cell. */
export const END_MARK = (rows: number) => `← 第 ${rows + 1} 行：导入的最后一行（最多 ${rows} 行），下拉列表到此为止`;

/**
 * The import template: the data sheet, the code tables, the instructions. Drop-downs cover `rows`
 * data rows (the import's row limit, config/imports.json `maxRows`); a visible end mark in the
 * column after the last one, on the last of those rows, keeps them there when LibreOffice saves
 * the file (it crops them to 1,000 rows below the last filled cell). The import ignores the mark:
 * its column has no heading, and a row with nothing else is empty.
 */
export async function buildTemplate(columnList: Column[], options: { rows: number; classes: string[]; sheet?: string; help?: string[] }): Promise<Buffer> {
  const sheetName = options.sheet ?? DATA_SHEET;
  const workbook = new (excel().Workbook)();
  workbook.creator = '全国学前教育管理信息系统';
  const data = workbook.addWorksheet(sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
  data.columns = columnList.map((column) => {
    const header = column.required ? `*${column.header}` : column.header;
    return { header, key: column.path, width: fitWidth(header, [' '.repeat(sampleWidth(column, options.classes))], { min: 10 }) };
  });
  const header = data.getRow(1);
  header.font = { bold: true };
  columnList.forEach((column, index) => {
    const cell = header.getCell(index + 1);
    cell.fill = column.required ? REQUIRED_FILL : HEADER_FILL;
    const note = hint(column);
    if (note) cell.note = note;
    // Text format, so that Excel keeps ID numbers, phone numbers and codes such as 01 as typed; dates as dates.
    if (column.kind === 'date') data.getColumn(index + 1).numFmt = DATE_FORMAT;
    else if (column.kind !== 'boolean') data.getColumn(index + 1).numFmt = TEXT_FORMAT;
  });

  const tables = [...new Set(columnList.filter((c) => c.kind === 'code').map((c) => c.table!))];
  const ranges = new Map<string, string>();
  for (const table of tables) {
    const sheetName = TABLE_NAMES[table] ?? table;
    const sheet = workbook.addWorksheet(sheetName);
    sheet.columns = [{ header: '代码', key: 'code', width: 10 }, { header: '名称', key: 'name', width: 30 }];
    sheet.getRow(1).font = { bold: true };
    // retired codes (代码表维护) are offered to no new record
    const entries = tableEntries(table).filter((entry) => !entry.retired);
    for (const entry of entries) sheet.addRow({ code: entry.code, name: entry.name });
    sheet.getColumn(1).numFmt = TEXT_FORMAT;
    fitColumns(sheet, { min: 10 });
    ranges.set(table, `'${sheetName}'!$B$2:$B$${entries.length + 1}`);
  }
  let classRange: string | null = null;
  if (options.classes.length) {
    const sheet = workbook.addWorksheet('本园班级');
    sheet.columns = [{ header: '班级名称', key: 'name', width: 20 }];
    for (const name of options.classes) sheet.addRow({ name });
    fitColumns(sheet, { min: 12 });
    classRange = `'本园班级'!$A$2:$A$${options.classes.length + 1}`;
  }
  const last = options.rows + 1;
  columnList.forEach((column, index) => {
    const letter = columnLetter(index + 1);
    const range = `${letter}2:${letter}${last}`;
    if (column.kind === 'code') {
      (data as any).dataValidations.add(range, { type: 'list', allowBlank: true, formulae: [ranges.get(column.table!)!], showErrorMessage: false });
    } else if (column.kind === 'boolean') {
      (data as any).dataValidations.add(range, { type: 'list', allowBlank: true, formulae: ['"是,否"'], showErrorMessage: true, errorTitle: column.header, error: '请选择“是”或“否”' });
    } else if (column.kind === 'class' && classRange) {
      (data as any).dataValidations.add(range, { type: 'list', allowBlank: true, formulae: [classRange], showErrorMessage: false });
    }
  });
  const mark = data.getCell(last, columnList.length + 1);
  mark.value = END_MARK(options.rows);
  mark.font = { color: { argb: 'FF808080' }, italic: true };

  const help = workbook.addWorksheet('说明');
  help.getColumn(1).width = 110;
  const lines = options.help ?? CHILD_HELP(options.rows, last);
  lines.forEach((text, i) => {
    const row = help.addRow([text]);
    if (i === 0) row.font = { bold: true, size: 14 };
  });
  help.addRow([]);
  help.addRow(['各列说明']).font = { bold: true };
  for (const column of columnList) help.addRow([`${column.required ? '（必填）' : ''}${column.header}：${hint(column) || '文本'}`]);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** The 说明 sheet of the children's template. */
const CHILD_HELP = (rows: number, last: number) => [
  '幼儿学籍批量导入说明',
  '',
  '1. 在“幼儿信息”表第 2 行起每行填写一名幼儿；列名不要修改，列的顺序可以调整，多余的列会被忽略。',
  '2. 列名前带 * 的为必填项（红色底）。幼儿无证件号码时，须填写至少一位监护人的证件号码。',
  '3. 代码项（民族、国籍/地区、证件类型等）从下拉列表选择中文名称，也可以直接填写代码；各代码表见同名工作表。数字代码前面的 0 可以省略（如民族 01 写作 1，CSV 转换后常见），只要不会与其他代码混淆；会混淆时请填写完整代码或中文名称。',
  '4. 证件类型为居民身份证时，系统校验校验位，并由号码得出性别和出生日期；填写的性别、出生日期须与号码一致。',
  '5. 日期可写作 2021-03-05、2021/3/5、20210305 或使用 Excel 日期格式；全角数字、字母和空格会自动转换，首尾空格会自动去除。',
  `6. 不要使用公式和合并单元格；文件须为 .xlsx 格式（WPS、LibreOffice 的 .ods 请另存为 .xlsx），不超过 10 MB，最多 ${rows} 行；下拉列表到第 ${last} 行为止（该行右侧有提示）。`,
  '7. 班级填写本园已建立的班级名称；不填时使用导入页面上选择的默认班级。请先建立班级，再导入幼儿。',
  '8. 同一文件中证件号码不能重复；全省已有学籍的证件号码不能再次导入。已经导入本园的幼儿再次导入时显示“已导入”并跳过，不会重复建立。',
  '9. 导入方式：“全部导入或全部不导入”在有任何错误时不导入任何一行；“只导入正确的行”导入无误的行，错误行留在错误报告中。',
  '10. 导入后可下载错误报告：在“错误说明”列查看每行的问题，改正后直接上传该报告即可。',
  '11. 与其他幼儿园的学籍姓名、出生日期、性别相同（或拼音相同、姓名相近，或监护人证件号码和出生日期相同）的行照常导入，在导入结果的“提示”列标为“疑似重复”并写明对方幼儿园和县区：请核对是否为同一幼儿。',
];

export type { ReportRow } from './report-xml';

/**
 * The error report, streamed to `file` (report-xml.ts, the lean writer): the uploaded rows as they
 * were typed (dates as date cells, numbers as numbers, text as text), each with its result and
 * reasons, and a 提示 column (likely duplicates: imported, to be checked) when some row has a hint.
 * Widths fit the first rows. The rows may come from an async iterable (a large import reads them
 * back from its scratch file): then `options.hinted` says whether the 提示 column is there, and only
 * the first 1,000 rows are held.
 */
export async function writeReport(file: string, headers: string[], rows: ReportRow[] | AsyncIterable<ReportRow>, sheetName = DATA_SHEET, options: { hinted?: boolean } = {}): Promise<void> {
  await pipeline(reportArchive(headers, rows, sheetName, options), fs.createWriteStream(file));
}
