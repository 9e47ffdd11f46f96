/**
 * Two-level deployment (docs/two-level-deployment.md) with the real broker (NATS JetStream, started by
 * .ci/run when it is down): 福建 (35) as a province deployment in this process, the national instance
 * and 浙江 (33) as deployments of their own, each in its own Node process on its own database. The
 * stream and subjects are this run's own.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { bootStrapi, DEMO_PASSWORD, REPOSITORY_ROOT, runOnPostgres, type BootedApp } from '../helpers/boot';
import { login } from '../helpers/api';
import { residentId } from '../helpers/ids';
import { startInstance } from '../helpers/second-instance';

const run = crypto.randomBytes(4).toString('hex');
const EXCHANGE = {
  EXCHANGE_SUBJECT_PREFIX: `test${run}`,
  EXCHANGE_STREAM: `TEST_${run}`,
  NATIONAL_INDEX_KEY: crypto.randomBytes(32).toString('hex'),
  EXCHANGE_RELAY_INTERVAL_MS: '100',
};
const PROBLEM = 'api::problem-record.problem-record';

type Deployment = { url: string; stop: () => Promise<void>; query: (sql: string) => Promise<any[]> };

/** A deployment in a process of its own, on a database of its own (a SQLite file or a PostgreSQL schema). */
async function deployment(name: string, env: Record<string, string>): Promise<Deployment> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `exchange-${name}-`));
  const databaseUrl = process.env.DATABASE_URL;
  const schema = `x_${name}_${run}`;
  if (databaseUrl) await runOnPostgres(databaseUrl, `CREATE SCHEMA ${schema}`);
  const database = databaseUrl ? { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema } : { DATABASE_URL: undefined, DATABASE_FILENAME: path.join(work, 'app.db') };
  const instance = await startInstance({ ...EXCHANGE, ...env, ...database, DATA_DIR: work, ARCHIVE_SCHEDULE: 'false', ARCHIVE_CATCH_UP: 'false' } as any);
  const query = async (sql: string) => {
    if (databaseUrl) {
      const { Client } = require('pg');
      const client = new Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        return (await client.query(`SET search_path TO ${schema}; ${sql}`))[1].rows;
      } finally {
        await client.end();
      }
    }
    const Database = require('better-sqlite3');
    const db = new Database(path.join(work, 'app.db'), { readonly: true });
    try {
      return db.prepare(sql).all();
    } finally {
      db.close();
    }
  };
  return {
    url: instance.url,
    query,
    stop: async () => {
      await instance.stop();
      if (databaseUrl) await runOnPostgres(databaseUrl, `DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      fs.rmSync(work, { recursive: true, force: true });
    },
  };
}

/** 浙江's own demo: its province, 杭州市上城区 county and one kindergarten with its classes and accounts. */
function zhejiangConfig(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'exchange-config-'));
  for (const file of fs.readdirSync(path.join(REPOSITORY_ROOT, 'config'))) fs.copyFileSync(path.join(REPOSITORY_ROOT, 'config', file), path.join(dir, file));
  const demo = JSON.parse(fs.readFileSync(path.join(dir, 'demo.json'), 'utf8'));
  const kindergarten = { ...demo.kindergartens[0], code: '3133010201', name: '杭州市上城区实验幼儿园', countyCode: '330102', legalPerson: '杭州市上城区教育局', address: '杭州市上城区示例路 1 号', licenseNumber: '教民3133010201号' };
  Object.assign(demo, {
    province: '330000',
    kindergartens: [kindergarten],
    classes: demo.classes.filter((c: any) => c.kindergarten === demo.kindergartens[0].code).map((c: any) => ({ ...c, kindergarten: kindergarten.code })),
    accounts: [
      { username: 'demo-province', level: 'province', regionCode: '330000', fullName: '浙江省教育厅演示用户' },
      { username: 'demo-county', level: 'county', regionCode: '330102', fullName: '上城区教育局演示用户' },
      { username: 'demo-kindergarten', level: 'institution', institutionCode: '3133010201', fullName: '上城区实验幼儿园园长' },
    ],
    staff: [], trainings: [], projects: [], aid: [], children: [],
  });
  fs.writeFileSync(path.join(dir, 'demo.json'), JSON.stringify(demo));
  return dir;
}

/** An HTTP session on a deployment in another process. */
async function remoteLogin(url: string, username: string) {
  const response = await request(url).post('/api/auth/local').send({ identifier: username, password: DEMO_PASSWORD });
  if (response.status !== 200) throw new Error(`login ${username}: ${response.status} ${JSON.stringify(response.body)}`);
  let jwt = response.body.jwt as string;
  if (response.body.mustChangePassword) {
    const changed = await request(url).post('/api/auth/change-password').set('Authorization', `Bearer ${jwt}`).send({ currentPassword: DEMO_PASSWORD, password: `Chg#${crypto.randomBytes(6).toString('hex')}Aa9` });
    if (changed.status !== 200) throw new Error(`change password: ${changed.status}`);
    jwt = changed.body.jwt ?? jwt;
  }
  return {
    get: (p: string) => request(url).get(p).set('Authorization', `Bearer ${jwt}`),
    post: (p: string, body: object) => request(url).post(p).set('Authorization', `Bearer ${jwt}`).send(body),
  };
}

/** Creates a draft child with this ID number in the session's class 小一班 and registers it (审核). */
async function registerChild(session: { get: (p: string) => request.Test; post: (p: string, body: object) => request.Test }, region: string, idNumber: string, name: string) {
  const classId = (await session.get('/api/school-classes?filters[name][$eq]=小一班').expect(200)).body.data[0].documentId;
  const created = await session.post('/api/children', {
    data: {
      name, sex: 'female', idType: '1', idNumber, birthPlace: region, nativePlace: '浙江杭州', ethnicity: '01', nationality: '156', overseasChinese: '00', health: '10',
      householdRegion: region, householdType: '2', address: '示例路 1 号', phone: '13800000000', enrolledOn: '2026-09-01', enrollmentMode: '1', onlyChild: true, schoolClass: classId,
      guardians: [{ name: '监护人', relation: '2', idType: '1', idNumber: residentId(region, '19920101', String(200 + Math.floor(Math.random() * 700)).padStart(3, '0')), phone: '13800000001' }],
    },
  });
  if (created.status !== 201) throw new Error(`create child: ${created.status} ${JSON.stringify(created.body)}`);
  const id = created.body.data.documentId as string;
  const registered = await session.post(`/api/children/${id}/register`, { data: { acknowledgeCandidates: true } });
  if (registered.status !== 200) throw new Error(`register: ${registered.status} ${JSON.stringify(registered.body)}`);
  return { id, studentNumber: registered.body.data.studentNumber as string };
}

async function eventually<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * A TCP relay between 福建 and the broker, so that the test can take the broker out of 福建's reach
 * (and bring it back) without stopping the machine's NATS server that the other deployments use.
 */
function brokerLink() {
  const target = new URL(process.env.EXCHANGE_NATS_URL || 'nats://127.0.0.1:4222');
  const sockets = new Set<net.Socket>();
  let server: net.Server | null = null;
  let port = 0;
  const up = () => new Promise<void>((resolve) => {
    server = net.createServer((client) => {
      const upstream = net.connect(Number(target.port || 4222), target.hostname);
      sockets.add(client);
      sockets.add(upstream);
      const close = () => { client.destroy(); upstream.destroy(); };
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
      client.pipe(upstream).pipe(client);
    });
    server.listen(port, '127.0.0.1', () => { port = (server!.address() as net.AddressInfo).port; resolve(); });
  });
  const down = () => new Promise<void>((resolve) => {
    server!.close(() => resolve());
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  });
  return { up, down, url: () => `nats://127.0.0.1:${port}` };
}

const link = brokerLink();
let fujian: BootedApp;
let nation: Deployment;
let zhejiang: Deployment;
const configDir = zhejiangConfig();

beforeAll(async () => {
  // the two other deployments start in their processes while this one boots
  const others = Promise.all([
    deployment('nation', { DEPLOYMENT_ROLE: 'national', SEED_DEMO: 'false', DATABASE_DURABILITY: 'relaxed' }),
    deployment('zhejiang', { DEPLOYMENT_ROLE: 'province', DEPLOYMENT_PROVINCE: '33', SEED_DEMO: 'true', DEMO_PASSWORD, DOMAIN_CONFIG_DIR: configDir, DATABASE_DURABILITY: 'relaxed' }),
  ]);
  await link.up();
  Object.assign(process.env, EXCHANGE, { DEPLOYMENT_ROLE: 'province', DEPLOYMENT_PROVINCE: '35' });
  const sharedBroker = process.env.EXCHANGE_NATS_URL;
  process.env.EXCHANGE_NATS_URL = link.url();
  fujian = await bootStrapi();
  [nation, zhejiang] = await others;
  if (sharedBroker) process.env.EXCHANGE_NATS_URL = sharedBroker;
  else delete process.env.EXCHANGE_NATS_URL;
}, 600_000);

afterAll(async () => {
  await Promise.all([fujian?.stop(), nation?.stop(), zhejiang?.stop()]);
  await link.down().catch(() => undefined);
  fs.rmSync(configDir, { recursive: true, force: true });
  const { connect } = require('@nats-io/transport-node');
  const { jetstreamManager } = require('@nats-io/jetstream');
  const connection = await connect({ servers: process.env.EXCHANGE_NATS_URL || 'nats://127.0.0.1:4222' });
  await (await jetstreamManager(connection)).streams.delete(EXCHANGE.EXCHANGE_STREAM).catch(() => undefined);
  await connection.close();
}, 120_000);

describe('national duplicate check across two province deployments', () => {
  const idNumber = residentId('330102', '20220601', '124');
  let fujianChild: { id: string; studentNumber: string };

  test('a child registered in 福建 and then in 浙江 becomes a problem record in both, naming only the other province and county', async () => {
    fujianChild = await registerChild(await login(fujian, 'demo-kindergarten'), '350502', idNumber, '跨省重复');
    // the nation holds the child's national key, never its ID number or G 学籍号
    const [entry] = await eventually('the nation indexes 福建\'s registration', async () => (await nation.query(`SELECT * FROM national_index_entries WHERE child_document_id = '${fujianChild.id}'`)).length && nation.query(`SELECT * FROM national_index_entries WHERE child_document_id = '${fujianChild.id}'`));
    expect(entry.province).toBe('35');
    expect(Boolean(entry.active)).toBe(true);
    expect(entry.national_key).toMatch(/^[0-9a-f]{64}$/);
    const outbox = await fujian.strapi.db.query('api::exchange.outbox-event' as any).findMany({});
    expect(outbox.length).toBeGreaterThan(0);
    expect(JSON.stringify(outbox)).not.toContain(idNumber.slice(6, 14) + idNumber.slice(14));

    const zhejiangKindergarten = await remoteLogin(zhejiang.url, 'demo-kindergarten');
    const zhejiangChild = await registerChild(zhejiangKindergarten, '330102', idNumber, '跨省重复');
    expect(zhejiangChild.studentNumber).toBe(`G${idNumber}`);

    const fujianProblem = await eventually('福建 gets a problem record', async () => {
      const child = await fujian.strapi.db.query('api::child.child').findOne({ where: { documentId: fujianChild.id }, select: ['id'] });
      return fujian.strapi.db.query(PROBLEM).findOne({ where: { child: child.id, kind: 'duplicate-with-id' } });
    });
    expect(fujianProblem.state).toBe('open');
    expect(fujianProblem.description).toContain('浙江省杭州市上城区');
    expect(fujianProblem.description).not.toContain('上城区实验幼儿园');
    expect(fujianProblem.description).not.toContain(idNumber);

    // 浙江's county sees its own problem record, naming 福建省泉州市鲤城区
    const zhejiangCounty = await remoteLogin(zhejiang.url, 'demo-county');
    const records = await eventually('浙江 gets a problem record', async () => {
      const body = (await zhejiangCounty.get('/api/problem-records').expect(200)).body.data;
      return body.length ? body : null;
    });
    expect(records).toHaveLength(1);
    expect(records[0].description).toContain('福建省泉州市鲤城区');
    expect(records[0].description).not.toContain('实验幼儿园');
  });

  test('an event delivered twice is applied once', async () => {
    // the relay crashed after publishing and before marking: the event goes out again
    const before = await nation.query('SELECT count(*) AS n FROM exchange_inbox_events');
    const [row] = await fujian.strapi.db.query('api::exchange.outbox-event' as any).findMany({ where: { type: 'child.registered' }, orderBy: { id: 'asc' }, limit: 1 });
    await fujian.strapi.db.query('api::exchange.outbox-event' as any).update({ where: { id: row.id }, data: { sentAt: null } });
    await eventually('the relay re-sends it', async () => (await fujian.strapi.db.query('api::exchange.outbox-event' as any).findOne({ where: { id: row.id } })).sentAt);
    // and once more straight onto the broker under another message id: the nation's inbox drops it
    const { connect } = require('@nats-io/transport-node');
    const { jetstream } = require('@nats-io/jetstream');
    const connection = await connect({ servers: process.env.EXCHANGE_NATS_URL || 'nats://127.0.0.1:4222' });
    await jetstream(connection).publish(`${EXCHANGE.EXCHANGE_SUBJECT_PREFIX}.up.35`, JSON.stringify({ eventId: row.eventId, type: row.type, source: '35', sequence: Number(row.id), occurredAt: new Date().toISOString(), data: row.body.data }), { msgID: `again-${row.eventId}` });
    await connection.close();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const after = await nation.query('SELECT count(*) AS n FROM exchange_inbox_events');
    expect(Number(after[0].n)).toBe(Number(before[0].n));
    const entries = await nation.query(`SELECT * FROM national_index_entries WHERE child_document_id = '${fujianChild.id}'`);
    expect(entries).toHaveLength(1);
  });

  test('a child who left 福建 is closed in the national index, and enrolling in 浙江 then is no duplicate', async () => {
    const other = residentId('330102', '20220702', '126');
    const kindergarten = await login(fujian, 'demo-kindergarten');
    const child = await registerChild(kindergarten, '350502', other, '离园后转省');
    await kindergarten.post(`/api/children/${child.id}/leave`, { data: { reasonCode: 'moved', occurredOn: '2026-11-02' } }).expect(200);
    await eventually('the nation closes the entry', async () => {
      const rows = await nation.query(`SELECT active FROM national_index_entries WHERE child_document_id = '${child.id}'`);
      return rows.length && !rows[0].active;
    });
    const zhejiangKindergarten = await remoteLogin(zhejiang.url, 'demo-kindergarten');
    const enrolled = await registerChild(zhejiangKindergarten, '330102', other, '离园后转省');
    await eventually('the nation indexes 浙江\'s registration', async () => (await nation.query(`SELECT 1 FROM national_index_entries WHERE child_document_id = '${enrolled.id}'`)).length);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const zhejiangCounty = await remoteLogin(zhejiang.url, 'demo-county');
    const records = (await zhejiangCounty.get('/api/problem-records').expect(200)).body.data;
    expect(records.filter((record: any) => record.description?.includes('另有学籍'))).toHaveLength(1); // only the first test's
  });

  test('with the broker out of reach 福建 keeps registering, its outbox grows, and every event arrives once when it is back', async () => {
    await link.down();
    const kindergarten = await login(fujian, 'demo-kindergarten');
    const children = [];
    for (const sequence of ['132', '134', '136']) children.push(await registerChild(kindergarten, '350502', residentId('350502', '20220803', sequence), `断网${sequence}`));
    const pending = () => fujian.strapi.db.query('api::exchange.outbox-event' as any).count({ where: { sentAt: { $null: true } } });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await pending()).toBeGreaterThanOrEqual(3);
    const inboxBefore = Number((await nation.query('SELECT count(*) AS n FROM exchange_inbox_events'))[0].n);
    const ids = children.map((child) => `'${child.id}'`).join(',');
    expect(await nation.query(`SELECT 1 FROM national_index_entries WHERE child_document_id IN (${ids})`)).toHaveLength(0);

    await link.up();
    await eventually('the outbox drains', async () => (await pending()) === 0, 60_000);
    await eventually('the nation indexes all three', async () => (await nation.query(`SELECT 1 FROM national_index_entries WHERE child_document_id IN (${ids})`)).length === 3, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(Number((await nation.query('SELECT count(*) AS n FROM exchange_inbox_events'))[0].n) - inboxBefore).toBe(3);
  });
});
