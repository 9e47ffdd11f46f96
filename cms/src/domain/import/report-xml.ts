/**
 * The lean writer of an import's error report (template.ts writeReport; the counterpart of the lean
 * reader, sheet-xml.ts): the sheet's XML built as text a row at a time and handed on in chunks of
 * about 64 KB to the zip stream (archiver, the zip writer exceljs itself uses) — no object per cell,
 * no style lookup per cell. What it writes is what the exceljs streaming writer wrote before: the
 * header row bold, the first row frozen, the widths fitted to the first 1,000 rows, the uploaded
 * columns in text format (Excel's "@") with dates as date cells (yyyy-mm-dd) and numbers as numbers,
 * then 导入结果, 错误说明 (red fill when a row has errors) and 提示 (yellow fill) — with strings inline
 * (`inlineStr`, read by Excel, WPS, LibreOffice and this system's reader alike).
 */
import path from 'node:path';
import { Readable } from 'node:stream';
import { ERROR_HEADER, HINT_HEADER, RESULT_HEADER, ROW_HEADER } from './columns';
import { DATE_FORMAT, dateCell, fitWidth } from '../sheet-cells';
import { columnName } from './sheet-xml';

/** A report's row: the uploaded cells, the result, the reasons, the hints, and (with `rowNumbers`) its row in the uploaded file. */
export type ReportRow = { raw: unknown[]; result: string; errors: string[]; hints?: string[]; row?: number };

/** The rows the widths are fitted to (held while the header row waits for them). */
const SAMPLE_ROWS = 1000;
/** The sheet's XML is handed to the zip in pieces of about this many characters. */
const CHUNK_CHARS = 64 * 1024;

/** Characters XML 1.0 does not allow (C0 controls but tab, LF and CR; DEL, as exceljs drops it; U+FFFE/U+FFFF; a surrogate without its pair): dropped. */
const INVALID = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const SPECIAL = /[&<>"\x00-\x08\x0B\x0C\x0E-\x1F\x7F\uD800-\uDFFF\uFFFE\uFFFF]/;
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/** Text for XML content or a double-quoted attribute. */
export function xmlEscape(text: string): string {
  if (!SPECIAL.test(text)) return text;
  return text.replace(INVALID, '').replace(/[&<>"]/g, (c) => ESCAPES[c]);
}

/** The cell styles (styles.xml cellXfs, by index). */
const S = { text: 1, bold: 2, boldText: 3, date: 4, error: 5, hint: 6 } as const;
const DATE_FORMAT_ID = 164;
const TEXT_FORMAT_ID = 49; // built-in "@"

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const MAIN_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PACKAGE_REL_NS = 'http://schemas.openxmlformats.org/package/2006/relationships';

const FONT = '<sz val="11"/><name val="Calibri"/><family val="2"/>';
const STYLES = `${XML_HEAD}<styleSheet xmlns="${MAIN_NS}">`
  + `<numFmts count="1"><numFmt numFmtId="${DATE_FORMAT_ID}" formatCode="${xmlEscape(DATE_FORMAT)}"/></numFmts>`
  + `<fonts count="2"><font>${FONT}</font><font><b/>${FONT}</font></fonts>`
  + '<fills count="4"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
  + '<fill><patternFill patternType="solid"><fgColor rgb="FFFFC7CE"/></patternFill></fill>'
  + '<fill><patternFill patternType="solid"><fgColor rgb="FFFFEB9C"/></patternFill></fill></fills>'
  + '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
  + '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
  + '<cellXfs count="7">'
  + '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
  + `<xf numFmtId="${TEXT_FORMAT_ID}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>`
  + '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
  + `<xf numFmtId="${TEXT_FORMAT_ID}" fontId="1" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1"/>`
  + `<xf numFmtId="${DATE_FORMAT_ID}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>`
  + '<xf numFmtId="0" fontId="0" fillId="2" borderId="0" xfId="0" applyFill="1"/>'
  + '<xf numFmtId="0" fontId="0" fillId="3" borderId="0" xfId="0" applyFill="1"/>'
  + '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles><dxfs count="0"/></styleSheet>';

const CONTENT_TYPES = `${XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">`
  + '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
  + '<Default Extension="xml" ContentType="application/xml"/>'
  + '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
  + '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
  + '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
  + '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
  + '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
  + '</Types>';

const ROOT_RELS = `${XML_HEAD}<Relationships xmlns="${PACKAGE_REL_NS}">`
  + '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
  + '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
  + '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>'
  + '</Relationships>';

const WORKBOOK_RELS = `${XML_HEAD}<Relationships xmlns="${PACKAGE_REL_NS}">`
  + '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
  + '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
  + '</Relationships>';

const workbookXml = (sheetName: string) => `${XML_HEAD}<workbook xmlns="${MAIN_NS}" xmlns:r="${REL_NS}">`
  + `<workbookPr/><bookViews><workbookView/></bookViews><sheets><sheet name="${xmlEscape(sheetName)}" sheetId="1" r:id="rId1"/></sheets></workbook>`;

const APP = `${XML_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>Microsoft Excel</Application></Properties>`;
const coreXml = (now: Date) => {
  const when = `${now.toISOString().slice(0, 19)}Z`;
  return `${XML_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`
    + `<dc:creator>全国学前教育管理信息系统</dc:creator><dcterms:created xsi:type="dcterms:W3CDTF">${when}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">${when}</dcterms:modified></cp:coreProperties>`;
};

const DAY_MS = 86400000;
/** A date's serial day number (1900 date system), as exceljs computes it. */
const serial = (date: Date) => 25569 + date.getTime() / DAY_MS;

const inline = (ref: string, style: number, text: string) => {
  const escaped = xmlEscape(text);
  const space = escaped !== escaped.trim() ? ' xml:space="preserve"' : '';
  return `<c r="${ref}"${style ? ` s="${style}"` : ''} t="inlineStr"><is><t${space}>${escaped}</t></is></c>`;
};

/** One uploaded cell: a date as a date cell, a number as a number, a boolean as one; the rest as text (empty: the text style only). */
function uploadedCell(ref: string, value: unknown): string {
  if (value === null || value === undefined) return `<c r="${ref}" s="${S.text}"/>`;
  if (value instanceof Date) {
    const day = dateCell(value);
    if (day instanceof Date) return `<c r="${ref}" s="${S.date}"><v>${serial(day)}</v></c>`;
    return `<c r="${ref}" s="${S.text}"/>`;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? `<c r="${ref}"><v>${value}</v></c>` : `<c r="${ref}" s="${S.text}"/>`;
  if (typeof value === 'boolean') return `<c r="${ref}" s="${S.text}" t="b"><v>${value ? 1 : 0}</v></c>`;
  const text = String(value);
  return text ? inline(ref, S.text, text) : `<c r="${ref}" s="${S.text}"/>`;
}

/**
 * The report's xlsx as a stream of bytes: `headers` are the uploaded columns (the rows' `raw`, in
 * that order), followed by the result, the reasons, when `hinted` (else: when a row of an array
 * has a hint) the hints, and with `rowNumbers` (a report of some of the uploaded rows) each row's
 * number in the uploaded file.
 */
export function reportArchive(headers: string[], rows: ReportRow[] | AsyncIterable<ReportRow> | Iterable<ReportRow>, sheetName: string, options: { hinted?: boolean; rowNumbers?: boolean } = {}): NodeJS.ReadableStream {
  const width = headers.length;
  const hintedOption = options.hinted ?? (Array.isArray(rows) ? rows.some((item) => item.hints?.length) : undefined);
  // the column letters, once
  const letters = Array.from({ length: width + 4 }, (_, i) => columnName(i + 1));

  async function* sheetXml(): AsyncGenerator<string> {
    const iterator = (Symbol.asyncIterator in Object(rows) ? (rows as AsyncIterable<ReportRow>)[Symbol.asyncIterator]() : (rows as Iterable<ReportRow>)[Symbol.iterator]()) as Iterator<ReportRow> | AsyncIterator<ReportRow>;
    const sample: ReportRow[] = [];
    let next = await iterator.next();
    while (!next.done && sample.length < SAMPLE_ROWS) {
      sample.push(next.value);
      next = await iterator.next();
    }
    const hinted = hintedOption ?? sample.some((item) => item.hints?.length);
    const cols: string[] = [];
    for (let i = 0; i < width; i += 1) {
      cols.push(`<col min="${i + 1}" max="${i + 1}" width="${fitWidth(headers[i] ?? '', sample.map((item) => item.raw[i]))}" style="${S.text}" customWidth="1"/>`);
    }
    const own = [
      fitWidth(RESULT_HEADER, sample.map((item) => item.result)),
      fitWidth(ERROR_HEADER, sample.map((item) => item.errors.join('；')), { min: 30, max: 100 }),
      ...(hinted ? [fitWidth(HINT_HEADER, sample.map((item) => (item.hints ?? []).join('；')), { min: 30, max: 100 })] : []),
      ...(options.rowNumbers ? [fitWidth(ROW_HEADER, sample.map((item) => String(item.row ?? '')))] : []),
    ];
    own.forEach((w, k) => cols.push(`<col min="${width + k + 1}" max="${width + k + 1}" width="${w}" customWidth="1"/>`));
    let xml = `${XML_HEAD}<worksheet xmlns="${MAIN_NS}" xmlns:r="${REL_NS}">`
      + '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
      + `<sheetFormatPr defaultRowHeight="15"/><cols>${cols.join('')}</cols><sheetData>`;
    xml += `<row r="1" s="${S.bold}" customFormat="1">`;
    for (let i = 0; i < width; i += 1) xml += headers[i] ? inline(`${letters[i]}1`, S.boldText, headers[i]) : `<c r="${letters[i]}1" s="${S.boldText}"/>`;
    [RESULT_HEADER, ERROR_HEADER, ...(hinted ? [HINT_HEADER] : []), ...(options.rowNumbers ? [ROW_HEADER] : [])].forEach((header, k) => { xml += inline(`${letters[width + k]}1`, S.bold, header); });
    xml += '</row>';
    let number = 1;
    const add = (item: ReportRow) => {
      number += 1;
      xml += `<row r="${number}">`;
      const { raw } = item;
      for (let i = 0; i < width; i += 1) xml += uploadedCell(`${letters[i]}${number}`, raw[i]);
      xml += inline(`${letters[width]}${number}`, 0, item.result);
      if (item.errors.length) xml += inline(`${letters[width + 1]}${number}`, S.error, item.errors.join('；'));
      const hints = item.hints ?? [];
      if (hints.length) xml += inline(`${letters[width + 2]}${number}`, S.hint, hints.join('；'));
      if (options.rowNumbers && item.row !== undefined) xml += `<c r="${letters[width + (hinted ? 3 : 2)]}${number}"><v>${item.row}</v></c>`;
      xml += '</row>';
    };
    for (const item of sample) {
      add(item);
      if (xml.length >= CHUNK_CHARS) { yield xml; xml = ''; }
    }
    sample.length = 0;
    for (; !next.done; next = await iterator.next()) {
      add(next.value);
      if (xml.length >= CHUNK_CHARS) { yield xml; xml = ''; }
    }
    xml += '</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>';
    yield xml;
  }

  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const archiver = require(archiverPath());
  const zip = archiver('zip', { zlib: { level: 1 } });
  const now = new Date();
  zip.append(CONTENT_TYPES, { name: '[Content_Types].xml', date: now });
  zip.append(ROOT_RELS, { name: '_rels/.rels', date: now });
  zip.append(APP, { name: 'docProps/app.xml', date: now });
  zip.append(coreXml(now), { name: 'docProps/core.xml', date: now });
  zip.append(workbookXml(sheetName), { name: 'xl/workbook.xml', date: now });
  zip.append(WORKBOOK_RELS, { name: 'xl/_rels/workbook.xml.rels', date: now });
  zip.append(STYLES, { name: 'xl/styles.xml', date: now });
  const sheet = Readable.from((async function* () {
    for await (const text of sheetXml()) yield Buffer.from(text, 'utf8');
  })(), { objectMode: false });
  // an error of the rows (a scratch file that cannot be read) ends the archive with it
  sheet.on('error', (error) => zip.emit('error', error));
  zip.append(sheet, { name: 'xl/worksheets/sheet1.xml', date: now });
  void zip.finalize().catch((error: Error) => zip.emit('error', error));
  return zip;
}

let resolved: string | undefined;
/** archiver: the zip writer of exceljs (a dependency of this package), found where exceljs finds it. */
function archiverPath(): string {
  resolved ??= require.resolve('archiver', { paths: [path.dirname(require.resolve('exceljs/package.json'))] });
  return resolved;
}
