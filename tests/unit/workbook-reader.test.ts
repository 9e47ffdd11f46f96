/**
 * Reading an uploaded workbook (cms/src/domain/import/workbook.ts): the streaming reader, and the
 * in-memory second reading when the streaming one gives up on a sound file.
 */
import ExcelJS from 'exceljs';
import { readUpload } from '../../cms/src/domain/import/workbook';
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
  const parse = jest.spyOn((ExcelJS as any).stream.xlsx.WorkbookReader.prototype, 'parse').mockImplementation(async function* () {
    throw new Error('FILE_ENDED');
  });
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
  jest.spyOn((ExcelJS as any).stream.xlsx.WorkbookReader.prototype, 'parse').mockImplementation(async function* () {
    throw new Error('invalid signature');
  });
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
