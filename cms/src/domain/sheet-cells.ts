/**
 * How a cell is written so that a spreadsheet program (Excel, WPS, LibreOffice) shows and saves it
 * as the system meant — one place for every file the system writes (exports, statistics, the
 * import template and its error report; docs/spreadsheets.md):
 * - identifiers (ID numbers, 学籍号, codes) are text cells: every digit, leading zeros kept;
 * - dates are date cells (a real date, shown as yyyy-mm-dd), so that date filters and sorting work;
 * - column widths fit their content (Chinese characters count double);
 * - in CSV, a cell a spreadsheet would change on opening — a digit string it would turn into a
 *   number (12 digits or more: rounded or shown as 3.5E+17; a leading zero: dropped) or a cell that
 *   would start a formula — starts with a tab. Excel, WPS and LibreOffice then keep it as text, and
 *   the import (and any reader that trims) reads back the same value.
 */

/** The number format of date cells. */
export const DATE_FORMAT = 'yyyy-mm-dd';
/** The number format of text cells (Excel's "@"). */
export const TEXT_FORMAT = '@';

const MIN_WIDTH = 8;
const MAX_WIDTH = 60;

/** The width of a text in a spreadsheet's character units: CJK and full-width characters count 2. */
export function displayWidth(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (value instanceof Date) return 10;
  let width = 0;
  for (const line of String(value).split(/\r?\n/)) {
    let w = 0;
    for (const char of line) {
      const code = char.codePointAt(0)!;
      w += code >= 0x1100 && (code <= 0x115f || (code >= 0x2e80 && code <= 0xa4cf) || (code >= 0xac00 && code <= 0xd7a3) || (code >= 0xf900 && code <= 0xfaff) || (code >= 0xfe30 && code <= 0xfe4f) || (code >= 0xff00 && code <= 0xff60) || (code >= 0xffe0 && code <= 0xffe6) || code >= 0x20000) ? 2 : 1;
    }
    width = Math.max(width, w);
  }
  return width;
}

/** The width of a column showing `values` under `header`: the widest of them plus a margin, within bounds. */
export function fitWidth(header: unknown, values: Iterable<unknown>, bounds: { min?: number; max?: number } = {}): number {
  let widest = displayWidth(header);
  for (const value of values) widest = Math.max(widest, displayWidth(value));
  return Math.min(bounds.max ?? MAX_WIDTH, Math.max(bounds.min ?? MIN_WIDTH, widest + 3));
}

/** Fits every column of an in-memory worksheet to its content (rows from `fromRow`, headings included). */
export function fitColumns(sheet: any, options: { fromRow?: number; min?: number; max?: number } = {}): void {
  const widths: number[] = [];
  sheet.eachRow({ includeEmpty: false }, (row: any, number: number) => {
    if (number < (options.fromRow ?? 1)) return;
    row.eachCell({ includeEmpty: false }, (cell: any, col: number) => {
      const value = cell.value;
      const shown = typeof value === 'number' && typeof cell.numFmt === 'string' && cell.numFmt.includes('%') ? `${(value * 100).toFixed(2)}%` : value;
      widths[col] = Math.max(widths[col] ?? 0, displayWidth(shown));
    });
  });
  widths.forEach((widest, col) => {
    if (widest !== undefined) sheet.getColumn(col).width = Math.min(options.max ?? MAX_WIDTH, Math.max(options.min ?? MIN_WIDTH, widest + 3));
  });
}

/** A day written as text (`2022-03-15`, or a datetime) → the date cell's value (midnight UTC, as spreadsheets count days); empty stays empty. */
export function dateCell(value: unknown): Date | string {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : new Date(Date.UTC(value.getUTCFullYear(), value.getUTCMonth(), value.getUTCDate()));
  const m = String(value ?? '').match(/^(\d{4})-(\d{2})-(\d{2})/);
  return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : String(value ?? '');
}

/** Digit strings a spreadsheet turns into numbers and so changes: 12 digits or more (rounded, 3.5E+17), or a leading zero. */
const MANGLED_NUMBER = /^(\d{12,}|0\d+)$/;
/** Text a spreadsheet takes for a formula (CSV injection). */
const FORMULA_START = /^[=+\-@]/;

/** One CSV cell: quoted when needed; text a spreadsheet would change or evaluate starts with a tab. */
export function csvCell(value: unknown): string {
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  let text = value === null || value === undefined ? '' : String(value);
  const guard = typeof value === 'string' && (MANGLED_NUMBER.test(text) || FORMULA_START.test(text));
  if (guard) text = `\t${text}`;
  return guard || /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
