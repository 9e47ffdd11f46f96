/**
 * Imports as jobs on the job queue (docs/scale-out.md): the workbook is kept, encrypted, in the
 * database while the job waits or runs, so any instance runs it; a job is run once however often it
 * is delivered; a run cut by a crash is queued again from the stored workbook, or failed once it has
 * been resumed config/imports.json interruptedJobs.maxResumes times; the import report clean-up is a
 * scheduled job. On PostgreSQL the queue is pg-boss; on SQLite the in-process runner.
 */
import path from 'node:path';
import ExcelJS from 'exceljs';
import { bootStrapi, REPOSITORY_ROOT, type BootedApp } from '../helpers/boot';
import { login, type Session } from '../helpers/api';
import { residentId } from '../helpers/ids';

const JOB = 'api::child-import.child-import';
const UPLOAD = 'api::child-import.child-import-upload';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const HEADERS = ['姓名', '身份证件类型', '证件号码', '性别', '出生日期', '出生地', '籍贯', '民族', '国籍/地区', '港澳台侨外', '健康状况', '户口所在地', '户口性质', '现住址', '联系电话', '入园日期', '班级', '就读方式', '是否独生子女', '监护人1姓名', '监护人1与幼儿关系', '监护人1身份证件类型', '监护人1证件号码', '监护人1联系电话'];
const dist = (...parts: string[]) => require(path.join(REPOSITORY_ROOT, 'cms', 'dist', 'src', ...parts));

let app: BootedApp;
let kindergarten: Session;
let kindergarten2: Session;
let county: Session;
let county2: Session;
let province: Session;
let ministry: Session;
let prefecture: Session;

const row = (name: string, serial: number) => ({
  姓名: name, 身份证件类型: '居民身份证', 证件号码: residentId('350502', '20220416', String(serial).padStart(3, '0')),
  出生地: '350502', 籍贯: '福建泉州', 民族: '汉族', '国籍/地区': '中国', 港澳台侨外: '否', 健康状况: '健康或良好', 户口所在地: '350502', 户口性质: '非农业',
  现住址: '鲤城区中山路 9 号', 联系电话: '13800000000', 入园日期: '2025-09-01', 班级: '小一班', 就读方式: '走读', 是否独生子女: '是',
  监护人1姓名: `${name}家长`, 监护人1与幼儿关系: '母亲', 监护人1身份证件类型: '居民身份证', 监护人1证件号码: residentId('350502', '19910202', String(serial).padStart(3, '0')), 监护人1联系电话: '13900000000',
} as Record<string, unknown>);

async function workbook(rows: Record<string, unknown>[]): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('幼儿信息');
  sheet.addRow(HEADERS);
  for (const r of rows) sheet.addRow(HEADERS.map((h) => (r[h] === undefined ? null : r[h])));
  return Buffer.from(await book.xlsx.writeBuffer());
}

const service = () => app.strapi.service(JOB) as any;
const children = (prefix: string) => app.strapi.db.query('api::child.child').count({ where: { name: { $startsWith: prefix } } });
const stored = (id: number) => app.strapi.db.query(UPLOAD as any).count({ where: { job: id } });
const jobRow = (documentId: string) => app.strapi.db.query(JOB as any).findOne({ where: { documentId } });

/** Waits until the job's row is in a final state (whichever instance runs it). */
async function ended(documentId: string) {
  for (let i = 0; i < 600; i += 1) {
    const job = await jobRow(documentId);
    if (['done', 'rejected', 'failed'].includes(job?.state)) return job;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`import ${documentId} did not end`);
}

/**
 * A job as a crash leaves it: a running state, its heartbeat older than staleMinutes, `attempts`
 * runs already, and (when `withFile`) its workbook still stored.
 */
async function interrupted(state: string, attempts: number, rows: Record<string, unknown>[], withFile = true) {
  const { encryptValue } = dist('security', 'pii');
  const { staleMinutes } = require(path.join(REPOSITORY_ROOT, 'config', 'imports.json')).interruptedJobs;
  const user = await app.strapi.db.query('plugin::users-permissions.user').findOne({ where: { username: 'demo-kindergarten' } });
  const now = new Date();
  const job = await app.strapi.db.query(JOB as any).create({
    data: {
      documentId: `crash${state}${attempts}x${Date.now()}`.slice(0, 24), fileName: 'crash.xlsx', mode: 'valid-only', state, total: rows.length, processed: 1, attempts,
      username: user.username, userId: user.id, startedAt: now, countyCode: '350502', institutionCode: '3135050201', createdAt: now, updatedAt: now, publishedAt: now,
    },
  });
  if (withFile) {
    await app.strapi.db.query(UPLOAD as any).create({ data: { documentId: `up${job.documentId}`.slice(0, 24), job: job.id, content: encryptValue((await workbook(rows)).toString('base64')), createdAt: now, updatedAt: now, publishedAt: now } });
  }
  const then = new Date(now.getTime() - (staleMinutes + 1) * 60_000);
  const table = (app.strapi.db.metadata.get(JOB) as any).tableName;
  await app.strapi.db.connection(table).where({ id: job.id }).update({ updated_at: app.strapi.db.dialect.client === 'postgres' ? then : then.getTime() });
  return job;
}

beforeAll(async () => {
  app = await bootStrapi();
  [kindergarten, kindergarten2, county, county2, prefecture, province, ministry] = await Promise.all(
    ['demo-kindergarten', 'demo-kindergarten-2', 'demo-county', 'demo-county-2', 'demo-prefecture', 'demo-province', 'demo-ministry'].map((u) => login(app, u)),
  );
}, 420_000);
afterAll(async () => { await app?.stop(); });

describe('an import is a job on the queue', () => {
  let documentId: string;

  test('queued once, run once: its rows written once, its workbook kept only while it waits or runs', async () => {
    const { jobQueue } = dist('runtime', 'jobs');
    expect(jobQueue(app.strapi).engine).toBe(app.strapi.db.dialect.client === 'postgres' ? 'pg-boss' : 'in-process');
    const file = await workbook([row('队列幼儿甲', 311), row('队列幼儿乙', 313)]);
    const started = await kindergarten.post('/api/child-import').attach('file', file, { filename: 'queue.xlsx', contentType: XLSX }).field('mode', 'valid-only');
    expect(started.status).toBe(202);
    documentId = started.body.data.id;
    expect(started.body.data).not.toHaveProperty('attempts');
    const job = await ended(documentId);
    expect(job).toMatchObject({ state: 'done', imported: 2, attempts: 1 });
    expect(await children('队列幼儿')).toBe(2);
    expect(await stored(job.id)).toBe(0);
    const shown = (await kindergarten.get(`/api/child-import/${documentId}`).expect(200)).body.data;
    expect(shown).toMatchObject({ state: 'done', imported: 2, progress: 1 });
    expect(shown).not.toHaveProperty('attempts');
  }, 120_000);

  test('the same job delivered again (a queue retry) does nothing', async () => {
    const job = await jobRow(documentId);
    expect(await service().runQueued({ id: job.id })).toEqual({ skipped: 'done' });
    expect(await children('队列幼儿')).toBe(2);
    expect((await jobRow(documentId)).attempts).toBe(1);
  });

  test('the job is read by its kindergarten only: another kindergarten gets 404, the levels above have no import route (403)', async () => {
    expect((await kindergarten.get(`/api/child-import/${documentId}`).expect(200)).body.data.state).toBe('done');
    await kindergarten2.get(`/api/child-import/${documentId}`).expect(404);
    for (const session of [county, county2, prefecture, province, ministry]) await session.get(`/api/child-import/${documentId}`).expect(403);
  });
});

describe('a crash mid-import', () => {
  test('a run cut short (heartbeat stale) is queued again from the stored workbook and resumed by the queue', async () => {
    const { markInterruptedImports, RESUMED_MESSAGE } = dist('domain', 'import', 'interrupted-jobs');
    const job = await interrupted('importing', 1, [row('续跑幼儿甲', 321), row('续跑幼儿乙', 323), row('续跑幼儿丙', 325)]);
    expect(await markInterruptedImports(app.strapi)).toBe(1);
    // the kindergarten is told while it waits
    const waiting = (await kindergarten.get(`/api/child-import/${job.documentId}`).expect(200)).body.data;
    if (waiting.state === 'queued') expect(waiting.message).toBe(RESUMED_MESSAGE);
    const done = await ended(job.documentId);
    expect(done).toMatchObject({ state: 'done', imported: 3, attempts: 2 });
    expect(await children('续跑幼儿')).toBe(3);
    expect(await stored(job.id)).toBe(0);
    // a second sweep finds nothing to do
    expect(await markInterruptedImports(app.strapi)).toBe(0);
    expect(await children('续跑幼儿')).toBe(3);
  }, 120_000);

  test('after maxResumes runs, or without its workbook, the job is failed with the reason and writes nothing', async () => {
    const { markInterruptedImports, INTERRUPTED_MESSAGE } = dist('domain', 'import', 'interrupted-jobs');
    const { maxResumes } = require(path.join(REPOSITORY_ROOT, 'config', 'imports.json')).interruptedJobs;
    const exhausted = await interrupted('validating', maxResumes + 1, [row('放弃幼儿甲', 331)]);
    const noFile = await interrupted('queued', 0, [row('放弃幼儿乙', 333)], false);
    expect(await markInterruptedImports(app.strapi)).toBe(2);
    for (const job of [exhausted, noFile]) {
      expect(await jobRow(job.documentId)).toMatchObject({ state: 'failed', message: INTERRUPTED_MESSAGE });
    }
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await children('放弃幼儿')).toBe(0);
    // its stored workbook goes at the next clean-up (the scheduled job import-report-cleanup)
    expect(await stored(exhausted.id)).toBe(1);
    const { REPORT_CLEANUP_JOB } = dist('bootstrap', 'jobs');
    const { jobQueue } = dist('runtime', 'jobs');
    const table = (app.strapi.db.metadata.get(JOB) as any).tableName;
    const old = new Date(Date.now() - 3_600_000);
    await app.strapi.db.connection(table).where({ id: exhausted.id }).update({ updated_at: app.strapi.db.dialect.client === 'postgres' ? old : old.getTime() });
    const queue = jobQueue(app.strapi);
    const id = await queue.send(REPORT_CLEANUP_JOB, {});
    let state: any = null;
    for (let i = 0; i < 240 && !['completed', 'failed'].includes(state?.state); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      state = await queue.state(REPORT_CLEANUP_JOB, id);
    }
    expect(state).toMatchObject({ state: 'completed' });
    expect(await stored(exhausted.id)).toBe(0);
  }, 120_000);
});

describe('a large export is a job on the queue', () => {
  const exportJobs = () => app.strapi.service('api::export-job.export-job') as any;
  const records = () => app.strapi.db.query('api::export-record.export-record' as any).count({ where: { kind: 'children', username: 'demo-county' } });
  let original: () => number;
  let poll: string;
  beforeAll(async () => {
    // the county's children: four more, imported by its kindergarten
    const file = await workbook([row('导出幼儿甲', 331), row('导出幼儿乙', 333), row('导出幼儿丙', 335), row('导出幼儿丁', 337)]);
    const started = await kindergarten.post('/api/child-import').attach('file', file, { filename: 'export.xlsx', contentType: XLSX }).field('mode', 'valid-only').expect(202);
    expect(await ended(started.body.data.id)).toMatchObject({ state: 'done', imported: 4 });
    original = exportJobs().aboveRows;
    // config/imports.json exportJobAboveRows, lowered so that a county's demo children are "large"
    exportJobs().aboveRows = () => 2;
  });
  afterAll(() => { exportJobs().aboveRows = original; });

  test('above the threshold: 202 and the job, run by the queue; its user polls it and downloads the very file a streamed export gives, recorded alike', async () => {
    const before = await records();
    const started = await county.get('/api/child-export?format=csv').expect(202);
    const job = started.body.data;
    poll = job.poll;
    expect(started.headers.location).toBe(job.poll);
    expect(job).toMatchObject({ format: 'csv', file: null });
    expect(job.total).toBeGreaterThanOrEqual(4);
    // another county, a kindergarten of the county: not theirs (404)
    await county2.get(job.poll).expect(404);
    await kindergarten.get(job.poll).expect(404);
    let shown = job;
    for (let i = 0; i < 600 && !['done', 'failed'].includes(shown.state); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      shown = (await county.get(job.poll).expect(200)).body.data;
    }
    expect(shown).toMatchObject({ state: 'done', written: job.total, file: `${job.poll}/export` });
    await county2.get(shown.file).expect(404);
    const file = await county.get(shown.file).expect(200);
    expect(file.headers['content-type']).toMatch(/text\/csv/);
    expect(file.text.startsWith('\ufeff')).toBe(true);
    expect(file.text.trim().split('\r\n')).toHaveLength(job.total + 1);
    // the same export below the threshold is streamed at once: the same rows, the same columns
    exportJobs().aboveRows = () => 100_000;
    const streamed = await county.get('/api/child-export?format=csv').expect(200);
    exportJobs().aboveRows = () => 2;
    expect(file.text).toBe(streamed.text);
    // each recorded once (the export record), and the download is in the audit trail as an export
    expect(await records()).toBe(before + 2);
    const knex = app.strapi.db.connection;
    const audited = await (app.schema ? knex.withSchema(app.schema).from('audit_entries') : knex('audit_entries'))
      .where({ action: 'export', target_type: shown.file, actor_username: 'demo-county' }).count({ n: '*' }).first();
    expect(Number(audited?.n)).toBe(1);
  }, 120_000);

  test('the file is encrypted at rest; the job delivered again (a queue retry) does nothing', async () => {
    const row = await app.strapi.db.query('api::export-job.export-job' as any).findOne({ where: { documentId: poll.split('/').pop() } });
    const { dataDir } = dist('runtime', 'paths');
    const raw = require('node:fs').readFileSync(path.join(dataDir, 'exports', row.fileName));
    expect(raw.includes(Buffer.from('学籍号'))).toBe(false);
    expect(await exportJobs().runQueued({ id: row.id })).toEqual({ skipped: 'done' });
    expect((await app.strapi.db.query('api::export-job.export-job' as any).findOne({ where: { id: row.id } })).attempts).toBe(1);
  });

  test('a run whose instance died (its heartbeat stopped) is taken over by the sweep and run to the end once; past maxAttempts the job fails, never left running', async () => {
    const jobs = app.strapi.db.query('api::export-job.export-job' as any);
    const { staleSeconds, maxAttempts } = require(path.join(REPOSITORY_ROOT, 'config', 'imports.json')).exportJobs;
    const started = await county.get('/api/child-export?format=csv').expect(202);
    const documentId = started.body.data.id;
    const settled = async () => {
      let row = await jobs.findOne({ where: { documentId } });
      for (let i = 0; i < 600 && !['done', 'failed'].includes(row.state); i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        row = await jobs.findOne({ where: { documentId } });
      }
      return row;
    };
    const first = await settled();
    expect(first).toMatchObject({ state: 'done', attempts: 1 });
    // what a node killed in the middle of its run leaves: running, its heartbeat stopped staleSeconds ago, no file
    const { dataDir } = dist('runtime', 'paths');
    const fs = require('node:fs');
    fs.rmSync(path.join(dataDir, 'exports', first.fileName), { force: true });
    const cut = new Date(Date.now() - (staleSeconds + 1) * 1000);
    await jobs.update({ where: { id: first.id }, data: { state: 'running', written: 2, fileName: null, fileBytes: null, finishedAt: null, heartbeatAt: cut } });
    // a run of this age is not the sweep's while its heartbeat is fresh
    await jobs.update({ where: { id: first.id }, data: { heartbeatAt: new Date() } });
    await exportJobs().takeOverStale();
    expect(await jobs.findOne({ where: { id: first.id } })).toMatchObject({ state: 'running', attempts: 1 });
    await jobs.update({ where: { id: first.id }, data: { heartbeatAt: cut } });
    await exportJobs().takeOverStale();
    const resumed = await settled();
    expect(resumed).toMatchObject({ state: 'done', attempts: 2, message: '导出因服务重启而中断，已自动重新开始' });
    expect(resumed.fileName).toBe(`${documentId}-2.csv.sealed`);
    const shown = (await county.get(started.body.data.poll).expect(200)).body.data;
    expect(shown).toMatchObject({ state: 'done', written: shown.total, file: `${started.body.data.poll}/export` });
    const file = await county.get(shown.file).expect(200);
    expect(file.text.trim().split('\r\n')).toHaveLength(shown.total + 1);
    // the dead run's own delivery, retried by the queue after its expiry, finds the job ended
    expect(await exportJobs().runQueued({ id: first.id })).toEqual({ skipped: 'done' });
    expect(fs.readdirSync(path.join(dataDir, 'exports')).filter((name: string) => name.startsWith(documentId))).toEqual([resumed.fileName]);

    // the last run allowed cut too: failed with the reason, not queued again
    await jobs.update({ where: { id: first.id }, data: { state: 'running', attempts: maxAttempts, message: null, finishedAt: null, heartbeatAt: cut } });
    await exportJobs().takeOverStale();
    expect(await settled()).toMatchObject({ state: 'failed', attempts: maxAttempts, message: '导出因服务重启而中断，请重新导出' });
    expect((await county.get(started.body.data.poll).expect(200)).body.data).toMatchObject({ state: 'failed', file: null });
  }, 120_000);
});
