/**
 * Every file the system writes, read back through a real spreadsheet application (LibreOffice
 * headless from Debian, installed by .ci/run): the exports of children, graduates, staff and
 * kindergartens (xlsx and CSV), the statistics summary and a chart's numbers, the import template
 * and an import error report are opened and saved by LibreOffice (CSV opened as a clerk opens it:
 * UTF-8, standard column types), then read with exceljs and the import itself. ID numbers and 学籍号
 * stay text with every digit, dates are dates, codes keep their leading zeros, Chinese reads back,
 * widths fit, drop-downs cover the import's row limit after a save, the import reads back what the
 * export wrote; an .ods upload is refused by name. docs/spreadsheets.md says why each rule is so.
 * All conversions run in three soffice processes started together (one per output kind).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import request from 'supertest';
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { login, type Session } from '../helpers/api';
import { residentId } from '../helpers/ids';

const SOFFICE = ['/usr/bin/soffice', '/usr/lib/libreoffice/program/soffice'].find((file) => fs.existsSync(file));
const describeWithOffice = SOFFICE ? describe : describe.skip;
if (!SOFFICE) {
  // eslint-disable-next-line no-console
  console.warn('spreadsheet-roundtrip: LibreOffice (soffice) is not installed here: skipped. .ci/run installs libreoffice-calc-nogui.');
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const HEADERS = ['姓名', '身份证件类型', '证件号码', '性别', '出生日期', '出生地', '籍贯', '民族', '国籍/地区', '港澳台侨外', '健康状况', '户口所在地', '户口性质', '现住址', '联系电话', '入园日期', '班级', '就读方式', '是否独生子女', '监护人1姓名', '监护人1与幼儿关系', '监护人1身份证件类型', '监护人1证件号码', '监护人1联系电话'];
const day = (iso: string) => new Date(`${iso}T00:00:00Z`);
const ID_A = residentId('350502', '20220315', '731');
const ID_B = residentId('350502', '20220704', '742');
const ID_NUMBER_CELL = residentId('350502', '20220501', '751');
const GUARDIAN_ID = residentId('350502', '19900101', '707');

/** One row of the upload (by header): dates as real date cells, 民族 typed 1 (a CSV conversion's 01). */
const child = (name: string, id: string | number, birth: string, overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  姓名: name, 身份证件类型: '居民身份证', 证件号码: id, 出生日期: day(birth), 出生地: '350502', 籍贯: '福建泉州', 民族: 1, '国籍/地区': '中国', 港澳台侨外: '否',
  健康状况: '健康或良好', 户口所在地: '350502', 户口性质: '非农业', 现住址: '鲤城区往返路 1 号', 联系电话: '13800000000', 入园日期: day('2025-09-01'), 班级: '小一班',
  就读方式: '走读', 是否独生子女: '是', 监护人1姓名: `${name}家长`, 监护人1与幼儿关系: '父亲', 监护人1身份证件类型: '居民身份证',
  监护人1证件号码: GUARDIAN_ID, 监护人1联系电话: '13900000000', ...overrides,
});

async function workbook(rows: Record<string, unknown>[]): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('幼儿信息');
  sheet.addRow(HEADERS);
  for (const r of rows) sheet.addRow(HEADERS.map((h) => (r[h] === undefined ? null : r[h])));
  return Buffer.from(await book.xlsx.writeBuffer());
}

const binary = (res: any, callback: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
};
const fetchFile = async (pending: request.Test) => (await pending.buffer(true).parse(binary).expect(200)).body as Buffer;
const upload = (session: Session, buffer: Buffer, name: string, mode = 'valid-only') =>
  session.post('/api/child-import').attach('file', buffer, { filename: name, contentType: XLSX }).field('mode', mode);

/** Runs soffice with its own profile: converts `files` to `target` in `outDir`. */
function soffice(profile: string, target: string, outDir: string, files: string[], csvIn = false): Promise<void> {
  const args = ['--headless', '--norestore', '--nologo', '--nodefault', '--nolockcheck', `-env:UserInstallation=file://${profile}`,
    // a CSV opened as a clerk opens it: comma, double quotes, UTF-8, standard (detected) column types
    ...(csvIn ? ['--infilter=CSV:44,34,76,1'] : []), '--convert-to', target, '--outdir', outDir, ...files];
  return new Promise((resolve, reject) => {
    execFile(SOFFICE!, args, { timeout: 300000 }, (error, _stdout, stderr) => (error ? reject(new Error(`soffice: ${error.message} ${stderr}`)) : resolve()));
  });
}

async function readBook(file: string) {
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(file);
  return book;
}

/** A sheet's rows as objects by heading (heading row `headingRow`), with the cells' raw values and the columns. */
function table(sheet: ExcelJS.Worksheet, headingRow = 1) {
  const headings = (sheet.getRow(headingRow).values as unknown[]).slice(1).map(textOf);
  const rows: Record<string, unknown>[] = [];
  sheet.eachRow((row, n) => {
    if (n <= headingRow) return;
    // rich text (a cell LibreOffice wrote with formatting runs, or an inline string) is read as its text
    const values = (row.values as any[]).slice(1).map((v) => (v && typeof v === 'object' && Array.isArray(v.richText) ? textOf(v) : v));
    rows.push(Object.fromEntries(headings.map((h, i) => [h, values[i] ?? null])));
  });
  const width = (heading: string) => sheet.getColumn(headings.indexOf(heading) + 1).width ?? 0;
  return { headings, rows, width };
}

/** A cell's text (rich text flattened). */
const textOf = (value: any): string => (value && typeof value === 'object' && Array.isArray(value.richText) ? value.richText.map((part: any) => part.text).join('') : String(value ?? ''));
/** A text cell holding exactly `expected` once the spreadsheet's and the CSV guard's whitespace is trimmed. */
const expectText = (value: unknown, expected: string) => {
  expect({ value, type: typeof value }).toEqual({ value, type: 'string' });
  expect(String(value).trim()).toBe(expected);
};
const expectDate = (value: unknown, iso: string) => {
  expect(value).toBeInstanceOf(Date);
  expect((value as Date).toISOString().slice(0, 10)).toBe(iso);
};

let app: BootedApp;
let kindergarten: Session;
let county: Session;
let province: Session;
let work: string;
/** A file as LibreOffice saved it as xlsx (CSV downloads are named *-csv.csv, so that no two results share a name). */
const saved = (name: string) => path.join(work, 'saved', name.replace(/\.(csv|xlsx)$/, '.xlsx'));
let reportId: string;
let imported: any[];

describeWithOffice('files the system writes, opened and saved by LibreOffice', () => {
  beforeAll(async () => {
    app = await bootStrapi();
    [kindergarten, county, province] = await Promise.all(['demo-kindergarten', 'demo-county', 'demo-province'].map((u) => login(app, u)));
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'roundtrip-'));

    // An upload with two good rows (dates as date cells, 民族 typed 1), an ID stored as a number, and a bad code.
    const started = await upload(kindergarten, await workbook([
      child('往返甲', ID_A, '2022-03-15'),
      child('往返乙', ID_B, '2022-07-04', { 民族: '01' }),
      child('往返丙', Number(ID_NUMBER_CELL), '2022-05-01'),
      child('往返丁', residentId('350502', '20220601', '761'), '2022-06-01', { 民族: '火星族' }),
    ]), 'upload.xlsx').expect(202);
    reportId = started.body.data.id;
    await (app.strapi.service('api::child-import.child-import') as any).settle();
    const job = (await kindergarten.get(`/api/child-import/${reportId}`).expect(200)).body.data;
    expect(job).toMatchObject({ state: 'done', imported: 2, failed: 2 });
    // one message per problem: the number stored as a number is not also "required"
    expect(job.errors.filter((e: any) => e.row === 4)).toEqual([expect.objectContaining({ field: 'idNumber', message: expect.stringContaining('存成了数字') })]);
    imported = await app.strapi.db.query('api::child.child').findMany({ where: { name: { $startsWith: '往返' } }, orderBy: { name: 'asc' } });
    expect(imported.map((c: any) => [c.name, c.ethnicity, c.birthDate])).toEqual([['往返乙', '01', '2022-07-04'], ['往返甲', '01', '2022-03-15']]);
    // 往返甲 graduates, with a 学籍号, from the demo class's school year
    const graduate = imported.find((c: any) => c.name === '往返甲');
    await app.strapi.db.query('api::child.child').update({ where: { id: graduate.id }, data: { status: 'graduated', studentNumber: `G${graduate.idNumber}` } });

    const ours = `filters[name][$startsWith]=${encodeURIComponent('往返')}`;
    const files: Record<string, Buffer> = {
      'children.xlsx': await fetchFile(kindergarten.get(`/api/child-export?format=xlsx&${ours}`)),
      'children-csv.csv': await fetchFile(kindergarten.get(`/api/child-export?format=csv&${ours}`)),
      'graduates.xlsx': await fetchFile(kindergarten.get('/api/child-export/graduates?schoolYear=2026-2027')),
      'graduates-csv.csv': await fetchFile(kindergarten.get('/api/child-export/graduates?schoolYear=2026-2027&format=csv')),
      'staff.xlsx': await fetchFile(kindergarten.get('/api/staff-export?format=xlsx')),
      'staff-csv.csv': await fetchFile(kindergarten.get('/api/staff-export?format=csv')),
      'kindergartens.xlsx': await fetchFile(county.get('/api/kindergarten-export?format=xlsx')),
      'kindergartens-csv.csv': await fetchFile(county.get('/api/kindergarten-export?format=csv')),
      'summary.xlsx': await fetchFile(province.get('/api/statistics/export')),
      'chart.xlsx': await fetchFile(county.post('/api/statistics/query?format=xlsx').send({ indicator: 'children', dimension: 'kindergarten', title: '本县各园' })),
      'template.xlsx': await fetchFile(kindergarten.get('/api/child-import/template')),
      'report.xlsx': await fetchFile(kindergarten.get(`/api/child-import/${reportId}/report`)),
    };
    for (const [name, body] of Object.entries(files)) fs.writeFileSync(path.join(work, name), body);
    const inputs = Object.keys(files).map((name) => path.join(work, name));
    const csvs = inputs.filter((file) => file.endsWith('.csv'));
    // Open and save everything as xlsx; save the CSVs again as CSV (UTF-8); save the template as .ods. Three processes at once.
    await Promise.all([
      soffice(path.join(work, 'p1'), 'xlsx', path.join(work, 'saved'), inputs, true),
      soffice(path.join(work, 'p2'), 'csv:Text - txt - csv (StarCalc):44,34,76,1', path.join(work, 'resaved'), csvs, true),
      soffice(path.join(work, 'p3'), 'ods', path.join(work, 'ods'), [path.join(work, 'template.xlsx')]),
    ]);
  }, 900000);
  afterAll(async () => {
    // a soffice still writing (a timed-out run) must not turn the clean-up into a failure
    try {
      if (work && !process.env.ROUNDTRIP_KEEP) fs.rmSync(work, { recursive: true, force: true, maxRetries: 3 });
    } catch { /* left in the temporary folder */ }
    await app?.stop();
  });

  test('children (xlsx and CSV): ID numbers text with every digit, dates as dates, Chinese headings, the ID column wide enough', async () => {
    for (const name of ['children.xlsx', 'children-csv.csv']) {
      const { headings, rows, width } = table((await readBook(saved(name))).worksheets[0]);
      expect(headings).toEqual(expect.arrayContaining(['姓名', '证件号码', '出生日期', '入园日期', '监护人1证件号码', '学籍号']));
      const a = rows.find((r) => r['姓名'] === '往返甲')!;
      expectText(a['证件号码'], ID_A);
      expectText(a['监护人1证件号码'], GUARDIAN_ID);
      expectText(a['学籍号'], `G${ID_A}`);
      expectDate(a['出生日期'], '2022-03-15');
      expectDate(a['入园日期'], '2025-09-01');
      expect(a['民族']).toBe('汉族');
      if (name.endsWith('.xlsx')) expect(width('证件号码')).toBeGreaterThanOrEqual(18);
    }
  });

  test('the import reads back what the export wrote: the saved xlsx and CSV exports re-import as 已导入, every row', async () => {
    for (const name of ['children.xlsx', 'children-csv.csv']) {
      const started = await upload(kindergarten, fs.readFileSync(saved(name)), `${name}.xlsx`).expect(202);
      await (app.strapi.service('api::child-import.child-import') as any).settle();
      const job = (await kindergarten.get(`/api/child-import/${started.body.data.id}`).expect(200)).body.data;
      // the same ID numbers (by their keys), names and birth dates: nothing new, nothing wrong
      expect({ name, ...job, errors: job.errors }).toMatchObject({ name, state: 'done', total: 2, skipped: 2, failed: 0, imported: 0, errors: [] });
    }
  });

  test('a CSV saved again as CSV by LibreOffice keeps the guarded cells as typed', async () => {
    const text = fs.readFileSync(path.join(work, 'resaved', 'children-csv.csv'), 'utf8');
    expect(text).toContain(`"\t${ID_A}"`);
    const book = new ExcelJS.Workbook();
    const sheet = await book.csv.readFile(path.join(work, 'resaved', 'children-csv.csv'), { map: (value: unknown) => value } as any);
    const { rows } = table(sheet);
    expectText(rows.find((r) => Object.values(r).includes('往返甲'))!['证件号码'], ID_A);
  });

  test('graduates (xlsx and CSV): 学籍号 and ID numbers text with every digit, birth date a date', async () => {
    for (const name of ['graduates.xlsx', 'graduates-csv.csv']) {
      const { headings, rows } = table((await readBook(saved(name))).worksheets[0]);
      expect(headings[0]).toBe('学籍号');
      expect(rows).toHaveLength(1);
      expectText(rows[0]['学籍号'], `G${ID_A}`);
      expectText(rows[0]['证件号码'], ID_A);
      expectDate(rows[0]['出生日期'], '2022-03-15');
      // a 10-digit code without a leading zero: a CSV opened in a spreadsheet may make it a number, every digit kept
      if (name.endsWith('.xlsx')) expectText(rows[0]['毕业幼儿园机构标识码'], '3135050201');
      else expect(String(rows[0]['毕业幼儿园机构标识码'])).toBe('3135050201');
    }
  });

  test('staff and kindergartens (xlsx and CSV): ID numbers and codes as text, dates as dates', async () => {
    for (const name of ['staff.xlsx', 'staff-csv.csv']) {
      const { rows, width } = table((await readBook(saved(name))).worksheets[0]);
      const lin = rows.find((r) => r['姓名'] === '林晓梅')!;
      expectText(lin['身份证件号'], '350502197803120287');
      expectDate(lin['入职日期'], '2000-09-01');
      if (name.endsWith('.xlsx')) expect(width('身份证件号')).toBeGreaterThanOrEqual(18);
    }
    for (const name of ['kindergartens.xlsx', 'kindergartens-csv.csv']) {
      const { rows, width } = table((await readBook(saved(name))).worksheets[0]);
      const first = rows.find((r) => String(r['机构标识码']).trim() === '3135050201')!;
      expect(first['幼儿园名称']).toBe('泉州市鲤城区实验幼儿园');
      expectDate(first['许可证截止日期'], '2030-08-31');
      if (name.endsWith('.xlsx')) {
        expectText(first['机构标识码'], '3135050201');
        expect(width('幼儿园名称')).toBeGreaterThanOrEqual(22);
      }
    }
  });

  test('statistics: the summary and a chart’s numbers keep their codes as text and fit their columns', async () => {
    const summary = await readBook(saved('summary.xlsx'));
    const kindergartens = table(summary.getWorksheet('幼儿园')!);
    const first = kindergartens.rows.find((r) => r['代码'] === '3135050201')!;
    expect(first['名称']).toBe('泉州市鲤城区实验幼儿园');
    expect(kindergartens.width('名称')).toBeGreaterThanOrEqual(22);
    const own = table(summary.getWorksheet('本级汇总')!);
    expectText(own.rows[0]['代码'], '350000');
    const chart = (await readBook(saved('chart.xlsx'))).worksheets[0];
    expect(String(chart.getCell('A1').value)).toBe('本县各园');
    const numbers = table(chart, 3);
    expect(numbers.rows.some((r) => r['代码'] === '3135050201')).toBe(true);
  });

  test('the template after a save: drop-downs down to the row limit, dates formatted as dates, codes as text', async () => {
    const maxRows = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'config', 'imports.json'), 'utf8')).maxRows;
    // exceljs would expand every validated range into one entry per cell (20,000 rows × each coded column):
    // the validations are read from the XML below, and taken out of the copy exceljs reads
    const zip = await JSZip.loadAsync(fs.readFileSync(saved('template.xlsx')));
    const xml = await zip.file('xl/worksheets/sheet1.xml')!.async('string');
    zip.file('xl/worksheets/sheet1.xml', xml.replace(/<dataValidations\b[\s\S]*?<\/dataValidations>/, ''));
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await zip.generateAsync({ type: 'nodebuffer' }) as any);
    const data = book.getWorksheet('幼儿信息')!;
    const { headings } = table(data);
    // the drop-downs as LibreOffice wrote them (sqref of each dataValidation of the data sheet, the first)
    const ranges = [...xml.matchAll(/<dataValidation\b[^>]*\bsqref="([^"]+)"/g)].flatMap((m) => m[1].split(/\s+/));
    const column = (heading: string) => {
      let letters = '';
      for (let n = headings.indexOf(heading) + 1; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
      return letters;
    };
    for (const heading of ['*民族', '*身份证件类型', '班级']) {
      const letter = column(heading);
      const covering = ranges.filter((r) => new RegExp(`^${letter}2:${letter}\\d+$`).test(r)).map((r) => Number(r.split(':')[1].slice(1)));
      expect({ heading, last: Math.max(0, ...covering) }).toEqual({ heading, last: maxRows + 1 });
    }
    expect(data.getColumn(headings.indexOf('出生日期') + 1).numFmt).toMatch(/yy/);
    expect(data.getColumn(headings.indexOf('证件号码') + 1).numFmt).toBe('@');
    expect(data.getColumn(headings.indexOf('证件号码') + 1).width).toBeGreaterThanOrEqual(18);
    const ethnicities = table(book.getWorksheet('民族')!);
    expect(ethnicities.rows[0]).toEqual({ 代码: '01', 名称: '汉族' });
    const help = book.getWorksheet('说明')!;
    const lines: string[] = [];
    help.eachRow((row) => lines.push(textOf(row.getCell(1).value)));
    expect(lines.join('\n')).toContain('前面的 0 可以省略');
    // the saved template, filled with one row, imports (the end mark is no data)
    const filled = book;
    const sheet = data;
    const row = child('往返戊', residentId('350502', '20220808', '771'), '2022-08-08', { 民族: '汉族' });
    headings.forEach((heading, i) => { const value = row[heading.replace(/^\*/, '')]; if (value !== undefined) sheet.getCell(2, i + 1).value = value as any; });
    const started = await upload(kindergarten, Buffer.from(await filled.xlsx.writeBuffer()), 'filled.xlsx').expect(202);
    await (app.strapi.service('api::child-import.child-import') as any).settle();
    expect((await kindergarten.get(`/api/child-import/${started.body.data.id}`).expect(200)).body.data).toMatchObject({ state: 'done', total: 1, imported: 1, errors: [] });
  });

  test('the error report after a save: cells as typed (dates as dates, the number as a number), one message per problem', async () => {
    const { rows, width } = table((await readBook(saved('report.xlsx'))).worksheets[0]);
    const third = rows.find((r) => r['姓名'] === '往返丙')!;
    expectDate(third['出生日期'], '2022-05-01');
    expectDate(third['入园日期'], '2025-09-01');
    expect(typeof third['证件号码']).toBe('number');
    expect(String(third['错误说明'])).toContain('存成了数字');
    expect(String(third['错误说明'])).not.toContain('必填');
    const fourth = rows.find((r) => r['姓名'] === '往返丁')!;
    expectDate(fourth['出生日期'], '2022-06-01');
    expect(String(fourth['错误说明'])).toContain('火星族');
    expect(width('错误说明')).toBeGreaterThanOrEqual(30);
  });

  test('an .ods (LibreOffice and WPS save so by default) is refused with the reason, nothing stored', async () => {
    const before = await app.strapi.db.query('api::child-import.child-import').count({});
    const response = await upload(kindergarten, fs.readFileSync(path.join(work, 'ods', 'template.ods')), 'template.ods');
    expect(response.status).toBe(400);
    expect(response.body.error.message).toBe('不支持 .ods，请另存为 .xlsx');
    expect(await app.strapi.db.query('api::child-import.child-import').count({})).toBe(before);
  });
});
