/**
 * Likely duplicates at the Excel import (查重, 疑似重复): a row like a child of ANOTHER kindergarten
 * (same name, birth date and sex; a near spelling; the same guardian document and birth date) is
 * imported all the same, counted as `likely` on the job, and its report row says where the other
 * record is held — the kindergarten and county, nothing about that child. Exact duplicates stay errors.
 */
import ExcelJS from 'exceljs';
import request from 'supertest';
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { login, type Session } from '../helpers/api';
import { residentId } from '../helpers/ids';

let app: BootedApp;
let kindergarten: Session;
let kindergarten2: Session;
let class2Id: string;

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const HEADERS = ['姓名', '身份证件类型', '证件号码', '出生地', '籍贯', '民族', '国籍/地区', '港澳台侨外', '健康状况', '户口所在地', '户口性质', '现住址', '联系电话', '入园日期', '班级', '就读方式', '是否独生子女', '监护人1姓名', '监护人1与幼儿关系', '监护人1身份证件类型', '监护人1证件号码'];
const OTHER_PLACE = '厦门市思明区第一幼儿园（思明区）';
const hint = (reasons: string) => `疑似重复：${OTHER_PLACE}${reasons}。请核对是否为同一幼儿`;

/** The children of kindergarten 2 (思明区) the file resembles: sex and birth date come from the ID number (odd sequence = boy). */
const held = {
  sameName: { name: '欧阳疑似', id: residentId('350203', '20210704', '035'), guardianId: residentId('350203', '19880101', '015') },
  nearName: { name: '司马晓明', id: residentId('350203', '20210705', '037'), guardianId: residentId('350203', '19880102', '017') },
  sameGuardian: { name: '公孙监护', id: residentId('350203', '20210706', '038'), guardianId: residentId('350203', '19880103', '019') },
  exact: { name: '上官精确', id: residentId('350203', '20210707', '039'), guardianId: residentId('350203', '19880104', '013') },
};

/** One valid row of kindergarten 1 (鲤城区) by header: a child born `birth` (YYYYMMDD), a boy for an odd sequence. */
const row = (name: string, birth: string, sequence: string, overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  姓名: name, 身份证件类型: '居民身份证', 证件号码: residentId('350502', birth, sequence),
  出生地: '350502', 籍贯: '福建泉州', 民族: '汉族', '国籍/地区': '中国', 港澳台侨外: '否', 健康状况: '健康或良好', 户口所在地: '350502', 户口性质: '非农业',
  现住址: '鲤城区中山路 9 号', 联系电话: '13800000000', 入园日期: '2025-09-01', 班级: '小一班', 就读方式: '走读', 是否独生子女: '是',
  监护人1姓名: `${name}家长`, 监护人1与幼儿关系: '父亲', 监护人1身份证件类型: '居民身份证', 监护人1证件号码: residentId('350502', '19900505', String(Number(sequence) * 2 + 1).padStart(3, '0')),
  ...overrides,
});

async function workbook(rows: Record<string, unknown>[]): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('幼儿信息');
  sheet.addRow(HEADERS);
  for (const r of rows) sheet.addRow(HEADERS.map((h) => (r[h] === undefined ? null : r[h])));
  return Buffer.from(await book.xlsx.writeBuffer());
}

/** Uploads the rows and waits for the job; any answer but 202 fails with the server's error. */
async function importRows(rows: Record<string, unknown>[], mode: 'all-or-none' | 'valid-only') {
  const response = await kindergarten.post('/api/child-import').attach('file', await workbook(rows), { filename: 'children.xlsx', contentType: XLSX }).field('mode', mode);
  if (response.status !== 202) throw new Error(`expected 202, got ${response.status}: ${JSON.stringify(response.body?.error ?? response.text)}`);
  await (app.strapi.service('api::child-import.child-import') as any).settle();
  return (await kindergarten.get(`/api/child-import/${response.body.data.id}`).expect(200)).body.data;
}

const binary = (res: any, callback: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
};

/** The report of a job: its header row and its rows by the child's name. */
async function report(id: string) {
  const response: request.Response = await kindergarten.get(`/api/child-import/${id}/report`).buffer(true).parse(binary).expect(200);
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(response.body as any);
  const rows: unknown[][] = [];
  book.worksheets[0].eachRow((r) => rows.push((r.values as unknown[]).slice(1)));
  const headers = rows[0].map(String);
  const cell = (name: string, header: string) => rows.find((r) => r[0] === name)?.[headers.indexOf(header)] ?? null;
  return { headers, rows, cell };
}

const countChildren = (name: string) => app.strapi.db.query('api::child.child').count({ where: { name } });

beforeAll(async () => {
  app = await bootStrapi();
  [kindergarten, kindergarten2] = await Promise.all(['demo-kindergarten', 'demo-kindergarten-2'].map((u) => login(app, u)));
  class2Id = (await kindergarten2.get('/api/school-classes?filters[name][$eq]=小一班').expect(200)).body.data[0].documentId;
  for (const child of Object.values(held)) {
    await kindergarten2.post('/api/children', { data: {
      name: child.name, idType: '1', idNumber: child.id, birthPlace: '350203', nativePlace: '福建厦门', ethnicity: '01', nationality: '156', overseasChinese: '00', health: '10',
      householdRegion: '350203', householdType: '2', address: '思明区鹭江道 5 号', phone: '13700000000', enrolledOn: '2025-09-01', enrollmentMode: '1', onlyChild: true, schoolClass: class2Id,
      guardians: [{ name: `${child.name}家长`, relation: '1', idType: '1', idNumber: child.guardianId }],
    } }).expect(201);
  }
});
afterAll(async () => { await app?.stop(); });

describe('likely duplicates in another kindergarten are imported, counted and named in the report', () => {
  let job: any;

  beforeAll(async () => {
    job = await importRows([
      row('欧阳疑似', '20210704', '017'), // same name, birth date and sex as a child of 思明区, another ID number
      row('司马晓敏', '20210705', '019'), // one character off 司马晓明, same birth date and sex
      row('完全不同', '20210706', '020', { 监护人1证件号码: held.sameGuardian.guardianId }), // the same guardian document and birth date
      row('无匹配幼儿', '20210704', '021'), // born the same day, another name: nothing to check
      row('欧阳疑似', '20210704', '022'), // the same name and birth date, but a girl: nothing to check
    ], 'all-or-none');
  });

  test('every row is imported (all-or-none: a likely match is no error), and the job counts the likely ones', async () => {
    expect(job).toMatchObject({ state: 'done', total: 5, ok: 5, failed: 0, skipped: 0, imported: 5, likely: 3, hasReport: true });
    expect(job.errors).toEqual([]);
    expect(await countChildren('欧阳疑似')).toBe(3); // the child of 思明区, and the boy and the girl of the file
    expect(await countChildren('司马晓敏')).toBe(1);
    // the list of imports shows the count too
    const listed = (await kindergarten.get('/api/child-import').expect(200)).body.data.find((j: any) => j.id === job.id);
    expect(listed.likely).toBe(3);
  });

  test('the report: only the rows to check, each with its row in the file and a 提示 naming the kindergarten and county of the other record, and why — nothing else of that child', async () => {
    const { headers, rows, cell } = await report(job.id);
    expect(headers.slice(-4)).toEqual(['导入结果', '错误说明', '提示', '原行号']);
    // the three rows with a hint, in the file's order; the two without (imported, nothing to check) are not repeated
    expect(rows.slice(1).map((r) => [r[0], r[headers.indexOf('原行号')]])).toEqual([['欧阳疑似', 2], ['司马晓敏', 3], ['完全不同', 4]]);
    expect(cell('欧阳疑似', '导入结果')).toBe('已导入');
    expect(cell('欧阳疑似', '错误说明')).toBeNull();
    expect(cell('欧阳疑似', '提示')).toBe(hint('姓名、出生日期、性别相同'));
    expect(cell('司马晓敏', '提示')).toBe(hint('出生日期、性别相同，姓名相近'));
    expect(cell('完全不同', '提示')).toBe(hint('监护人证件号码相同，出生日期相同'));
    expect(rows.find((r) => r[0] === '无匹配幼儿')).toBeUndefined();
    expect(rows.filter((r) => r[0] === '欧阳疑似')).toHaveLength(1); // the girl (no hint) is not in it
    // nothing of the other children: no name, number, guardian or address of theirs anywhere in a hint
    const hints = rows.slice(1).map((r) => String(r[headers.indexOf('提示')] ?? '')).join('\n');
    for (const child of Object.values(held)) {
      for (const secret of [child.id, child.guardianId, child.id.slice(-4), `${child.name}家长`]) expect(hints).not.toContain(secret);
    }
    expect(hints).not.toContain('司马晓明');
    expect(hints).not.toContain('公孙监护');
    expect(hints).not.toContain('鹭江道');
  });

  test('a file with no likely match: likely 0, no report (nothing to fix or check)', async () => {
    const clean = await importRows([row('干净幼儿', '20210708', '031')], 'all-or-none');
    expect(clean).toMatchObject({ state: 'done', imported: 1, likely: 0, hasReport: false });
  });

  test('only other kindergartens count: a row like a child of this kindergarten has no hint', async () => {
    // 欧阳疑似 (a boy born 2021-07-04) is now also a child of this kindergarten; another boy of that name
    // and day only meets the one in 思明区
    const again = await importRows([row('欧阳疑似', '20210704', '023')], 'all-or-none');
    expect(again).toMatchObject({ state: 'done', imported: 1, likely: 1 });
    const { cell } = await report(again.id);
    expect(cell('欧阳疑似', '提示')).toBe(hint('姓名、出生日期、性别相同'));
    const own = await importRows([row('干净幼儿', '20210708', '033')], 'all-or-none');
    expect(own).toMatchObject({ state: 'done', imported: 1, likely: 0, hasReport: false });
  });
});

describe('an exact duplicate is still an error', () => {
  test('the same ID number as a child of 思明区 is an error naming where it is held; a likely row beside it is imported with its hint', async () => {
    const job = await importRows([
      row('上官精确', '20210707', '039', { 证件号码: held.exact.id }),
      row('司马晓明', '20210705', '041'), // the same name, birth date and sex as the child of 思明区
      row('端木无疑', '20210709', '045'), // valid, nothing like it: imported, not in the report
    ], 'valid-only');
    expect(job).toMatchObject({ state: 'done', ok: 2, failed: 1, imported: 2, likely: 1 });
    expect(job.errors).toEqual([expect.objectContaining({ row: 2, field: 'idNumber', message: expect.stringContaining('思明区') })]);
    expect(JSON.stringify(job.errors)).not.toContain('上官精确');
    expect(await countChildren('上官精确')).toBe(1); // only the record of 思明区
    const { headers, rows, cell } = await report(job.id);
    expect(cell('上官精确', '导入结果')).toBe('错误');
    expect(cell('上官精确', '提示')).toBeNull();
    expect(cell('司马晓明', '导入结果')).toBe('已导入');
    expect(cell('司马晓明', '提示')).toBe(hint('姓名、出生日期、性别相同'));
    // the row to fix and the row to check, each with its row in the file; not the clean one
    expect(rows.slice(1).map((r) => [r[0], r[headers.indexOf('原行号')]])).toEqual([['上官精确', 2], ['司马晓明', 3]]);
  });

  test('all-or-none with an error: nothing imported, the likely row keeps its hint in the report', async () => {
    const job = await importRows([
      row('上官精确', '20210707', '039', { 证件号码: held.exact.id }),
      row('司马晓明', '20210705', '043'),
    ], 'all-or-none');
    expect(job).toMatchObject({ state: 'rejected', imported: 0, likely: 1 });
    const { headers, rows, cell } = await report(job.id);
    expect(cell('司马晓明', '导入结果')).toBe('未导入');
    expect(cell('司马晓明', '提示')).toBe(hint('姓名、出生日期、性别相同'));
    // nothing written: every row, to fix and upload again whole (no 原行号: the rows are the file's)
    expect(rows).toHaveLength(3);
    expect(headers).not.toContain('原行号');
  });
});

describe("the batch check answers each probe as the entry form's check does, over many queries", () => {
  const duplicates = () => app.strapi.plugin('dup-check').service('duplicates') as any;
  // one query per birth date and sex (dateChunk 1): the probes of each query matched to its own rows only
  const probes = [
    { key: 1, name: '欧阳疑似', birthDate: '2021-07-04', sex: 'male' },
    { key: 2, name: '司马晓敏', birthDate: '2021-07-05', sex: 'male' },
    { key: 3, name: '上官精确', birthDate: '2021-07-07', sex: 'male' },
    { key: 4, name: '欧阳疑似', birthDate: '2021-07-04', sex: 'female' },
    { key: 5, name: '无匹配名', birthDate: '2021-07-06', sex: 'female' },
    { key: 6, name: '司马晓明', birthDate: '2021-07-05', sex: 'male' },
    { key: 7, name: '欧阳疑是', birthDate: '2021-07-04', sex: 'male' },
    { key: 8, name: '公孙监护', birthDate: '2021-07-06', sex: 'female' },
  ];
  const shape = (candidates: any[]) => candidates.map((c) => ({ place: c.kindergartenName, county: c.countyName, reasons: [...c.reasons].sort() }));

  test('the same candidates and reasons as one probe at a time, and the same answer twice', async () => {
    const many: Map<number, any[]> = await duplicates().likelyMatchesMany(probes, { dateChunk: 1 });
    const again: Map<number, any[]> = await duplicates().likelyMatchesMany([...probes].reverse(), { dateChunk: 1 });
    for (const probe of probes) {
      const one = await duplicates().likelyMatches(probe);
      expect({ key: probe.key, found: shape(many.get(probe.key) ?? []) }).toEqual({ key: probe.key, found: shape(one) });
      expect(shape(again.get(probe.key) ?? [])).toEqual(shape(many.get(probe.key) ?? []));
    }
    // the children of 思明区 it resembles (and those imported above), nothing for a name like none of them
    expect([...many.keys()]).toEqual(expect.arrayContaining([1, 2, 3, 6, 7, 8]));
    expect(many.has(5)).toBe(false);
    expect(many.get(1)!.every((c) => c.id === null && c.name === null)).toBe(true);
  });

  test('keepPerProbe: only the first children of a probe are kept and described, the others counted once each', async () => {
    const all: Map<number, any[]> = await duplicates().likelyMatchesMany(probes, { dateChunk: 1 });
    expect([...all.values()].some((list) => list.length > 1)).toBe(true);
    const othersFound = new Map<number, { count: number; atLeast: boolean }>();
    const kept: Map<number, any[]> = await duplicates().likelyMatchesMany(probes, { dateChunk: 1, keepPerProbe: 1, othersFound });
    for (const probe of probes) {
      const full = all.get(probe.key) ?? [];
      expect({ key: probe.key, kept: shape(kept.get(probe.key) ?? []) }).toEqual({ key: probe.key, kept: shape(full.slice(0, 1)) });
      expect({ key: probe.key, others: othersFound.get(probe.key) ?? { count: 0, atLeast: false } }).toEqual({ key: probe.key, others: { count: Math.max(0, full.length - 1), atLeast: false } });
    }
  });
});
