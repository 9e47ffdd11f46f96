/**
 * Reading an uploaded workbook, suspiciously. A file that is not what it claims answers one 400
 * naming the problem before anything is stored: not an xlsx (zip magic; an old .xls; a corrupt
 * archive), too large, too many rows, formulas, merged cells, missing required columns. Cells are
 * normalised (full-width letters, digits and spaces folded, surrounding spaces and tabs trimmed —
 * so the tab the CSV exports put before long numbers goes, sheet-cells.ts); dates are read from
 * date cells (the cell's number format is read), serial numbers or text (2021-03-05, 2021/3/5,
 * 20210305, 2021年3月5日). A LibreOffice or WPS spreadsheet (.ods) is refused, saying so.
 */
import { excel } from '../../runtime/excel';
import JSZip from 'jszip';
import { fieldError } from '../../utils/validation';
import { REPORT_HEADERS, headerKey, type Column } from './columns';
import { columnName, countSheetRows, readSheet, type XmlRow } from './sheet-xml';

/** The lean reader, behind an object the tests can replace (to try the in-memory second reading). */
export const sheetReader = { readSheet, countSheetRows };

/** `sheet`: the data sheet's name (the children's 幼儿信息 when absent; another import names its own). */
export type ImportLimits = { maxBytes: number; maxRows: number; sheet?: string };
export type SheetRow = {
  /** The row's number in the sheet (as Excel shows it). */
  row: number;
  /** Normalised text of each known column, by path. */
  cells: Record<string, string>;
  /** Cells that could not be read (a date typed as nonsense, an ID stored as a number…). */
  cellErrors: { path: string; message: string }[];
  /** The values as uploaded, for the error report. */
  raw: unknown[];
};
/** `count`: how many data rows the sheet has (all of them in `rows`, unless they went to `onRow`). */
export type ParsedSheet = { headers: string[]; rows: SheetRow[]; unknownHeaders: string[]; count: number };
/**
 * Rows handed one by one to `onRow` instead of being kept (a large import holds a batch, not the
 * sheet): awaited, so a consumer that writes or queries slows the reader down. `headers` is
 * filled before the first row arrives.
 */
export type RowConsumer = { onRow: (row: SheetRow, headers: string[]) => void | Promise<void> };

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const OLE_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0]);
/** An OpenDocument file starts with an uncompressed `mimetype` entry naming its kind (ODF 1.2 part 3, §3.3). */
const ODF_MIMETYPE = 'mimetypeapplication/vnd.oasis.opendocument.spreadsheet';
export const ODS_REFUSED = '不支持 .ods，请另存为 .xlsx';
const EXCEL_EPOCH = Date.UTC(1899, 11, 30);
const MAX_LISTED = 5;
export const DATA_SHEET = '幼儿信息';

const fileError = (message: string) => fieldError('file', message);

/**
 * Text that normalizeText leaves as it is: visible ASCII, the middle dot of names (·) and the CJK
 * ideographs of the basic block and extension A (none has an NFKC decomposition, and no two of them
 * compose), in words separated by one space. Most cells of a sheet are such text: checked by one
 * pattern test, they are returned without the four new strings of the normalisation
 * (tests/unit/workbook-reader.test.ts compares both ways).
 */
export const ALREADY_NORMAL = /^[\x21-\x7e\u00b7\u3400-\u4dbf\u4e00-\u9fff]+(?: [\x21-\x7e\u00b7\u3400-\u4dbf\u4e00-\u9fff]+)*$/;

/** Full-width letters, digits, punctuation and spaces folded to their ASCII forms; outer spaces trimmed, inner runs collapsed. */
export function normalizeText(value: string): string {
  if (ALREADY_NORMAL.test(value)) return value;
  return value.normalize('NFKC').replace(/[\u00a0\u3000]/g, ' ').replace(/\s+/g, ' ').trim();
}

function realDate(year: number, month: number, day: number): string | null {
  if (year < 1900 || year > 2100 || month < 1 || month > 12 || day < 1 || day > 31) return null;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return date.toISOString().slice(0, 10);
}

/** An Excel serial day number (1900 date system) → YYYY-MM-DD. */
export function serialToDate(serial: number): string | null {
  if (!Number.isFinite(serial) || serial < 1 || serial > 73050) return null;
  const date = new Date(EXCEL_EPOCH + Math.floor(serial) * 86400000);
  return date.toISOString().slice(0, 10);
}

/** A date typed as text → YYYY-MM-DD, or null when it is no real date. */
export function parseDateText(text: string): string | null {
  const value = normalizeText(text);
  let m = value.match(/^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/);
  if (m) return realDate(Number(m[1]), Number(m[2]), Number(m[3]));
  m = value.match(/^(\d{4})(\d{2})(\d{2})$/);
  if (m) return realDate(Number(m[1]), Number(m[2]), Number(m[3]));
  m = value.match(/^(\d{4}-\d{2}-\d{2})T[\d:.]+Z?$/);
  if (m) return parseDateText(m[1]);
  if (/^\d{5}(\.\d+)?$/.test(value)) return serialToDate(Number(value));
  return null;
}

function isFormula(value: any): boolean {
  return Boolean(value && typeof value === 'object' && ('formula' in value || 'sharedFormula' in value));
}

/** A cell that cannot be read: its text as it is, and why. */
type Unreadable = { text: string; error: string };
const unreadable = (text: string, error: string): Unreadable => ({ text, error });

/** A cell's value → text, or (an object) its text and the reason it cannot be read: the text of a sound cell costs no object. */
function cellText(value: any, column: Column): string | Unreadable {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') {
    const text = normalizeText(value);
    if (column.kind === 'date' && text) {
      const iso = parseDateText(text);
      return iso ?? unreadable(text, `日期格式无法识别：「${text}」（可写作 2021-03-05、2021/3/5 或 20210305）`);
    }
    return text;
  }
  if (value instanceof Date) {
    const iso = Number.isNaN(value.getTime()) ? null : value.toISOString().slice(0, 10);
    return iso ?? unreadable('', '日期无法识别');
  }
  if (typeof value === 'number') {
    if (column.kind === 'date') {
      const iso = serialToDate(value) ?? parseDateText(String(value));
      return iso ?? unreadable(String(value), `日期无法识别：${value}`);
    }
    if (column.kind === 'id' && Math.abs(value) >= 1e15) {
      return unreadable(String(value), '证件号码被 Excel 存成了数字，末几位已丢失：请把该列设为文本格式后重新输入');
    }
    return String(value);
  }
  if (typeof value === 'boolean') return value ? '是' : '否';
  if (typeof value === 'object') {
    if ('error' in value) return unreadable(String(value.error), `单元格是错误值 ${value.error}`);
    if (Array.isArray(value.richText)) return cellText(value.richText.map((part: any) => part.text ?? '').join(''), column);
    if ('text' in value) return cellText(value.text, column);
    return unreadable('', '单元格内容无法识别');
  }
  return cellText(String(value), column);
}

/** The report's cell value of an uploaded value, as typed: dates stay dates, numbers numbers (formulas cannot reach here; rich text flattened). */
function rawValue(value: any): unknown {
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    if (Array.isArray(value.richText)) return value.richText.map((part: any) => part.text ?? '').join('');
    if ('text' in value) return value.text;
    if ('error' in value) return String(value.error);
  }
  return value ?? null;
}

/** The merged ranges of the sheet named `sheetName` (or of the first sheet), read from the archive itself. */
async function mergedRanges(buffer: Buffer, sheetName: string | null): Promise<string[]> {
  const zip = await JSZip.loadAsync(buffer);
  const workbookXml = (await zip.file('xl/workbook.xml')?.async('string')) ?? '';
  const relsXml = (await zip.file('xl/_rels/workbook.xml.rels')?.async('string')) ?? '';
  const sheets = [...workbookXml.matchAll(/<sheet\b[^>]*>/g)].map((m) => ({ name: m[0].match(/\bname="([^"]*)"/)?.[1], rId: m[0].match(/\br:id="([^"]*)"/)?.[1] }));
  const sheet = sheets.find((s) => s.name === sheetName) ?? sheets[0];
  const rel = sheet && [...relsXml.matchAll(/<Relationship\b[^>]*>/g)].map((m) => m[0]).find((r) => r.includes(`Id="${sheet.rId}"`));
  const target = rel?.match(/\bTarget="([^"]*)"/)?.[1]?.replace(/^\/?(xl\/)?/, '');
  const xml = target ? await zip.file(`xl/${target}`)?.async('nodebuffer') : undefined;
  if (!xml) return [];
  const at = xml.indexOf('<mergeCells');
  if (at < 0) return [];
  return [...xml.subarray(at).toString('utf8').matchAll(/<mergeCell\b[^>]*\bref="([^"]+)"/g)].map((m) => m[1]);
}

const UNREADABLE = '文件已损坏或不是 Excel 工作簿（.xlsx），无法读取';
/**
 * Up to this size a file the streaming reader gave up on is read again in memory; and the children's
 * upload reads such a file whole (a 400 for any problem), a larger one only up to its headers (the
 * job reads it whole once, cms/src/api/child-import/services/child-import.ts).
 */
export const IN_MEMORY_MAX_BYTES = 2 * 1024 * 1024;

/**
 * Checks an uploaded file and reads its data sheet (the sheet named `limits.sheet`, 幼儿信息 by default, or the first one),
 * streaming its rows (sheet-xml.ts). Throws a 400 naming the problem for a file that
 * cannot be imported as a whole. With a `consumer`, the rows go to it as they are read (a file the
 * streaming reader gives up on is read again whole only when small, and then its rows are handed
 * over once every check of the file passed); the problems of the file as a whole are still thrown
 * at the end, after the rows already handed over (the consumer keeps nothing it has not been told is sound).
 * `headersOnly`: the file's kind and its header row only (the required columns), no data row read;
 * `count` is then about how many rows the sheet has (countSheetRows).
 */
export async function readUpload(buffer: Buffer, columnList: Column[], limits: ImportLimits, consumer?: RowConsumer, options: { headersOnly?: boolean } = {}): Promise<ParsedSheet> {
  const { headersOnly = false } = options;
  if (!buffer || buffer.length === 0) throw fileError('请选择要上传的 Excel 文件（.xlsx）');
  if (buffer.length > limits.maxBytes) throw fileError(`文件超过 ${Math.round(limits.maxBytes / 1048576)} MB：请分成几个文件上传`);
  if (buffer.subarray(0, 4).equals(OLE_MAGIC)) throw fileError('这是旧版 Excel（.xls）文件：请在 Excel 中“另存为” .xlsx 格式后上传');
  if (!buffer.subarray(0, 4).equals(ZIP_MAGIC)) throw fileError('文件不是 Excel 工作簿（.xlsx）：请下载导入模板，填写后上传');
  if (buffer.subarray(30, 30 + ODF_MIMETYPE.length).toString('latin1') === ODF_MIMETYPE) throw fileError(ODS_REFUSED);

  const byKey = new Map(columnList.map((column) => [headerKey(column.header), column]));
  /** What the data sheet's rows say; filled row by row by either reader. */
  const fresh = () => ({ headers: [] as string[], found: new Map<number, Column>(), unknownHeaders: [] as string[], formulas: [] as string[], rows: [] as SheetRow[], count: 0, sheetName: null as string | null, tooMany: false, headersRead: false });
  let read = fresh();
  /**
   * Rows to the consumer as they come: a large file (read by the streaming reader only). A small one
   * is kept, as without a consumer (its streaming read may be retried whole, below), and handed over
   * once it passed its checks.
   */
  let handOver = Boolean(consumer) && buffer.length > IN_MEMORY_MAX_BYTES;
  /** A failure of the consumer itself (its database, its insert): thrown as it is, not taken for an unreadable file. */
  let consumerFailure: { error: unknown } | null = null;
  const failed = (error: unknown): never => {
    consumerFailure ??= { error };
    throw error;
  };
  const handOverRow = (parsed: SheetRow): void | Promise<void> => {
    let result: void | Promise<void>;
    try {
      result = consumer!.onRow(parsed, read.headers);
    } catch (error) {
      return failed(error);
    }
    // most rows are taken at once (no promise): only a row that waits gets one
    if (result) return result.catch(failed);
  };
  const consume = (row: XmlRow): void | Promise<void> => {
    if (read.tooMany || read.headersRead && headersOnly) return;
    if (row.number === 1) {
      row.values.forEach((value, index) => {
        if (value === null || value === undefined) return;
        const header = cellText(value, { kind: 'text' } as Column);
        const text = normalizeText(typeof header === 'string' ? header : header.text);
        read.headers[index] = text;
        const column = byKey.get(headerKey(text));
        if (column) read.found.set(index + 1, column);
        else if (text && !REPORT_HEADERS.has(text)) read.unknownHeaders.push(text);
      });
      read.headersRead = true;
      return;
    }
    read.headersRead = true;
    if (headersOnly) return;
    const parsed = readRow(row, read.headers, read.found, read.formulas);
    if (!parsed) return;
    read.count += 1;
    if (read.count > limits.maxRows) read.tooMany = true;
    else if (handOver) return handOverRow(parsed);
    else read.rows.push(parsed);
  };
  /** The data sheet: by its name, else the first sheet. */
  const dataSheet = limits.sheet ?? DATA_SHEET;
  let merges: string[] = [];
  try {
    ({ merges } = await sheetReader.readSheet(buffer, dataSheet, (name) => { read.sheetName = name; }, consume, () => read.tooMany || (headersOnly && read.headersRead)));
  } catch (streamError: any) {
    if (consumerFailure) throw (consumerFailure as { error: unknown }).error;
    if (streamError?.name === 'ValidationError') throw streamError;
    // A file the lean reader (sheet-xml.ts) cannot read is, when small enough, read again whole by
    // exceljs before it is called damaged.
    const log = (globalThis as any).strapi?.log;
    log?.warn?.(`import: the streaming reader failed: ${String(streamError?.message ?? streamError).slice(0, 200)}`);
    if (buffer.length > IN_MEMORY_MAX_BYTES) throw fileError(UNREADABLE);
    read = fresh();
    try {
      const book = new (excel().Workbook)();
      await book.xlsx.load(buffer as any);
      const sheet = book.worksheets.find((w) => w.name === dataSheet) ?? book.worksheets[0];
      if (!sheet) throw new Error('no worksheet');
      read.sheetName = sheet.name;
      sheet.eachRow({ includeEmpty: false }, (row) => {
        const values: unknown[] = [];
        row.eachCell({ includeEmpty: false }, (cell, col) => { values[col - 1] = cell.value; });
        void consume({ number: row.number, values });
      });
    } catch (error: any) {
      // The reader's own words go to the log (structure only: no cell values), the user gets the reason.
      log?.warn?.(`import: the workbook could not be read: ${String(error?.message ?? error).slice(0, 200)}`);
      throw fileError(UNREADABLE);
    }
    merges = await mergedRanges(buffer, read.sheetName).catch(() => [] as string[]);
  }
  const { headers, found, unknownHeaders, formulas, rows, count, sheetName, tooMany } = read;
  if (tooMany) throw fileError(`数据行超过 ${limits.maxRows} 行：请分成几个文件上传`);
  if (merges.length) {
    throw fileError(`工作表「${sheetName ?? ''}」含合并单元格 ${merges.slice(0, MAX_LISTED).join('、')}${merges.length > MAX_LISTED ? ` 等 ${merges.length} 处` : ''}：请取消合并，每个单元格单独填写后上传`);
  }
  const present = new Set([...found.values()].map((c) => c.path));
  const missing = columnList.filter((c) => c.required && !present.has(c.path)).map((c) => c.header);
  if (present.size === 0) throw fileError(`第 1 行没有找到导入模板的列名：请下载导入模板，在“${dataSheet}”表中填写`);
  if (missing.length) throw fileError(`缺少必填列：${missing.join('、')}（列名须与导入模板一致）`);
  if (formulas.length) {
    throw fileError(`单元格含公式：${formulas.slice(0, MAX_LISTED).join('、')}${formulas.length > MAX_LISTED ? ` 等 ${formulas.length} 处` : ''}。请复制后“选择性粘贴 → 数值”，再上传`);
  }
  if (count === 0 && !headersOnly) throw fileError(`文件中没有数据行：请在“${dataSheet}”表第 2 行起填写`);
  if (headersOnly) {
    // about how many rows: what the job's progress is measured against until it has read them all
    const rows = await sheetReader.countSheetRows(buffer, dataSheet).catch(() => 0);
    return { headers, rows: [], unknownHeaders, count: rows };
  }
  if (consumer && !handOver) {
    // a small file: handed over now that it passed its checks
    for (const row of rows) await consumer.onRow(row, headers);
    return { headers, rows: [], unknownHeaders, count };
  }
  return { headers, rows, unknownHeaders, count };
}

/** One data row → its cells by column (null for a row with nothing in it). */
function readRow(row: XmlRow, headers: string[], found: Map<number, Column>, formulas: string[]): SheetRow | null {
  const cells: Record<string, string> = {};
  const cellErrors: SheetRow['cellErrors'] = [];
  const raw: unknown[] = [];
  let filled = false;
  const { values } = row;
  for (let index = 0; index < values.length; index += 1) {
    const value = values[index] as any;
    if (value === null || value === undefined) continue;
    if (isFormula(value)) {
      formulas.push(`${columnName(index + 1)}${row.number}（${headers[index] ?? ''}）`);
      continue;
    }
    raw[index] = rawValue(value);
    const column = found.get(index + 1);
    if (!column) continue;
    const read = cellText(value, column);
    if (typeof read === 'string') {
      if (read) filled = true;
      cells[column.path] = read;
    } else {
      filled = true;
      cells[column.path] = read.text;
      cellErrors.push({ path: column.path, message: read.error });
    }
  }
  return filled ? { row: row.number, cells, cellErrors, raw } : null;
}
