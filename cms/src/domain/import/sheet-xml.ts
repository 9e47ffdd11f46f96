/**
 * The lean reader of an xlsx's data sheet (workbook.ts reads uploads with it): the archive's
 * directory read once (unzipper), the sheet's XML inflated as a stream and decoded whole characters
 * at a time (a character split between two chunks stays whole), its rows cut out of the text and
 * their cells read straight from the markup — no object per cell beyond its value. The values are
 * those exceljs gives: shared, inline and rich-text strings as text, numbers, booleans, error cells
 * as `{ error }`, a cell with a formula as `{ formula }`, and a number whose number format is a date
 * format (styles.xml; built-in or custom, exceljs's rule) as a Date (1900 or 1904 date system).
 * The merged ranges come from the same pass (after the sheet's rows).
 */
import { StringDecoder } from 'node:string_decoder';

/** One row of the sheet: its number and its cell values by column (index 0 is column A). */
export type XmlRow = { number: number; values: unknown[] };
export type XmlSheet = { name: string | null; merges: string[] };

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
/** Excel's last column (XFD). */
const MAX_COLUMNS = 16_384;
/** The longest text of one row the streaming read holds while it waits for the row's end (and of what follows the rows). */
const MAX_ROW_CHARS = 4 * 1024 * 1024;
/** The largest inflated shared strings (a file of 100,000 rows of distinct names, numbers and addresses holds about 30 MB) and other parts read whole. */
const MAX_SHARED_STRINGS_BYTES = 64 * 1024 * 1024;
const MAX_PART_BYTES = 8 * 1024 * 1024;

/** XML text → its characters (the five entities and character references). */
export function xmlText(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (_, ref: string) => {
    if (ref[0] !== '#') return ENTITIES[ref];
    const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    return String.fromCodePoint(code);
  });
}

/** One pattern per attribute name, made once (attribute() runs for every row); not global, so it keeps no position. */
const attributePatterns = new Map<string, RegExp>();
const attribute = (attributes: string, name: string): string | undefined => {
  let pattern = attributePatterns.get(name);
  if (!pattern) attributePatterns.set(name, (pattern = new RegExp(`(?:^|\\s)${name}="([^"]*)"`)));
  const m = attributes.match(pattern);
  return m ? xmlText(m[1]) : undefined;
};

/** The text of a string item (`<si>` or `<is>`): its runs' `<t>` joined, phonetic guides (`<rPh>`) left out. */
function itemText(inner: string): string {
  let plain = inner;
  if (inner.includes('<rPh')) {
    plain = '';
    let from = 0;
    for (let at = inner.indexOf('<rPh', from); at >= 0; at = inner.indexOf('<rPh', from)) {
      const end = inner.indexOf('</rPh>', at);
      if (end < 0) throw malformed('<rPh> not closed');
      plain += inner.slice(from, at);
      from = end + 6;
    }
    plain += inner.slice(from);
  }
  let text = '';
  for (const [, t] of elements(plain, 't')) text += t ?? '';
  return xmlText(text);
}

/** exceljs's test of a date format (utils.isDateFmt): y m d h s b outside quotes and brackets. */
export function isDateFormat(code: string | undefined): boolean {
  if (!code) return false;
  return /[ymdhMsb]+/.test(code.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, ''));
}

/** The built-in number formats exceljs knows (xlsx/defaultnumformats.js) that are dates. */
const BUILT_IN_DATES = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47]);

/** For each cell style (`<cellXfs>`, by index): whether its number format is a date. */
export function dateStyles(stylesXml: string): boolean[] {
  const custom = new Map<number, string>();
  for (const m of stylesXml.matchAll(/<numFmt\b([^>]*)>/g)) custom.set(Number(attribute(m[1], 'numFmtId')), attribute(m[1], 'formatCode') ?? '');
  const cellXfs = stylesXml.match(/<cellXfs\b[^>]*>([\s\S]*?)<\/cellXfs>/)?.[1] ?? '';
  return [...cellXfs.matchAll(/<xf\b([^>]*)>/g)].map((m) => {
    const id = Number(attribute(m[1], 'numFmtId') ?? 0);
    return custom.has(id) ? isDateFormat(custom.get(id)) : BUILT_IN_DATES.has(id);
  });
}

export function sharedStrings(xml: string): string[] {
  const strings: string[] = [];
  for (const [, inner] of elements(xml, 'si')) strings.push(inner ? itemText(inner) : '');
  return strings;
}

/** "AB12" → 28 (1-based column); 0 when there is no column part. */
function columnOf(ref: string, from = 0, to = ref.length): number {
  let col = 0;
  for (let i = from; i < to; i += 1) {
    const c = ref.charCodeAt(i);
    if (c >= 65 && c <= 90) col = col * 26 + (c - 64);
    else if (c >= 97 && c <= 122) col = col * 26 + (c - 96);
    else break;
  }
  return col;
}

/** 28 → "AB". */
export function columnName(col: number): string {
  let name = '';
  for (let n = col; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

type Context = { strings: string[]; dates: boolean[]; date1904: boolean };

/** Markup that is not an xlsx's: the archive is refused as unreadable (workbook.ts). */
const malformed = (what: string) => new Error(`malformed sheet XML: ${what}`);

/**
 * Each `<tag …>inner</tag>` or `<tag …/>` of `text`, in order, as [attributes, inner] (inner
 * undefined for an empty element). One pass with indexOf: an element that is not closed ends the
 * read with an error at once — never a search to the end of the text for every opening tag, which a
 * crafted file of unclosed cells would make quadratic. For elements that do not nest in themselves
 * (row, c, si, t) and whose attributes hold no `>` (the xlsx writers' r, s, t, spans, ht…).
 */
export function* elements(text: string, tag: string): Generator<[string, string | undefined]> {
  const open = `<${tag}`;
  const close = `</${tag}>`;
  let at = text.indexOf(open);
  while (at >= 0) {
    const next = text.charCodeAt(at + open.length);
    // `<c` followed by a space, `>` or `/` (not `<col`, `<cellXfs`)
    if (next !== 32 && next !== 62 && next !== 47 && next !== 9 && next !== 10 && next !== 13) {
      at = text.indexOf(open, at + open.length);
      continue;
    }
    const end = text.indexOf('>', at + open.length);
    if (end < 0) throw malformed(`<${tag}> not closed`);
    if (text.charCodeAt(end - 1) === 47) {
      yield [text.slice(at + open.length, end - 1), undefined];
      at = text.indexOf(open, end + 1);
      continue;
    }
    const closing = text.indexOf(close, end + 1);
    if (closing < 0) throw malformed(`<${tag}> not closed`);
    yield [text.slice(at + open.length, end), text.slice(end + 1, closing)];
    at = text.indexOf(open, closing + close.length);
  }
}

const VALUE = /<v\b[^>]*?(?:\/>|>([\s\S]*?)<\/v>)/;
const INLINE = /<is\b[^>]*?(?:\/>|>([\s\S]*?)<\/is>)/;

/** One cell's value as exceljs gives it (see the top of this file); undefined for an empty cell. */
function cellValue(type: string | undefined, style: number, inner: string | undefined, context: Context): unknown {
  if (!inner) return undefined;
  if (inner.includes('<f')) {
    if (/<f\b/.test(inner)) return { formula: xmlText(inner.match(/<f\b[^>]*?(?:\/>|>([\s\S]*?)<\/f>)/)?.[1] ?? '') };
  }
  if (type === 'inlineStr') {
    const item = inner.match(INLINE);
    if (item) return itemText(item[1] ?? '');
  }
  const v = inner.match(VALUE);
  if (!v) return undefined;
  return typedValue(type, style, v[1] ?? '', context);
}

/** A cell's `<v>` text as its type (`t`) and style say. */
function typedValue(type: string | undefined, style: number, text: string, context: Context): unknown {
  switch (type) {
    case 's': return context.strings[parseInt(text, 10)];
    case 'str':
    case 'inlineStr': return xmlText(text);
    case 'e': return { error: xmlText(text) };
    case 'b': return parseInt(text, 10) !== 0;
    case 'd': return new Date(xmlText(text));
    default: {
      const number = parseFloat(text);
      if (context.dates[style]) return new Date(Math.round((number - 25569 + (context.date1904 ? 1462 : 0)) * 86400000));
      return number;
    }
  }
}

const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;
/** [A-Za-z0-9_]: what `\b` after a tag name tells apart (`<v>` from `<vm>`). */
const isWordChar = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;

/** Whether the text between `from` and `to` (a cell's content: a few tags) holds a tag starting `<f`. */
function hasFormula(text: string, from: number, to: number): boolean {
  for (let at = text.indexOf('<', from); at >= 0 && at < to; at = text.indexOf('<', at + 1)) if (text.charCodeAt(at + 1) === 102) return true;
  return false;
}

/**
 * An inline string of one plain run (`<is><t>…</t></is>`, the `<t>` with or without attributes: what
 * exceljs's streaming writer makes) read by position; undefined for any other shape (runs, phonetic
 * guides), which cellValue reads.
 */
function plainInline(text: string, from: number, to: number): string | undefined {
  if (!text.startsWith('<is><t', from)) return undefined;
  const next = text.charCodeAt(from + 6);
  if (next !== 62 && !isSpace(next)) return undefined;
  const open = text.indexOf('>', from + 6);
  if (open < 0 || open >= to || text.charCodeAt(open - 1) === 47) return undefined;
  const end = text.indexOf('<', open + 1);
  if (end < 0 || !text.startsWith('</t></is>', end) || end + 9 !== to) return undefined;
  return xmlText(text.slice(open + 1, end));
}

/**
 * The cells of one row's markup (`<c …>…</c>` or `<c …/>`, as elements() finds them), read by
 * position: of each cell only its r, s and t attributes (after white space, in double quotes) and its
 * `<v>` text are looked at, with no match or cut string per attribute — a sheet of 100,000 rows has
 * millions of cells. A cell with a formula or an inline string goes through cellValue.
 */
function cellsOf(inner: string, context: Context): unknown[] {
  const values: unknown[] = [];
  let col = 0;
  let at = inner.indexOf('<c');
  while (at >= 0) {
    const next = inner.charCodeAt(at + 2);
    // `<c` followed by a space, `>` or `/` (not `<col`)
    if (!isSpace(next) && next !== 62 && next !== 47) {
      at = inner.indexOf('<c', at + 2);
      continue;
    }
    const end = inner.indexOf('>', at + 2);
    if (end < 0) throw malformed('<c> not closed');
    const empty = inner.charCodeAt(end - 1) === 47;
    const attributesEnd = empty ? end - 1 : end;
    let refColumn = 0;
    let hasRef = false;
    let style = 0;
    let type: string | undefined;
    // each `="` of the attributes, scanned within them (never past the tag: a crafted row of
    // thousands of cells without attributes must not make every cell search the rest of the row)
    for (let eq = at + 3; eq < attributesEnd; eq += 1) {
      if (inner.charCodeAt(eq) !== 61 || inner.charCodeAt(eq + 1) !== 34) continue;
      let close = eq + 2;
      while (close < attributesEnd && inner.charCodeAt(close) !== 34) close += 1;
      if (close >= attributesEnd) break;
      if (isSpace(inner.charCodeAt(eq - 2))) {
        const name = inner.charCodeAt(eq - 1);
        if (name === 114) { // r
          hasRef = close > eq + 2;
          refColumn = columnOf(inner, eq + 2, close);
        } else if (name === 115) style = parseInt(inner.slice(eq + 2, close), 10) || 0; // s
        else if (name === 116) type = inner.slice(eq + 2, close); // t
      }
      eq = close;
    }
    col = hasRef ? refColumn || col + 1 : col + 1;
    // a column beyond Excel's last (XFD) is no spreadsheet's: no array of millions of holes
    if (col > MAX_COLUMNS) throw malformed(`column ${col}`);
    if (empty) {
      at = inner.indexOf('<c', end + 1);
      continue;
    }
    const closing = inner.indexOf('</c>', end + 1);
    if (closing < 0) throw malformed('<c> not closed');
    let value: unknown;
    if (closing === end + 1) value = undefined;
    else if (hasFormula(inner, end + 1, closing)) value = cellValue(type, style, inner.slice(end + 1, closing), context);
    else if (type === 'inlineStr') value = plainInline(inner, end + 1, closing) ?? cellValue(type, style, inner.slice(end + 1, closing), context);
    else {
      // the first `<v` that is the tag v (not `<vm`), as the pattern VALUE; every search stops at the
      // cell's `</c>` (its first `<`), never the rest of the row
      let v = inner.indexOf('<', end + 1);
      while (v < closing && (inner.charCodeAt(v + 1) !== 118 || isWordChar(inner.charCodeAt(v + 2)))) v = inner.indexOf('<', v + 1);
      let gt = v;
      if (v < closing) while (gt < closing && inner.charCodeAt(gt) !== 62) gt += 1;
      if (v < closing && gt < closing) {
        if (inner.charCodeAt(gt - 1) === 47 && gt - 1 >= v + 2) value = typedValue(type, style, '', context);
        else {
          // the text ends at its first `<` (XML escapes any other); anything but `</v>` there is read by the pattern
          const valueEnd = inner.indexOf('<', gt + 1);
          if (inner.startsWith('</v>', valueEnd) && valueEnd + 4 <= closing) value = typedValue(type, style, inner.slice(gt + 1, valueEnd), context);
          else value = cellValue(type, style, inner.slice(end + 1, closing), context);
        }
      }
    }
    if (value !== undefined) values[col - 1] = value;
    at = inner.indexOf('<c', closing + 4);
  }
  return values;
}

/** The rows of one chunk of sheetData text (whole rows only) to `onRow`. */
async function rowsOf(text: string, context: Context, last: { row: number }, onRow: (row: XmlRow) => void | Promise<void>, stop: () => boolean) {
  for (const [rowAttributes, inner] of elements(text, 'row')) {
    const r = attribute(rowAttributes, 'r');
    const number = r ? parseInt(r, 10) : last.row + 1;
    last.row = number;
    if (!inner) continue;
    const pending = onRow({ number, values: cellsOf(inner, context) });
    if (pending) await pending;
    if (stop()) return;
  }
}

/**
 * Streams the rows of a sheet's XML (chunks of bytes) to `onRow`, in order; returns the merged
 * ranges. Stops early once `stop()` says so (the rows are then not all read).
 */
export async function streamSheetRows(chunks: AsyncIterable<Buffer>, context: Context, onRow: (row: XmlRow) => void | Promise<void>, stop: () => boolean = () => false): Promise<string[]> {
  const decoder = new StringDecoder('utf8');
  let text = '';
  let state: 'before' | 'rows' | 'after' = 'before';
  const last = { row: 0 };
  let after = '';
  for await (const chunk of chunks) {
    text += decoder.write(chunk as Buffer);
    if (state === 'before') {
      const at = text.search(/<sheetData\b/);
      if (at < 0) {
        text = text.slice(-32);
        continue;
      }
      const open = text.indexOf('>', at);
      if (open < 0) continue;
      if (text[open - 1] === '/') state = 'after';
      else state = 'rows';
      text = text.slice(open + 1);
    }
    if (state === 'rows') {
      const end = text.indexOf('</sheetData>');
      const cut = end >= 0 ? end : text.lastIndexOf('</row>') + 6;
      // no row of a children's sheet is megabytes long: a file that never closes one is not read into memory whole
      if (cut <= 5 && text.length > MAX_ROW_CHARS) throw malformed('a row longer than the largest a sheet of this system holds');
      if (cut > 5) {
        await rowsOf(text.slice(0, cut), context, last, onRow, stop);
        if (stop()) return [];
        text = text.slice(end >= 0 ? end + 12 : cut);
        if (end >= 0) state = 'after';
      }
    }
    if (state === 'after') {
      after += text;
      text = '';
      if (after.length > MAX_ROW_CHARS) throw malformed('too much markup after the rows');
    }
  }
  text += decoder.end();
  if (state === 'rows') await rowsOf(text, context, last, onRow, stop);
  if (state === 'after') after += text;
  return [...after.matchAll(/<mergeCell\b[^>]*\bref="([^"]+)"/g)].map((m) => m[1]);
}

type Entry = { path: string; buffer: () => Promise<Buffer>; stream: () => NodeJS.ReadableStream };

/** The data sheet of an xlsx — the sheet named `sheetName`, else the first of the workbook — with what reading its cells needs. */
async function openSheet(buffer: Buffer, sheetName: string): Promise<{ name: string; entry: Entry; context: Context } | null> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const unzipper = require('unzipper');
  const directory = await unzipper.Open.buffer(buffer);
  const entries = new Map<string, Entry>((directory.files as Entry[]).map((entry) => [entry.path.replace(/^\//, ''), entry]));
  // the parts read whole (the sheet itself is streamed): refused beyond what an import's file can hold
  const text = async (name: string) => {
    const entry = entries.get(name);
    if (!entry) return '';
    const limit = name.endsWith('sharedStrings.xml') ? MAX_SHARED_STRINGS_BYTES : MAX_PART_BYTES;
    if (Number((entry as any).uncompressedSize) > limit) throw malformed(`${name} larger than ${limit} bytes`);
    const bytes = await entry.buffer();
    if (bytes.length > limit) throw malformed(`${name} larger than ${limit} bytes`);
    return bytes.toString('utf8');
  };
  const workbookXml = await text('xl/workbook.xml');
  if (!workbookXml) throw new Error('no xl/workbook.xml');
  const relsXml = await text('xl/_rels/workbook.xml.rels');
  const sheets = [...workbookXml.matchAll(/<sheet\b([^>]*)>/g)].map((m) => ({ name: attribute(m[1], 'name') ?? '', rId: attribute(m[1], 'r:id') }));
  const sheet = sheets.find((s) => s.name === sheetName) ?? sheets[0];
  if (!sheet) return null;
  const rel = [...relsXml.matchAll(/<Relationship\b([^>]*)>/g)].map((m) => m[1]).find((r) => attribute(r, 'Id') === sheet.rId);
  const target = rel ? attribute(rel, 'Target') : undefined;
  const entry = target ? entries.get(target.startsWith('/') ? target.slice(1) : `xl/${target.replace(/^\.\//, '')}`) : undefined;
  if (!entry) throw new Error('the data sheet is missing from the archive');
  const date1904 = /<workbookPr\b[^>]*\bdate1904="(1|true)"/.test(workbookXml);
  return { name: sheet.name, entry, context: { strings: sharedStrings(await text('xl/sharedStrings.xml')), dates: dateStyles(await text('xl/styles.xml')), date1904 } };
}

/**
 * Reads the data sheet of an xlsx (see openSheet). Calls `onSheet` with its name before its first
 * row. Throws on an archive or markup it cannot read.
 */
export async function readSheet(buffer: Buffer, sheetName: string, onSheet: (name: string) => void, onRow: (row: XmlRow) => void | Promise<void>, stop?: () => boolean): Promise<XmlSheet> {
  const sheet = await openSheet(buffer, sheetName);
  if (!sheet) return { name: null, merges: [] };
  onSheet(sheet.name);
  const merges = await streamSheetRows(sheet.entry.stream() as AsyncIterable<Buffer> & NodeJS.ReadableStream, sheet.context, onRow, stop);
  return { name: sheet.name, merges };
}

const ROW_TAG = Buffer.from('<row');

/**
 * About how many data rows the data sheet has: its row elements but the first, counted in the
 * inflated bytes without reading a cell (empty rows with a format count too). For a progress bar.
 */
export async function countSheetRows(buffer: Buffer, sheetName: string): Promise<number> {
  const sheet = await openSheet(buffer, sheetName);
  if (!sheet) return 0;
  let rows = 0;
  let tail = Buffer.alloc(0);
  for await (const chunk of sheet.entry.stream() as AsyncIterable<Buffer> & NodeJS.ReadableStream) {
    const bytes = tail.length ? Buffer.concat([tail, chunk]) : chunk;
    // a tag whose next byte is in the next chunk is counted with it (the last 4 bytes are kept)
    for (let at = bytes.indexOf(ROW_TAG); at >= 0 && at + 4 < bytes.length; at = bytes.indexOf(ROW_TAG, at + 4)) {
      const next = bytes[at + 4];
      if (next === 0x20 || next === 0x3e || next === 0x2f || next === 0x09 || next === 0x0a || next === 0x0d) rows += 1;
    }
    tail = Buffer.from(bytes.subarray(Math.max(0, bytes.length - 4)));
  }
  return Math.max(0, rows - 1);
}
