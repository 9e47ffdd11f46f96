/**
 * Reading an uploaded workbook (cms/src/domain/import/workbook.ts): the streaming reader, and the
 * in-memory second reading when the streaming one gives up on a sound file.
 */
import crypto from 'node:crypto';
import ExcelJS from 'exceljs';
import { ALREADY_NORMAL, IN_MEMORY_MAX_BYTES, normalizeText, readUpload, sheetReader } from '../../cms/src/domain/import/workbook';
import type { Column } from '../../cms/src/domain/import/columns';

const columns = [
  { header: '姓名', path: 'name', required: true, kind: 'text' },
  { header: '出生日期', path: 'birthDate', required: false, kind: 'date' },
] as unknown as Column[];
const limits = { maxBytes: 10 * 1024 * 1024, maxRows: 1000 };

async function book(rows: unknown[][]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('幼儿信息');
  sheet.addRow(['姓名', '出生日期']);
  rows.forEach((row) => sheet.addRow(row));
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

const cellsOf = (sheet: Awaited<ReturnType<typeof readUpload>>) => sheet.rows.map((row) => ({ row: row.row, ...row.cells }));

afterEach(() => jest.restoreAllMocks());

test('the data sheet is streamed: headers matched, cells normalised, dates read', async () => {
  const sheet = await readUpload(await book([['张　三 ', '2022/3/5'], ['ＬＩ　Ｍｉｎｇ', new Date(Date.UTC(2021, 8, 1))]]), columns, limits);
  expect(cellsOf(sheet)).toEqual([
    { row: 2, name: '张 三', birthDate: '2022-03-05' },
    { row: 3, name: 'LI Ming', birthDate: '2021-09-01' },
  ]);
});

test('with a row consumer the rows go to it, not into the answer; a file that fails its checks hands a small file\'s rows to no one', async () => {
  const file = await book([['张三', '2022-03-05'], [], ['李四', '20210901']]);
  const handed: { row: number; name: string; headers: string[] }[] = [];
  const sheet = await readUpload(file, columns, limits, { onRow: async (row, headers) => { handed.push({ row: row.row, name: row.cells.name, headers: [...headers] }); } });
  expect(sheet.rows).toEqual([]);
  expect(sheet.count).toBe(2);
  expect(handed).toEqual([{ row: 2, name: '张三', headers: ['姓名', '出生日期'] }, { row: 4, name: '李四', headers: ['姓名', '出生日期'] }]);
  // the header row only (a large upload, read whole by its job): the required columns checked, the rows estimated from the sheet's row tags
  const headed = await readUpload(file, columns, limits, undefined, { headersOnly: true });
  expect(headed).toMatchObject({ headers: ['姓名', '出生日期'], rows: [], count: 2 });
  const noName = new ExcelJS.Workbook();
  noName.addWorksheet('幼儿信息').addRow(['出生日期']);
  await expect(readUpload(Buffer.from(await noName.xlsx.writeBuffer()), columns, limits, undefined, { headersOnly: true })).rejects.toMatchObject({ message: expect.stringContaining('缺少必填列：姓名') });
  const tooMany = await book([['张三'], ['李四'], ['王五']]);
  const none: number[] = [];
  await expect(readUpload(tooMany, columns, { ...limits, maxRows: 2 }, { onRow: (row) => { none.push(row.row); } })).rejects.toMatchObject({ message: expect.stringContaining('数据行超过 2 行') });
  expect(none).toEqual([]);
});

test('when the streaming reader gives up on a sound file, the file is read again whole, with the same result', async () => {
  const file = await book([['张三', '2022-03-05'], ['李四', '20210901']]);
  const streamed = await readUpload(file, columns, limits);
  const warnings: string[] = [];
  (globalThis as any).strapi = { log: { warn: (message: string) => warnings.push(message) } };
  const parse = jest.spyOn(sheetReader, 'readSheet').mockRejectedValue(new Error('FILE_ENDED'));
  try {
    const again = await readUpload(file, columns, limits);
    expect(parse).toHaveBeenCalled();
    expect(cellsOf(again)).toEqual(cellsOf(streamed));
    expect(warnings).toEqual([expect.stringContaining('FILE_ENDED')]);
  } finally {
    delete (globalThis as any).strapi;
  }
});

test('a file neither reader can read is one 400 on the file field, and the row checks still apply to a second reading', async () => {
  jest.spyOn(sheetReader, 'readSheet').mockRejectedValue(new Error('invalid signature'));
  const damaged = Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(2000, 7)]);
  await expect(readUpload(damaged, columns, limits)).rejects.toMatchObject({ name: 'ValidationError', message: expect.stringContaining('已损坏'), details: { errors: [{ path: ['file'] }] } });
  await expect(readUpload(await book([]), columns, limits)).rejects.toMatchObject({ message: expect.stringContaining('没有数据行') });
});

test('an .ods (LibreOffice and WPS) is refused with the reason; a date cell stays a date for the error report', async () => {
  const JSZip = (await import('jszip')).default;
  const ods = new JSZip();
  ods.file('mimetype', 'application/vnd.oasis.opendocument.spreadsheet', { compression: 'STORE' });
  ods.file('content.xml', '<office:document-content/>');
  const buffer = await ods.generateAsync({ type: 'nodebuffer' });
  await expect(readUpload(buffer, columns, limits)).rejects.toMatchObject({ message: '不支持 .ods，请另存为 .xlsx', details: { errors: [{ path: ['file'] }] } });
  // a date typed as a date (a number with a date format): read as the day, kept as a Date for the report
  const sheet = await readUpload(await book([['张三', new Date(Date.UTC(2021, 3, 12))]]), columns, limits);
  expect(sheet.rows[0].cells.birthDate).toBe('2021-04-12');
  expect(sheet.rows[0].raw[1]).toBeInstanceOf(Date);
  // the CSV exports' tab before a long number is trimmed
  const tabbed = await readUpload(await book([['\t张三', '\t2021-04-12']]), columns, limits);
  expect(tabbed.rows[0].cells).toEqual({ name: '张三', birthDate: '2021-04-12' });
});

test('the lean reader gives what exceljs gives: shared, inline and rich-text strings, booleans, errors, dates by number format; formulas and merged cells refused', async () => {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('幼儿信息');
  sheet.addRow(['姓名', '出生日期']);
  sheet.addRow([{ richText: [{ text: '张' }, { font: { bold: true }, text: '三&<>' }] }, new Date(Date.UTC(2021, 3, 12))]);
  sheet.addRow([true, 44300]);
  sheet.getCell('B3').numFmt = 'yyyy"年"m"月"d"日"';
  sheet.addRow([{ error: '#N/A' }, '2021年3月5日']);
  const buffer = Buffer.from(await workbook.xlsx.writeBuffer());
  const read = await readUpload(buffer, columns, limits);
  expect(read.rows.map((row) => row.raw)).toEqual([['张三&<>', new Date(Date.UTC(2021, 3, 12))], [true, new Date(Date.UTC(2021, 3, 14))], ['#N/A', '2021年3月5日']]);
  expect(cellsOf(read)).toEqual([{ row: 2, name: '张三&<>', birthDate: '2021-04-12' }, { row: 3, name: '是', birthDate: '2021-04-14' }, { row: 4, name: '#N/A', birthDate: '2021-03-05' }]);
  expect(read.rows[2].cellErrors).toEqual([{ path: 'name', message: '单元格是错误值 #N/A' }]);
  sheet.getCell('A5').value = { formula: 'A2&"x"', result: '张三x' } as any;
  await expect(readUpload(Buffer.from(await workbook.xlsx.writeBuffer()), columns, limits)).rejects.toMatchObject({ message: expect.stringContaining('单元格含公式：A5（姓名）') });
  sheet.getCell('A5').value = '李四';
  sheet.mergeCells('A6:B6');
  await expect(readUpload(Buffer.from(await workbook.xlsx.writeBuffer()), columns, limits)).rejects.toMatchObject({ message: expect.stringContaining('含合并单元格 A6:B6') });
});

test('the lean reader: inline strings, the 1904 date system, entities, and a character split between two chunks of the sheet', async () => {
  const { streamSheetRows, dateStyles, sharedStrings } = await import('../../cms/src/domain/import/sheet-xml');
  const xml = Buffer.from('<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><r><t>张</t></r><r><t xml:space="preserve">三 </t></r><rPh><t>ちょう</t></rPh></is></c>'
    + '<c r="C1" t="s"><v>1</v></c><c r="D1" s="1"><v>0</v></c><c r="E1" t="b"><v>0</v></c><c r="F1" t="str"><v>&#x4E2D;&amp;</v></c></row><row r="3"/><row r="4"><c r="B4" t="e"><v>#DIV/0!</v></c></row></sheetData>'
    + '<mergeCells count="1"><mergeCell ref="A9:B9"/></mergeCells></worksheet>');
  const context = { strings: sharedStrings('<sst><si><t>甲</t></si><si><r><t>乙</t></r><r><t>丙</t></r></si></sst>'), dates: dateStyles('<styleSheet><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>'), date1904: true };
  // every split point, including inside a character's UTF-8 bytes
  for (const at of [1, 57, 58, 59, 100, 200, xml.length - 20]) {
    const rows: unknown[] = [];
    const merges = await streamSheetRows((async function* () { yield xml.subarray(0, at); yield xml.subarray(at); })(), context, (row) => { rows.push(row); });
    expect(rows).toEqual([
      { number: 1, values: ['张三 ', undefined, '乙丙', new Date(Date.UTC(1904, 0, 1)), false, '中&'] },
      { number: 4, values: [undefined, { error: '#DIV/0!' }] },
    ]);
    expect(merges).toEqual(['A9:B9']);
  }
  // two sheets read at once (two uploads), each row awaited: neither reading disturbs the other
  const many = Buffer.from(`<worksheet><sheetData>${Array.from({ length: 50 }, (_, i) => `<row r="${i + 1}"><c r="A${i + 1}" t="str"><v>第${i + 1}行</v></c></row>`).join('')}</sheetData></worksheet>`);
  const readBack = async () => {
    const numbers: number[] = [];
    await streamSheetRows((async function* () { for (let at = 0; at < many.length; at += 97) yield many.subarray(at, at + 97); })(), context, async (row) => {
      numbers.push(row.number);
      expect(row.values).toEqual([`第${row.number}行`]);
      await new Promise((resolve) => setImmediate(resolve));
    });
    return numbers;
  };
  const [first, second] = await Promise.all([readBack(), readBack()]);
  expect(first).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  expect(second).toEqual(first);
});

test('the lean reader refuses crafted markup at once, in one pass: unclosed cells, an endless row, a column past XFD', async () => {
  const { streamSheetRows, sharedStrings } = await import('../../cms/src/domain/import/sheet-xml');
  const context = { strings: [], dates: [], date1904: false };
  const read = (xml: string) => streamSheetRows((async function* () { const bytes = Buffer.from(xml); for (let at = 0; at < bytes.length; at += 65536) yield bytes.subarray(at, at + 65536); })(), context, () => undefined);
  // 200,000 cells that never close, inside one closed row: a search to the end for each would take minutes
  const unclosed = `<worksheet><sheetData><row r="1">${'<c r="A1"><v>1</v>'.repeat(200_000)}</row></sheetData></worksheet>`;
  await expect(read(unclosed)).rejects.toThrow(/<c> not closed/);
  // the same for shared strings that never close
  expect(() => sharedStrings(`<sst>${'<si><t>甲</t>'.repeat(200_000)}</sst>`)).toThrow(/<si> not closed/);
  // a row that never ends is not held whole in memory
  await expect(read(`<worksheet><sheetData><row r="1">${'<c r="A1" t="str"><v>x</v></c>'.repeat(200_000)}`)).rejects.toThrow(/row longer/);
  await expect(read('<worksheet><sheetData><row r="1"><c r="ZZZZ1"><v>1</v></c></row></sheetData></worksheet>')).rejects.toThrow(/column/);
  // long rows of cells without attributes or without values: each cell is read within itself, never by a
  // search of the rest of the row (which would take minutes here)
  const rows: unknown[][] = [];
  const long = (cells: string) => `<worksheet><sheetData><row r="1">${cells}<c r="B1"><v>7</v></c></row></sheetData></worksheet>`;
  for (const cells of [`<c>${'x'.repeat(200)}</c>`.repeat(16_000), '<c r="A1"><x/></c>'.repeat(200_000), '<c r="A1" t="s"><vm/>x</c>'.repeat(150_000)]) {
    await streamSheetRows((async function* () { yield Buffer.from(long(cells)); })(), context, (row) => { rows.push(row.values); });
  }
  expect(rows.map((values) => values.filter((value) => value !== undefined))).toEqual([[7], [7], [7]]);
});

test('a consumer that fails (its database, its insert) fails the read with its own error, not as an unreadable file', async () => {
  // over IN_MEMORY_MAX_BYTES (workbook.ts): its rows are handed over as they are read
  const rows = Array.from({ length: 36_000 }, () => [crypto.randomBytes(54).toString('base64'), '2022-03-05']);
  const file = await book(rows);
  expect(file.length).toBeGreaterThan(IN_MEMORY_MAX_BYTES);
  const big = { ...limits, maxRows: 50_000 };
  const thrown = new Error('duplicate key value violates unique constraint');
  let handed = 0;
  await expect(readUpload(file, columns, big, { onRow: () => { handed += 1; if (handed === 5000) throw thrown; } })).rejects.toBe(thrown);
  expect(handed).toBe(5000);
  const rejected = new Error('connection terminated');
  await expect(readUpload(file, columns, big, { onRow: async (row) => { if (row.row === 20_000) throw rejected; } })).rejects.toBe(rejected);
});

test('cells read by position give what the attribute and value patterns give, for the markup writers make and its odd corners', async () => {
  const { streamSheetRows, elements, xmlText } = await import('../../cms/src/domain/import/sheet-xml');
  const context = { strings: ['甲', '乙', '丙'], dates: [false, true, false], date1904: false };
  // the reference: each cell's r, s, t by /\s(r|s|t)="([^"]*)"/g and its value by the <v> pattern
  const reference = (inner: string) => {
    const values: unknown[] = [];
    let col = 0;
    for (const [attributes, content] of elements(inner, 'c')) {
      let ref: string | undefined;
      let style = 0;
      let type: string | undefined;
      for (const a of attributes.matchAll(/\s(r|s|t)="([^"]*)"/g)) {
        if (a[1] === 'r') ref = a[2];
        else if (a[1] === 's') style = parseInt(a[2], 10) || 0;
        else type = a[2];
      }
      const letters = ref?.match(/^[A-Za-z]*/)?.[0] ?? '';
      const refColumn = [...letters.toUpperCase()].reduce((n, c) => n * 26 + c.charCodeAt(0) - 64, 0);
      col = ref ? refColumn || col + 1 : col + 1;
      if (!content) continue;
      const inline = type === 'inlineStr' ? content.match(/<is\b[^>]*?(?:\/>|>([\s\S]*?)<\/is>)/) : null;
      if (inline) {
        values[col - 1] = xmlText([...(inline[1] ?? '').matchAll(/<t\b[^>]*?(?:\/>|>([\s\S]*?)<\/t>)/g)].map((t) => t[1] ?? '').join(''));
        continue;
      }
      const v = content.match(/<v\b[^>]*?(?:\/>|>([\s\S]*?)<\/v>)/);
      if (!v) continue;
      const text = v[1] ?? '';
      let value: unknown;
      if (type === 's') value = context.strings[parseInt(text, 10)];
      else if (type === 'str' || type === 'inlineStr') value = xmlText(text);
      else if (type === 'b') value = parseInt(text, 10) !== 0;
      else if (type === 'e') value = { error: text };
      else {
        const number = parseFloat(text);
        value = context.dates[style] ? new Date(Math.round((number - 25569) * 86400000)) : number;
      }
      if (value !== undefined) values[col - 1] = value;
    }
    return values;
  };
  const pick = <T>(list: T[]) => list[Math.floor(Math.random() * list.length)];
  const cell = (column: number) => {
    const space = pick([' ', ' ', '\t', '\n', '  ']);
    const attributes = [
      pick([`r="${String.fromCharCode(64 + column)}7"`, `r="${String.fromCharCode(96 + column)}7"`, 'r=""', 'r="7"', '']),
      pick(['s="1"', 's="2"', 's="x"', 's=""', '']),
      pick(['t="s"', 't="str"', 't="b"', 't="e"', 't="n"', 't="inlineStr"', 't="inlineStr"', '']),
      pick(['', 'cm="1"', 'vm="2"', 'ph="1"', 'xr="r"']),
    ].filter(Boolean).sort(() => Math.random() - 0.5);
    const head = `<c${attributes.map((a) => `${space}${a}`).join('')}`;
    return pick([
      `${head}/>`,
      `${head}></c>`,
      `${head}><v>${pick(['0', '1', '2', '45000', '3.5'])}</v></c>`,
      `${head}><v/></c>`,
      `${head}><vm>1</vm><v>2</v></c>`,
      `${head}><v xml:space="preserve">1</v></c>`,
      `${head}><v>1</v><extLst/></c>`,
      `${head}><is><t>甲&amp;乙</t></is></c>`,
      `${head}><is><t xml:space="preserve"> 丙 </t></is></c>`,
      `${head}><is><r><t>丁</t></r><r><rPr><b/></rPr><t>戊</t></r></is></c>`,
      `${head}><is><t/></is></c>`,
      `${head}><is/></c>`,
      `${head}><is><t>己</t></is><v>1</v></c>`,
    ]);
  };
  for (let round = 0; round < 300; round += 1) {
    const inner = Array.from({ length: 1 + Math.floor(Math.random() * 6) }, (_, i) => cell(i + 1)).join(pick(['', ' ', '\n']));
    const xml = Buffer.from(`<worksheet><sheetData><row r="7">${inner}</row></sheetData></worksheet>`);
    const rows: { values: unknown[] }[] = [];
    await streamSheetRows((async function* () { yield xml; })(), context, (row) => { rows.push(row); });
    // an empty <v/> in a date style is an invalid date either way (NaN is equal to nothing)
    const comparable = (values: unknown[]) => values.map((value) => (value instanceof Date && Number.isNaN(value.getTime()) ? 'Invalid Date' : value));
    expect({ inner, values: comparable(rows[0].values) }).toEqual({ inner, values: comparable(reference(inner)) });
  }
});

test('text already normal is returned as it is, and is what the full normalisation gives', () => {
  const full = (value: string) => value.normalize('NFKC').replace(/[\u00a0\u3000]/g, ' ').replace(/\s+/g, ' ').trim();
  // every character the shortcut takes is its own NFKC form and no white space
  const ranges: [number, number][] = [[0x21, 0x7e], [0xb7, 0xb7], [0x3400, 0x4dbf], [0x4e00, 0x9fff]];
  for (const [from, to] of ranges) {
    for (let code = from; code <= to; code += 1) {
      const char = String.fromCharCode(code);
      if (!ALREADY_NORMAL.test(char) || full(char) !== char) throw new Error(`U+${code.toString(16)}: not taken, or changed by the normalisation`);
    }
  }
  // random texts of those characters and of ones it must not take (full-width forms, compatibility
  // ideographs, radicals, odd spaces, combining marks): the same answer either way
  const alphabet = ['张', '三', '李', '·', 'A', 'x', '7', '(', ' ', '  ', '\t', '\u3000', '\u00a0', 'Ａ', '１', '（', '\uf900', '\u2f00', '\u0301', 'e', '\u4dbf', '\u3400', '-'];
  for (let round = 0; round < 5000; round += 1) {
    const value = Array.from({ length: Math.floor(Math.random() * 8) }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join('');
    expect({ value, normal: normalizeText(value) }).toEqual({ value, normal: full(value) });
  }
  expect(normalizeText(' 王 小明 ')).toBe('王 小明');
  expect(normalizeText('王小明')).toBe('王小明');
  expect(normalizeText('ＬＩ　Ｍｉｎｇ')).toBe('LI Ming');
});
