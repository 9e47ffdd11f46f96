/**
 * Two app instances on one PostgreSQL database, as behind nginx (docs/scale-out.md): what one writes,
 * the other's caches drop within a second (cms/src/runtime/cluster-bus.ts, PostgreSQL LISTEN/NOTIFY),
 * though their own time-to-live is longer. On SQLite (one instance, the quick start) there is no
 * second instance to tell: the cases are skipped.
 */
import request from 'supertest';
import { bootStrapi, DEMO_PASSWORD, type BootedApp } from '../helpers/boot';
import { login, type Session } from '../helpers/api';
import { secondInstance } from '../helpers/second-instance';

const onPostgres = Boolean(process.env.DATABASE_URL);
/** The bound the other instance must meet, counted from the answer to the write. */
const WITHIN_MS = 1_000;

/**
 * Asks `read` until `seen` holds: a request started within WITHIN_MS of the write must see it (an
 * answer slowed by a busy machine still counts, the propagation is what is bounded).
 */
async function seenWithin<T>(read: () => Promise<T>, seen: (value: T) => boolean): Promise<T> {
  const start = Date.now();
  let value = await read();
  while (!seen(value) && Date.now() - start < WITHIN_MS) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  return value;
}

if (!onPostgres) {
  test.skip('PostgreSQL only (set DATABASE_URL): two instances see each other\'s writes through LISTEN/NOTIFY', () => undefined);
} else {
  let app: BootedApp;
  let other: { url: string; stop: () => Promise<void> };
  let secadmin: Session;
  let province: Session;

  /** A session on the other instance. */
  async function there(username: string) {
    const response = await request(other.url).post('/api/auth/local').send({ identifier: username, password: DEMO_PASSWORD });
    expect(response.status).toBe(200);
    return (path: string) => request(other.url).get(path).set('Authorization', `Bearer ${response.body.jwt}`);
  }

  beforeAll(async () => {
    app = await bootStrapi();
    other = await secondInstance(app);
    secadmin = await login(app, 'demo-secadmin');
    province = await login(app, 'demo-province');
    // two app starts on a fresh schema: minutes on a loaded machine
  }, 420_000);
  afterAll(async () => {
    await other?.stop();
    await app?.stop();
  });

  describe('caches agree across instances', () => {
    test('a permission-matrix change made on one instance is applied by the other within a second, both ways', async () => {
      const county = await there('demo-county');
      const actions = async () => (await county('/api/me').expect(200)).body.actions?.children ?? [];
      // the other instance has just read (and cached) the county's permissions: its time-to-live cannot explain what follows
      expect(await actions()).toContain('export');
      await secadmin.put('/api/permission-matrix', { data: { role: 'county', resource: 'children', action: 'export', granted: false } }).expect(200);
      expect(await seenWithin(actions, (list) => !list.includes('export'))).not.toContain('export');
      await county('/api/child-export?format=csv').expect(403);
      await secadmin.put('/api/permission-matrix', { data: { role: 'county', resource: 'children', action: 'export', granted: true } }).expect(200);
      expect(await seenWithin(actions, (list) => list.includes('export'))).toContain('export');
    }, 60_000);

    test('a code-table edit made on one instance is read by the other within a second', async () => {
      const county = await there('demo-county');
      const label = async () => (await county('/api/dictionaries').expect(200)).body.health.find((e: any) => e.code === '20')?.name;
      expect(await label()).toBe('一般或较弱');
      await province.put('/api/code-tables/health/20', { data: { name: '一般（集群）' } }).expect(200);
      expect(await seenWithin(label, (name) => name === '一般（集群）')).toBe('一般（集群）');
    }, 60_000);
  });

  describe('jobs on the PostgreSQL queue (pg-boss)', () => {
    test('a snapshot job queued on one instance runs once on one of the two instances; queued again for the same period, nothing new', async () => {
      const { jobQueue } = require('../../cms/dist/src/runtime/jobs');
      const { SNAPSHOT_JOB } = require('../../cms/dist/src/bootstrap/jobs');
      const queue = jobQueue(app.strapi);
      expect(queue.engine).toBe('pg-boss');
      const period = '2025-06';
      const id = await queue.send(SNAPSHOT_JOB, { period }, { singletonKey: period });
      expect(id).toEqual(expect.any(String));
      let state: any = null;
      for (let i = 0; i < 120 && !['completed', 'failed'].includes(state?.state); i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        state = await queue.state(SNAPSHOT_JOB, id);
      }
      // one attempt, which made the period's snapshot
      expect(state).toMatchObject({ state: 'completed', retryCount: 0, output: { period, state: 'done', trigger: `job ${id}` } });
      const rows = await app.strapi.db.query('plugin::archive-snapshot.snapshot').findMany({ where: { period } });
      expect(rows.map((row: any) => [row.state, row.trigger])).toEqual([['done', `job ${id}`]]);
      // the same period again: a second job runs, finds the period saved, and saves nothing
      const again = await queue.send(SNAPSHOT_JOB, { period }, { singletonKey: period });
      state = null;
      for (let i = 0; i < 120 && !['completed', 'failed'].includes(state?.state); i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        state = await queue.state(SNAPSHOT_JOB, again);
      }
      expect(state).toMatchObject({ state: 'completed', output: { period, state: 'done', trigger: `job ${id}` } });
      expect(await app.strapi.db.query('plugin::archive-snapshot.snapshot').count({ where: { period } })).toBe(1);
    }, 120_000);

    test('an import uploaded to one instance runs once, on either; its progress and result are read from the other', async () => {
      const ExcelJS = require('exceljs');
      const { residentId } = require('../helpers/ids');
      const headers = ['姓名', '身份证件类型', '证件号码', '出生地', '籍贯', '民族', '国籍/地区', '港澳台侨外', '健康状况', '户口所在地', '户口性质', '现住址', '联系电话', '入园日期', '班级', '就读方式', '是否独生子女', '监护人1姓名', '监护人1与幼儿关系', '监护人1身份证件类型', '监护人1证件号码', '监护人1联系电话'];
      const book = new ExcelJS.Workbook();
      const sheet = book.addWorksheet('幼儿信息');
      sheet.addRow(headers);
      for (const n of [1, 2, 3]) {
        const values: Record<string, unknown> = {
          姓名: `集群幼儿${n}`, 身份证件类型: '居民身份证', 证件号码: residentId('350502', '20220606', String(500 + 2 * n + 1)), 出生地: '350502', 籍贯: '福建泉州', 民族: '汉族', '国籍/地区': '中国', 港澳台侨外: '否',
          健康状况: '健康或良好', 户口所在地: '350502', 户口性质: '非农业', 现住址: '鲤城区中山路 10 号', 联系电话: '13800000000', 入园日期: '2025-09-01', 班级: '小一班', 就读方式: '走读', 是否独生子女: '是',
          监护人1姓名: `集群家长${n}`, 监护人1与幼儿关系: '父亲', 监护人1身份证件类型: '居民身份证', 监护人1证件号码: residentId('350502', '19920303', String(500 + 2 * n + 1)), 监护人1联系电话: '13900000000',
        };
        sheet.addRow(headers.map((h) => values[h] ?? null));
      }
      const kindergarten = await login(app, 'demo-kindergarten');
      const started = await kindergarten.post('/api/child-import')
        .attach('file', Buffer.from(await book.xlsx.writeBuffer()), { filename: 'cluster.xlsx', contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' })
        .field('mode', 'valid-only');
      expect(started.status).toBe(202);
      const id = started.body.data.id;
      const onOther = await there('demo-kindergarten');
      let job: any = null;
      for (let i = 0; i < 240 && !['done', 'rejected', 'failed'].includes(job?.state); i += 1) {
        job = (await onOther(`/api/child-import/${id}`).expect(200)).body.data;
        if (!['done', 'rejected', 'failed'].includes(job.state)) await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(job).toMatchObject({ state: 'done', imported: 3, progress: 1 });
      const row = await app.strapi.db.query('api::child-import.child-import').findOne({ where: { documentId: id } });
      expect(row.attempts).toBe(1);
      expect(await app.strapi.db.query('api::child.child').count({ where: { name: { $startsWith: '集群幼儿' } } })).toBe(3);
      // another kindergarten does not see it on either instance
      const other = await there('demo-kindergarten-2');
      await other(`/api/child-import/${id}`).expect(404);
    }, 120_000);
  });
}
