/**
 * The import's error report (cms/src/domain/import/report-xml.ts, the lean writer behind
 * template.ts writeReport) is the workbook the exceljs streaming writer made before: written both
 * ways and read back with exceljs, every cell's value, number format, fill and boldness, the widths
 * and the frozen first row are the same; the import reads it back as it read the old one (a user
 * fixes the report and uploads it again). And the report as stored (cms/src/domain/import/sealed-file.ts):
 * sealed as it is written, opened again, and the reports sealed the old way still open.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';

for (const name of ['APP_KEYS', 'API_TOKEN_SALT', 'ADMIN_JWT_SECRET', 'TRANSFER_TOKEN_SALT', 'JWT_SECRET', 'ENCRYPTION_KEY', 'PII_HASH_KEY', 'PII_ENCRYPTION_KEY']) {
  process.env[name] ??= `unit-${name}-${crypto.randomBytes(8).toString('hex')}`;
}

/* eslint-disable import/first */
import { writeReport, type ReportRow } from '../../cms/src/domain/import/template';
import { readUpload } from '../../cms/src/domain/import/workbook';
import { ERROR_HEADER, HINT_HEADER, RESULT_HEADER, type Column } from '../../cms/src/domain/import/columns';
import { DATE_FORMAT, TEXT_FORMAT, dateCell, fitWidth } from '../../cms/src/domain/sheet-cells';
import { isSealed, openSealed, openText, sealBuffer, sealText, sealTo } from '../../cms/src/domain/import/sealed-file';
import { encryptValue } from '../../cms/src/security/pii';

const ERROR_FILL = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFC7CE' } } as const;
const HINT_FILL = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFEB9C' } } as const;

/** The report as the exceljs streaming writer wrote it before the lean writer (the reference). */
async function writeWithExcelJs(file: string, headers: string[], rows: ReportRow[], sheetName = '幼儿信息'): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet(sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
  const width = headers.length;
  const sample = rows.slice(0, 1000);
  const hinted = rows.some((item) => item.hints?.length);
  sheet.columns = [
    ...Array.from({ length: width }, (_, i) => ({ header: headers[i] ?? '', width: fitWidth(headers[i] ?? '', sample.map((item) => item.raw[i])), style: { numFmt: TEXT_FORMAT } })),
    { header: RESULT_HEADER, width: fitWidth(RESULT_HEADER, sample.map((item) => item.result)) },
    { header: ERROR_HEADER, width: fitWidth(ERROR_HEADER, sample.map((item) => item.errors.join('；')), { min: 30, max: 100 }) },
    ...(hinted ? [{ header: HINT_HEADER, width: fitWidth(HINT_HEADER, sample.map((item) => (item.hints ?? []).join('；')), { min: 30, max: 100 }) }] : []),
  ] as any;
  sheet.getRow(1).font = { bold: true };
  const styles = { text: { numFmt: TEXT_FORMAT }, date: { numFmt: DATE_FORMAT }, number: { numFmt: 'General' }, plain: {}, error: { fill: ERROR_FILL }, hint: { fill: HINT_FILL } };
  for (const item of rows) {
    const values = Array.from({ length: width }, (_, i) => {
      const value = item.raw[i];
      return value === undefined ? null : value instanceof Date ? dateCell(value) : value;
    });
    const hints = item.hints ?? [];
    const row = sheet.addRow([...values, item.result, item.errors.length ? item.errors.join('；') : null, ...(hints.length ? [hints.join('；')] : [])]);
    values.forEach((value, i) => {
      row.getCell(i + 1).style = (value instanceof Date ? styles.date : typeof value === 'number' ? styles.number : styles.text) as any;
    });
    row.getCell(width + 1).style = styles.plain as any;
    row.getCell(width + 2).style = (item.errors.length ? styles.error : styles.plain) as any;
    if (hints.length) row.getCell(width + 3).style = styles.hint as any;
    row.commit();
  }
  sheet.commit();
  await workbook.commit();
}

const HEADERS = ['姓名', '证件号码', '出生日期', '体重', '是否独生子女', '现住址', '备注'];
const NAMES = ['张三', '李四', '欧阳娜娜', 'Ｌｉ　Ｍｉｎｇ', '王<五>', 'A & B', '"引号"', "单'引号"];

/** Rows of every kind of value a report holds, more than the 1,000 the widths are fitted to. */
function sampleRows(): ReportRow[] {
  const rows: ReportRow[] = [];
  for (let i = 0; i < 1300; i += 1) {
    const raw: unknown[] = [
      NAMES[i % NAMES.length] + (i > 1100 ? '的名字比前一千行的都长很多很多很多很多很多' : ''),
      `3505022021${String(1 + (i % 12)).padStart(2, '0')}01${String(100 + (i % 900))}X`,
      i % 7 === 0 ? '2021/3/5' : new Date(Date.UTC(2020 + (i % 4), i % 12, 1 + (i % 28))),
      i % 5 === 0 ? null : i % 3 === 0 ? 12.5 + i : i,
      i % 4 === 0 ? true : i % 4 === 1 ? false : '是',
      i % 9 === 0 ? undefined : `鲤城区中山路 ${i} 号`,
      i % 11 === 0 ? '  前后有空格  ' : i % 13 === 0 ? '多行\n第二行\t制表' : i % 17 === 0 ? '表情😀和汉字𠀀' : '',
    ];
    const errors = i % 6 === 0 ? ['民族：无法识别「火星族」', '证件号码：校验位不正确'] : [];
    const hints = i % 10 === 3 ? [`疑似重复：与 鲤城区实验幼儿园 的幼儿 ${i} 姓名、出生日期、性别相同`] : [];
    rows.push({ raw, result: errors.length ? '错误' : i % 8 === 0 ? '已导入（跳过）' : '已导入', errors, hints });
  }
  // characters XML 1.0 does not allow: dropped (exceljs dropped them too)
  rows.push({ raw: ['控制\u0001字符\u001f', 'a\u0000b', null, 0, -1.25e-7, '\u007fDEL', 'ok'], result: '错误', errors: ['原因\u0008'], hints: [] });
  // a row wider than the headers is cut to them; a shorter one is filled with empty cells
  rows.push({ raw: ['短行'], result: '已导入', errors: [], hints: [] });
  return rows;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'report-writer-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

type Seen = { value: unknown; numFmt?: string; fill?: unknown; bold: boolean };
async function readBack(file: string) {
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(file);
  const sheet = book.worksheets[0];
  const cells: Record<string, Seen> = {};
  sheet.eachRow({ includeEmpty: true }, (row) => {
    row.eachCell({ includeEmpty: true }, (cell) => {
      const fill = cell.fill && (cell.fill as any).pattern !== 'none' ? { pattern: (cell.fill as any).pattern, fgColor: (cell.fill as any).fgColor?.argb } : undefined;
      cells[cell.address] = { value: cell.value instanceof Date ? cell.value.toISOString() : cell.value, numFmt: cell.numFmt || undefined, fill, bold: Boolean(cell.font?.bold) };
    });
  });
  const view = sheet.views[0] as any;
  return {
    name: sheet.name,
    rowCount: sheet.rowCount,
    frozen: { state: view?.state, ySplit: view?.ySplit, xSplit: view?.xSplit ?? 0, topLeftCell: view?.topLeftCell },
    columns: (sheet.columns ?? []).map((column) => ({ width: column.width, numFmt: (column as any).numFmt || undefined })),
    cells,
  };
}

describe('the lean report writer', () => {
  test('writes what the exceljs writer wrote: every value, number format, fill, bold header, widths and the frozen first row', async () => {
    const rows = sampleRows();
    const lean = path.join(tmp, 'lean.xlsx');
    const reference = path.join(tmp, 'exceljs.xlsx');
    await writeReport(lean, HEADERS, rows);
    await writeWithExcelJs(reference, HEADERS, rows);
    const [got, want] = [await readBack(lean), await readBack(reference)];
    expect(got.name).toBe('幼儿信息');
    expect(got.frozen).toEqual({ state: 'frozen', ySplit: 1, xSplit: 0, topLeftCell: 'A2' });
    expect(got.frozen).toEqual(want.frozen);
    expect(got.columns).toEqual(want.columns);
    expect(got.rowCount).toBe(rows.length + 1);
    expect(Object.keys(got.cells).length).toBeGreaterThan(rows.length * HEADERS.length);
    for (const address of new Set([...Object.keys(want.cells), ...Object.keys(got.cells)])) {
      expect({ address, ...got.cells[address] }).toEqual({ address, ...want.cells[address] });
    }
    // what a user sees: a text ID number, a date cell, a number, the header bold, the fills
    expect(got.cells.B2).toMatchObject({ value: '35050220210101100X', numFmt: '@' });
    expect(got.cells.C3).toMatchObject({ value: '2021-02-02T00:00:00.000Z', numFmt: 'yyyy-mm-dd' });
    expect(got.cells.D3).toMatchObject({ value: 1 });
    expect(got.cells.A1).toMatchObject({ value: '姓名', bold: true, numFmt: '@' });
    expect(got.cells.H1).toMatchObject({ value: RESULT_HEADER, bold: true });
    expect(got.cells.I2).toMatchObject({ value: '民族：无法识别「火星族」；证件号码：校验位不正确', fill: { pattern: 'solid', fgColor: 'FFFFC7CE' } });
    expect(got.cells.J5).toMatchObject({ fill: { pattern: 'solid', fgColor: 'FFFFEB9C' } });
    expect(got.cells[`A${rows.length}`]).toMatchObject({ value: '控制字符' });
    expect(got.cells.G13).toMatchObject({ value: '  前后有空格  ' });
  });

  test('a report without hints has no 提示 column; a text with a lone surrogate is still valid XML', async () => {
    const rows: ReportRow[] = [{ raw: ['半个\ud800字', 'x'], result: '错误', errors: ['姓名：不正确'] }];
    const lean = path.join(tmp, 'plain.xlsx');
    await writeReport(lean, ['姓名', '其他'], rows, '健康检查');
    const got = await readBack(lean);
    expect(got.name).toBe('健康检查');
    expect(Object.keys(got.cells).filter((a) => a.endsWith('1')).map((a) => got.cells[a].value)).toEqual(['姓名', '其他', RESULT_HEADER, ERROR_HEADER]);
    expect(got.cells.A2.value).toBe('半个字');
  });

  test('uploaded again, the report is read as the old one was: the same rows and cells', async () => {
    const rows = sampleRows().slice(0, 200);
    const columns = [
      { header: '姓名', path: 'name', required: true, kind: 'text' },
      { header: '证件号码', path: 'idNumber', required: false, kind: 'id' },
      { header: '出生日期', path: 'birthDate', required: false, kind: 'date' },
      { header: '现住址', path: 'address', required: false, kind: 'text' },
      { header: '是否独生子女', path: 'onlyChild', required: false, kind: 'boolean' },
    ] as unknown as Column[];
    const limits = { maxBytes: 10 * 1024 * 1024, maxRows: 1000 };
    const lean = path.join(tmp, 'again-lean.xlsx');
    const reference = path.join(tmp, 'again-exceljs.xlsx');
    await writeReport(lean, HEADERS, rows);
    await writeWithExcelJs(reference, HEADERS, rows);
    const [got, want] = [await readUpload(fs.readFileSync(lean), columns, limits), await readUpload(fs.readFileSync(reference), columns, limits)];
    expect(got.rows.length).toBe(200);
    expect(got.headers).toEqual(want.headers);
    expect(got.rows.map((r) => ({ row: r.row, cells: r.cells, errors: r.cellErrors }))).toEqual(want.rows.map((r) => ({ row: r.row, cells: r.cells, errors: r.cellErrors })));
  });

  test('rows from an async iterable (the scratch file) are written as from an array', async () => {
    const rows = sampleRows().slice(0, 1100);
    async function* stream() { for (const row of rows) yield row; }
    const fromArray = path.join(tmp, 'array.xlsx');
    const fromStream = path.join(tmp, 'stream.xlsx');
    await writeReport(fromArray, HEADERS, rows);
    await writeReport(fromStream, HEADERS, stream(), undefined, { hinted: true });
    expect(await readBack(fromStream)).toEqual(await readBack(fromArray));
  });
});

describe('the report as stored', () => {
  const workbook = async () => {
    const file = path.join(tmp, 'sealed-source.xlsx');
    await writeReport(file, HEADERS, sampleRows().slice(0, 50));
    return fs.readFileSync(file);
  };

  test('sealed as it is written: private, no plain text, opened whole again', async () => {
    const plain = await workbook();
    const file = path.join(tmp, 'sealed-report.xlsx');
    await sealTo(Readable.from([plain.subarray(0, 1000), plain.subarray(1000)]), file, 0o600);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const stored = fs.readFileSync(file);
    expect(stored.subarray(0, 2).toString('latin1')).not.toBe('PK');
    expect(stored.toString('latin1')).not.toContain('350502');
    expect(isSealed(stored.subarray(0, 16))).toBe(true);
    expect(openSealed(stored).equals(plain)).toBe(true);
    // a changed byte is refused, not opened as something else
    stored[stored.length - 40] ^= 1;
    expect(() => openSealed(stored)).toThrow();
  });

  test('a report sealed the old way (base64 text in one encrypted value) and a plain one still open', async () => {
    const plain = await workbook();
    const old = Buffer.from(encryptValue(plain.toString('base64')), 'utf8');
    expect(isSealed(old.subarray(0, 16))).toBe(true);
    expect(openSealed(old).equals(plain)).toBe(true);
    expect(isSealed(plain.subarray(0, 16))).toBe(false);
    expect(openSealed(plain).equals(plain)).toBe(true);
    const resealed = sealBuffer(plain);
    expect(isSealed(resealed.subarray(0, 16))).toBe(true);
    expect(openSealed(resealed).equals(plain)).toBe(true);
  });

  test('an uploaded workbook kept for its job: stored sealed as one base64 text, and read back whichever way it was stored', async () => {
    const plain = await workbook();
    const stored = sealText(plain);
    expect(stored.startsWith('enc:b1:')).toBe(true);
    expect(stored).not.toContain(plain.toString('base64').slice(0, 40));
    // about a third more than the file (base64 once), not three quarters more
    expect(stored.length).toBeLessThan(plain.length * 1.4);
    expect(openText(stored).equals(plain)).toBe(true);
    // the way jobs queued before stored it, and that value as the query engine may hand it back decrypted
    expect(openText(encryptValue(plain.toString('base64'))).equals(plain)).toBe(true);
    expect(openText(plain.toString('base64')).equals(plain)).toBe(true);
  });

  test('a workbook of several megabytes is sealed and opened whole, and a changed byte is refused', () => {
    const plain = crypto.randomBytes(2.5 * 1024 * 1024 + 17);
    const stored = sealText(plain);
    expect(openText(stored).equals(plain)).toBe(true);
    const bytes = Buffer.from(stored.slice('enc:b1:'.length), 'base64');
    bytes[bytes.length - 1000] ^= 1;
    expect(() => openText(`enc:b1:${bytes.toString('base64')}`)).toThrow();
  });
});
