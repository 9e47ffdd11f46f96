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
  // JetStream reserves a stream's max_bytes on the shared broker: a run cut short leaves its stream behind, and
  // two of the production 50 GB exceed a broker whose disk has 60 GB free (insufficient storage resources)
  EXCHANGE_STREAM_MAX_GB: '1',
  NATIONAL_INDEX_KEY: crypto.randomBytes(32).toString('hex'),
  EXCHANGE_RELAY_INTERVAL_MS: '100',
};
const PROBLEM = 'api::problem-record.problem-record';
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

/** Each province's Ed25519 key pair; 广东 (44) is in the nation's directory and never sends. */
const KEYS = Object.fromEntries(['35', '33', '44', '99'].map((province) => {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  return [province, { private: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'), public: publicKey.export({ format: 'der', type: 'spki' }).toString('base64') }];
}));
const PROVINCE_KEYS = JSON.stringify({ 35: KEYS['35'].public, 33: KEYS['33'].public, 44: KEYS['44'].public });

/** Publishes straight onto the broker, as a deployment (or an intruder) would. */
async function publishRaw(subject: string, event: Record<string, unknown>) {
  const { connect } = require('@nats-io/transport-node');
  const { jetstream } = require('@nats-io/jetstream');
  const connection = await connect({ servers: process.env.EXCHANGE_NATS_URL || 'nats://127.0.0.1:4222' });
  try {
    await jetstream(connection).publish(subject, JSON.stringify(event), { msgID: `raw-${crypto.randomUUID()}` });
  } finally {
    await connection.close();
  }
}
const json = (value: any) => (typeof value === 'string' ? JSON.parse(value) : value);

type Deployment = { url: string; stop: () => Promise<void>; query: (sql: string) => Promise<any[]> };

/** A deployment in a process of its own, on a database of its own (a SQLite file or a PostgreSQL schema). */
async function deployment(name: string, env: Record<string, string>): Promise<Deployment> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `exchange-${name}-`));
  const databaseUrl = process.env.DATABASE_URL;
  const schema = `x_${name}_${run}`;
  if (databaseUrl) await runOnPostgres(databaseUrl, `CREATE SCHEMA ${schema}`);
  const database = databaseUrl ? { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema } : { DATABASE_URL: undefined, DATABASE_FILENAME: path.join(work, 'app.db') };
  const instance = await startInstance({ ...EXCHANGE, ARCHIVE_SCHEDULE: 'false', ARCHIVE_CATCH_UP: 'false', ...env, ...database, DATA_DIR: work } as any);
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
    staff: [], trainings: [], projects: [], aid: [], children: [], collectionTasks: [], healthChecks: [],
  });
  fs.writeFileSync(path.join(dir, 'demo.json'), JSON.stringify(demo));
  return dir;
}

/** The nation's own demo: the Ministry's account only — no province, kindergarten or child. */
function nationConfig(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'exchange-nation-config-'));
  for (const file of fs.readdirSync(path.join(REPOSITORY_ROOT, 'config'))) fs.copyFileSync(path.join(REPOSITORY_ROOT, 'config', file), path.join(dir, file));
  const demo = JSON.parse(fs.readFileSync(path.join(dir, 'demo.json'), 'utf8'));
  Object.assign(demo, {
    kindergartens: [], classes: [], staff: [], trainings: [], projects: [], aid: [], children: [], guardianInvitations: [], collectionTasks: [], healthChecks: [],
    accounts: [{ username: 'demo-ministry', level: 'ministry', fullName: '教育部演示用户' }],
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
/** The nation's own way to the broker, cut by the test while the nation applies a burst. */
const nationLink = brokerLink();
let fujian: BootedApp;
let nation: Deployment;
let zhejiang: Deployment;
const configDir = zhejiangConfig();
const nationConfigDir = nationConfig();

beforeAll(async () => {
  // the two other deployments start in their processes while this one boots
  await nationLink.up();
  const others = Promise.all([
    // acknowledgements lost to a cut are redelivered after 5 s (30 s by default)
    deployment('nation', { EXCHANGE_NATS_URL: nationLink.url(), EXCHANGE_ACK_WAIT_SECONDS: '5', EXCHANGE_DISCOVERY_MS: '500', DEPLOYMENT_ROLE: 'national', SEED_DEMO: 'true', DEMO_PASSWORD, DOMAIN_CONFIG_DIR: nationConfigDir, DATABASE_DURABILITY: 'relaxed', EXCHANGE_PROVINCE_KEYS: PROVINCE_KEYS, EXCHANGE_PACKAGE_GRACE_DAYS: '0' }),
    // 浙江's monthly snapshot is taken as it starts (the catch-up of the latest period due): its package goes up
    deployment('zhejiang', { DEPLOYMENT_ROLE: 'province', DEPLOYMENT_PROVINCE: '33', SEED_DEMO: 'true', DEMO_PASSWORD, DOMAIN_CONFIG_DIR: configDir, DATABASE_DURABILITY: 'relaxed', EXCHANGE_SIGNING_KEY: KEYS['33'].private, ARCHIVE_CATCH_UP: 'true' }),
  ]);
  await link.up();
  Object.assign(process.env, EXCHANGE, { DEPLOYMENT_ROLE: 'province', DEPLOYMENT_PROVINCE: '35', EXCHANGE_SIGNING_KEY: KEYS['35'].private, ARCHIVE_CATCH_UP: 'false' });
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
  await nationLink.down().catch(() => undefined);
  fs.rmSync(configDir, { recursive: true, force: true });
  fs.rmSync(nationConfigDir, { recursive: true, force: true });
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

describe('the nation applies the provinces in parallel, in batches', () => {
  /** Publishes events in order on one connection, as a province's relay does. */
  async function publishAll(subject: string, events: Record<string, unknown>[]) {
    const { connect } = require('@nats-io/transport-node');
    const { jetstream } = require('@nats-io/jetstream');
    const connection = await connect({ servers: process.env.EXCHANGE_NATS_URL || 'nats://127.0.0.1:4222' });
    try {
      const client = jetstream(connection);
      for (const event of events) await client.publish(subject, JSON.stringify(event), { msgID: String(event.eventId) });
    } finally {
      await connection.close();
    }
  }

  test('two provinces publishing at once, the nation cut from the broker meanwhile: every event applied once, each child\'s in order, a child registered in both at once a duplicate for both', async () => {
    const shared = crypto.randomBytes(32).toString('hex');
    const burst = (province: string) => {
      const events: Record<string, unknown>[] = [];
      let sequence = 1_000_000;
      for (let i = 0; i < 40; i += 1) {
        const childDocumentId = `burst-${province}-${i}-${run}`;
        const countyCode = province === '35' ? '350502' : '330102';
        const base = { source: province, occurredAt: new Date().toISOString() };
        events.push({ ...base, eventId: crypto.randomUUID(), type: 'child.registered', sequence: sequence += 1, data: { childDocumentId, nationalKey: i === 21 ? shared : crypto.randomBytes(32).toString('hex'), countyCode, studentNumberMasked: `L${province}****${i}` } });
        // every fourth child leaves right after: its closing must not be overtaken by its registration
        if (i % 4 === 0) events.push({ ...base, eventId: crypto.randomUUID(), type: 'child.status', sequence: sequence += 1, data: { childDocumentId, open: false, status: 'left', countyCode, keyed: true } });
      }
      return events;
    };
    const fujianBurst = burst('35');
    const zhejiangBurst = burst('33');
    const ids = [...fujianBurst, ...zhejiangBurst].map((event) => `'${event.eventId}'`).join(',');
    const applied = async () => Number((await nation.query(`SELECT count(*) AS n FROM exchange_inbox_events WHERE event_id IN (${ids})`))[0].n);
    const publishing = Promise.all([publishAll(`${EXCHANGE.EXCHANGE_SUBJECT_PREFIX}.up.35`, fujianBurst), publishAll(`${EXCHANGE.EXCHANGE_SUBJECT_PREFIX}.up.33`, zhejiangBurst)]);
    // cut the nation from the broker once it has started applying: what it committed and could not acknowledge comes again
    await eventually('the nation starts applying the burst', async () => (await applied()) > 0, 60_000);
    await nationLink.down();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await nationLink.up();
    await publishing;
    const total = fujianBurst.length + zhejiangBurst.length;
    await eventually('the nation applies both bursts', async () => (await applied()) === total, 120_000);

    const entries = await nation.query(`SELECT province, child_document_id, active, last_sequence FROM national_index_entries WHERE child_document_id LIKE 'burst-%-${run}'`);
    expect(entries).toHaveLength(80);
    const left = entries.filter((entry: any) => Number(entry.child_document_id.split('-')[2]) % 4 === 0);
    expect(left).toHaveLength(20);
    expect(left.every((entry: any) => !entry.active)).toBe(true);
    expect(entries.filter((entry: any) => entry.active)).toHaveLength(60);
    // the child registered in both provinces at the same moment: each province told once, naming the other
    const pair = [`burst-35-21-${run}`, `burst-33-21-${run}`];
    const told = (await nation.query(`SELECT subject, body FROM exchange_outbox_events WHERE type = 'national.duplicate'`))
      .map((row: any) => ({ subject: row.subject, data: json(row.body).data }))
      .filter((row: any) => pair.includes(row.data.childDocumentId));
    expect(told.map((row: any) => [row.subject.split('.').pop(), row.data.childDocumentId, row.data.otherProvince]).sort()).toEqual([['33', pair[1], '35'], ['35', pair[0], '33']]);
    // waited a little longer, nothing more arrives: each event applied exactly once
    await new Promise((resolve) => setTimeout(resolve, 6000));
    expect(await applied()).toBe(total);
    // one durable consumer per province
    const { connect } = require('@nats-io/transport-node');
    const { jetstreamManager } = require('@nats-io/jetstream');
    const connection = await connect({ servers: process.env.EXCHANGE_NATS_URL || 'nats://127.0.0.1:4222' });
    try {
      const names: string[] = [];
      for await (const consumer of (await jetstreamManager(connection)).consumers.list(EXCHANGE.EXCHANGE_STREAM)) names.push(consumer.name);
      expect(names.filter((name) => name.startsWith('national')).sort()).toEqual(['national-33', 'national-35']);
    } finally {
      await connection.close();
    }
  }, 240_000);
});

describe('cross-province transfers through the nation', () => {
  test('浙江 asks for a child of 福建 by its ID number; 福建 agrees while the broker is out of reach; 浙江 completes; the child moves exactly once', async () => {
    const idNumber = residentId('350502', '20230110', '162');
    const fujianKindergarten = await login(fujian, 'demo-kindergarten');
    const child = await registerChild(fujianKindergarten, '350502', idNumber, '跨省转园');
    await eventually('the nation indexes the child', async () => (await nation.query(`SELECT 1 FROM national_index_entries WHERE child_document_id = '${child.id}' AND active`)).length);

    const zhejiangKindergarten = await remoteLogin(zhejiang.url, 'demo-kindergarten');
    const applied = await zhejiangKindergarten.post('/api/transfers', { data: { idType: '1', idNumber, reason: '随父母工作调动' } });
    expect(applied.status).toBe(201);
    const transferId = applied.body.data.id;
    expect(applied.body.data).toMatchObject({ state: 'requested', side: 'incoming', childId: null });

    // 福建 holds the same transfer, with the same 30-working-day due date; its kindergarten may agree, 浙江's may not
    const outgoing = await eventually('福建 gets the request', async () => (await fujianKindergarten.get(`/api/transfers/${transferId}`)).body?.data);
    expect(outgoing).toMatchObject({ state: 'requested', side: 'outgoing', childId: child.id, toKindergartenName: '杭州市上城区实验幼儿园', dueAt: applied.body.data.dueAt, overdue: false });
    expect(outgoing.actions).toContain('agree');
    const fujianCounty = await login(fujian, 'demo-county');
    expect((await fujianCounty.get(`/api/transfers/${transferId}`).expect(200)).body.data.state).toBe('requested');
    const incoming = await eventually('浙江 learns the sending side', async () => {
      const data = (await zhejiangKindergarten.get(`/api/transfers/${transferId}`)).body?.data;
      return data?.childName === '跨省转园' && data;
    });
    expect(incoming).toMatchObject({ fromKindergartenName: expect.stringContaining('幼儿园'), fromCountyCode: '350502', childId: null });
    expect(incoming.idNumberMasked).not.toBe(idNumber);
    await zhejiangKindergarten.post(`/api/transfers/${transferId}/agree`, { data: {} }).expect(403);

    // the broker out of 福建's reach: the agreement is made, and waits in the outbox
    await link.down();
    await fujianKindergarten.post(`/api/transfers/${transferId}/agree`, { data: {} }).expect(200);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await zhejiangKindergarten.get(`/api/transfers/${transferId}`).expect(200)).body.data.state).toBe('requested');
    await link.up();
    await eventually('浙江 sees the agreement', async () => (await zhejiangKindergarten.get(`/api/transfers/${transferId}`)).body?.data?.state === 'agreed', 60_000);

    const classId = (await zhejiangKindergarten.get('/api/school-classes?filters[name][$eq]=小一班').expect(200)).body.data[0].documentId;
    const completed = await zhejiangKindergarten.post(`/api/transfers/${transferId}/complete`, { data: { schoolClass: classId, acknowledgeCandidates: true } });
    expect(completed.status).toBe(200);
    expect(completed.body.data.state).toBe('completed');
    const newId = completed.body.data.childId;
    expect(newId).toBeTruthy();

    // 福建 closes its record as 转出; the nation's index follows the child
    await eventually('福建 closes the record', async () => (await fujian.strapi.db.query('api::child.child').findOne({ where: { documentId: child.id } })).status === 'left');
    expect((await fujianKindergarten.get(`/api/transfers/${transferId}`).expect(200)).body.data.state).toBe('completed');
    const history = (await fujianKindergarten.get(`/api/children/${child.id}/history`).expect(200)).body.data.map((e: any) => e.type);
    expect(history).toContain('transfer-out');
    await eventually('the nation indexes the child in 浙江 only', async () => {
      const rows = await nation.query(`SELECT province, active FROM national_index_entries WHERE child_document_id IN ('${child.id}', '${newId}') ORDER BY province`);
      return rows.length === 2 && Boolean(rows[0].active) && !rows[1].active && rows[0].province === '33';
    });
    const masked = (await fujian.strapi.db.query('api::child.child').findOne({ where: { documentId: child.id } })).studentNumberMasked;
    const zhejiangCounty = await remoteLogin(zhejiang.url, 'demo-county');
    const moved = (await zhejiangCounty.get(`/api/children/${newId}`).expect(200)).body.data;
    expect(moved).toMatchObject({ status: 'registered', studentNumberMasked: masked, name: '跨省转园' });
    // one 学籍 with that 学籍号 in 浙江
    expect(await zhejiang.query(`SELECT document_id, status FROM children WHERE student_number_masked = '${masked}'`)).toEqual([{ document_id: newId, status: 'registered' }]);
    // no duplicate problem record for the moved child on either side
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const problems = (await zhejiangCounty.get('/api/problem-records').expect(200)).body.data;
    expect(problems.filter((record: any) => record.description?.includes('另有学籍'))).toHaveLength(1); // only the first test's
    // applied once on each side, and the ID number never on the broker nor at the nation
    expect(Number((await zhejiang.query(`SELECT count(*) AS n FROM exchange_inbox_events WHERE type = 'transfer.agreed'`))[0].n)).toBe(1);
    const sent = await fujian.strapi.db.query('api::exchange.outbox-event' as any).findMany({ where: { type: { $startsWith: 'transfer.' } } });
    expect(sent.map((row: any) => row.type).sort()).toEqual(['transfer.agreed', 'transfer.opened']);
    expect(JSON.stringify(sent)).not.toContain(idNumber);
    expect(JSON.stringify(await nation.query('SELECT body FROM exchange_outbox_events'))).not.toContain(idNumber);
  });

  test('浙江 asks by 学籍号; 福建 refuses with a reason; 浙江 sees the refusal and 福建 keeps the child', async () => {
    const fujianKindergarten = await login(fujian, 'demo-kindergarten');
    const child = await registerChild(fujianKindergarten, '350502', residentId('350502', '20230305', '186'), '拒绝转出');
    await eventually('the nation indexes the child', async () => (await nation.query(`SELECT 1 FROM national_index_entries WHERE child_document_id = '${child.id}' AND student_key IS NOT NULL`)).length);
    const zhejiangKindergarten = await remoteLogin(zhejiang.url, 'demo-kindergarten');
    const applied = await zhejiangKindergarten.post('/api/transfers', { data: { studentNumber: child.studentNumber, reason: '家长申请' } }).expect(201);
    const transferId = applied.body.data.id;
    await eventually('福建 gets the request', async () => (await fujianKindergarten.get(`/api/transfers/${transferId}`)).body?.data);
    await fujianKindergarten.post(`/api/transfers/${transferId}/refuse`, { data: {} }).expect(400); // a reason is required
    await fujianKindergarten.post(`/api/transfers/${transferId}/refuse`, { data: { comment: '学期未结束' } }).expect(200);
    const refused = await eventually('浙江 sees the refusal', async () => {
      const data = (await zhejiangKindergarten.get(`/api/transfers/${transferId}`)).body?.data;
      return data?.state === 'refused' && data;
    });
    expect(refused.refusalReason).toBe('学期未结束');
    expect((await fujian.strapi.db.query('api::child.child').findOne({ where: { documentId: child.id } })).status).toBe('registered');
    // refused, the request is closed on both sides: a new one may be made
    await zhejiangKindergarten.post(`/api/transfers/${transferId}/complete`, { data: {} }).expect(409);
  });

  test('a child held in no other province: the nation refuses the request, and 浙江 sees it refused', async () => {
    const zhejiangKindergarten = await remoteLogin(zhejiang.url, 'demo-kindergarten');
    const applied = await zhejiangKindergarten.post('/api/transfers', { data: { idType: '1', idNumber: residentId('350502', '20230212', '178'), reason: '测试' } }).expect(201);
    const refused = await eventually('浙江 sees the refusal', async () => {
      const data = (await zhejiangKindergarten.get(`/api/transfers/${applied.body.data.id}`)).body?.data;
      return data?.state === 'refused' && data;
    });
    expect(refused.refusalReason).toContain('未找到');
  });
});

describe('what a key-information change and clock skew do to the national index', () => {
  test('a corrected ID number (关键信息变更) re-reports the child\'s national key', async () => {
    const kindergarten = await login(fujian, 'demo-kindergarten');
    const child = await registerChild(kindergarten, '350502', residentId('350502', '20220905', '152'), '更正证件');
    const [before] = await eventually('the nation indexes it', async () => (await nation.query(`SELECT national_key FROM national_index_entries WHERE child_document_id = '${child.id}'`)).length && nation.query(`SELECT national_key FROM national_index_entries WHERE child_document_id = '${child.id}'`));
    const corrected = residentId('350502', '20220905', '774');
    const applied = await kindergarten.post(`/api/children/${child.id}/key-change`, { data: { changes: { idNumber: corrected }, reason: '监护人申请更正' } }).expect(201);
    await kindergarten.post(`/api/requests/${applied.body.data.id}/evidence`).attach('files', PNG, { filename: 'hukou.png', contentType: 'image/png' }).expect(200);
    await kindergarten.post(`/api/requests/${applied.body.data.id}/approve`, { data: {} }).expect(200);
    const expected = crypto.createHmac('sha256', EXCHANGE.NATIONAL_INDEX_KEY).update(`1:${corrected}`).digest('hex');
    await eventually('the nation holds the corrected key', async () => {
      const rows = await nation.query(`SELECT national_key, active FROM national_index_entries WHERE child_document_id = '${child.id}'`);
      return rows.length === 1 && rows[0].national_key === expected && Boolean(rows[0].active);
    });
    expect(before.national_key).not.toBe(expected);
    // still one entry for the child, and nothing sent holds the corrected number
    const outbox = await fujian.strapi.db.query('api::exchange.outbox-event' as any).findMany({ where: { type: 'child.registered' } });
    expect(JSON.stringify(outbox)).not.toContain(corrected);
  });

  test('a child\'s events apply in its province\'s order, whatever the senders\' clocks say', async () => {
    const subject = `${EXCHANGE.EXCHANGE_SUBJECT_PREFIX}.up.35`;
    const key = crypto.randomBytes(32).toString('hex');
    const event = (childDocumentId: string, sequence: number, type: string, occurredAt: string, data: object) => ({ eventId: crypto.randomUUID(), type, source: '35', sequence, occurredAt, data: { childDocumentId, ...data } });
    // the closing (sequence 2, its clock an hour behind) arrives before the registration (sequence 1): the entry stays closed
    const overtaken = `skew-a-${run}`;
    await publishRaw(subject, event(overtaken, 2, 'child.status', new Date(Date.now() - 3600_000).toISOString(), { open: false, status: 'left', countyCode: '350502', keyed: true }));
    await publishRaw(subject, event(overtaken, 1, 'child.registered', new Date().toISOString(), { nationalKey: key, countyCode: '350502', studentNumberMasked: 'L35****01' }));
    // registered (1), closed (3), then a stale reopening (2) whose clock says it is the newest
    const stale = `skew-b-${run}`;
    await publishRaw(subject, event(stale, 1, 'child.registered', new Date().toISOString(), { nationalKey: key, countyCode: '350502', studentNumberMasked: 'L35****02' }));
    await publishRaw(subject, event(stale, 3, 'child.status', new Date(Date.now() - 7200_000).toISOString(), { open: false, status: 'left', countyCode: '350502', keyed: true }));
    await publishRaw(subject, event(stale, 2, 'child.status', new Date(Date.now() + 7200_000).toISOString(), { open: true, status: 'registered', countyCode: '350502', keyed: true }));
    const rows = await eventually('the nation applies all five', async () => {
      const found = await nation.query(`SELECT child_document_id, national_key, active, last_sequence FROM national_index_entries WHERE child_document_id IN ('${overtaken}', '${stale}') ORDER BY child_document_id`);
      return found.length === 2 && found[0].national_key && Number(found[1].last_sequence) === 3 && found;
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const [a, b] = await nation.query(`SELECT child_document_id, national_key, active, last_sequence FROM national_index_entries WHERE child_document_id IN ('${overtaken}', '${stale}') ORDER BY child_document_id`);
    expect(rows).toHaveLength(2);
    expect(a).toMatchObject({ national_key: key, last_sequence: expect.anything() });
    expect(Boolean(a.active)).toBe(false);
    expect(Number(a.last_sequence)).toBe(2);
    expect(Boolean(b.active)).toBe(false);
    expect(Number(b.last_sequence)).toBe(3);
  });
});

describe('national statistics from the provinces\' signed monthly packages', () => {
  let period: string;
  let fujianSummary: any;

  test('each province\'s package arrives signed; the Ministry sees every province, the national total equal to the sum, a missing package flagged late', async () => {
    const snapshots = fujian.strapi.plugin('archive-snapshot').service('snapshots') as any;
    const snapshot = await snapshots.catchUp('test');
    period = snapshot.period;
    fujianSummary = snapshot.summary;
    const stored = await eventually('the nation stores both packages', async () => {
      const rows = await nation.query(`SELECT province, period, figures FROM national_statistics_packages WHERE period = '${period}' ORDER BY province`);
      return rows.length === 2 && rows;
    }, 60_000);
    expect(stored.map((row: any) => row.province)).toEqual(['33', '35']);
    const [zhejiangSnapshot] = await zhejiang.query(`SELECT summary FROM archive_snapshots WHERE period = '${period}'`);
    const zhejiangRow = json(zhejiangSnapshot.summary).provinces.find((row: any) => row.code === '330000');
    const fujianRow = fujianSummary.provinces.find((row: any) => row.code === '350000');
    expect(json(stored[0].figures)).toEqual(zhejiangRow.figures);
    expect(json(stored[1].figures)).toEqual(fujianRow.figures);
    expect(fujianRow.figures.children).toBeGreaterThan(0);

    const ministry = await remoteLogin(nation.url, 'demo-ministry');
    const body = (await ministry.get(`/api/exchange/national-statistics?period=${period}`).expect(200)).body.data;
    expect(body.provinces.map((row: any) => [row.province, row.received, row.late])).toEqual([['33', true, false], ['35', true, false], ['44', false, true]]);
    expect(body.provinces[1].name).toBe('福建省');
    for (const key of Object.keys(fujianRow.figures)) expect(body.total.figures[key]).toBe((fujianRow.figures[key] ?? 0) + (zhejiangRow.figures[key] ?? 0));
    expect(body.total.provincesLate).toBe(1);
    // what the Ministry's panel shows: each package verified against its province's key, 广东 registered and missing
    expect(body.provinces.map((row: any) => [row.province, row.keyRegistered, row.signatureVerified])).toEqual([['33', true, true], ['35', true, true], ['44', true, false]]);
    expect(body.periods).toContain(period);
    expect(body.figureLabels.find((label: any) => label.key === 'children').label).toBe('在园幼儿数');
    // the nation's chart pages read the packages: by province, month by month; a breakdown they do not carry is refused
    const byProvince = (await ministry.post('/api/statistics/query', { indicator: 'children', dimension: 'province', filters: { to: period } }).expect(200)).body;
    expect(byProvince.rows.map((row: any) => [row.label, row.value])).toEqual([['浙江省', zhejiangRow.figures.children], ['福建省', fujianRow.figures.children]]);
    expect(byProvince.total.value).toBe(body.total.figures.children);
    const byMonth = (await ministry.post('/api/statistics/query', { indicator: 'children', dimension: 'month', filters: { from: period, to: period } }).expect(200)).body;
    expect(byMonth.rows.map((row: any) => [row.key, row.value])).toEqual([[period, body.total.figures.children]]);
    const bySex = await ministry.post('/api/statistics/query', { indicator: 'children', dimension: 'sex' }).expect(400);
    expect(JSON.stringify(bySex.body)).toContain('全国部署只有各省报送的统计数据包');
    // the panel opens the national pages where the server lists the call: on the nation, not on a province
    expect((await ministry.get('/api/me').expect(200)).body.calls.exchange).toEqual(['nationalStatistics']);
    expect((await (await login(fujian, 'demo-ministry')).get('/api/me').expect(200)).body.calls.exchange).toBeUndefined();
    // the package holds figures, never a child
    const [raw] = await nation.query(`SELECT counties FROM national_statistics_packages WHERE province = '35' AND period = '${period}'`);
    expect(JSON.stringify(raw)).not.toMatch(/documentId|idNumber|name/);

    await ministry.get('/api/exchange/national-statistics?period=2026-13').expect(400);
    // a province deployment has no national figures; a kindergarten may not ask for them
    const province = await login(fujian, 'demo-ministry');
    await province.get(`/api/exchange/national-statistics?period=${period}`).expect(404);
    const kindergarten = await login(fujian, 'demo-kindergarten');
    await kindergarten.get(`/api/exchange/national-statistics?period=${period}`).expect(403);
  });

  test('a replayed, altered or foreign-signed package is refused and changes nothing', async () => {
    const [original] = await fujian.strapi.db.query('api::exchange.outbox-event' as any).findMany({ where: { type: 'statistics.package' }, orderBy: { id: 'desc' }, limit: 1 });
    const subject = `${EXCHANGE.EXCHANGE_SUBJECT_PREFIX}.up.35`;
    const envelope = (data: object) => ({ eventId: crypto.randomUUID(), type: 'statistics.package', source: '35', sequence: Number(original.id) + 1000, occurredAt: new Date().toISOString(), data });
    const { package: pkg, signature } = original.body.data;
    const { signPackage } = require('../../cms/dist/src/exchange/packages');
    const foreign = crypto.createPrivateKey({ key: Buffer.from(KEYS['99'].private, 'base64'), format: 'der', type: 'pkcs8' });
    const replay = envelope({ package: pkg, signature });
    const altered = envelope({ package: { ...pkg, figures: { ...pkg.figures, children: pkg.figures.children + 1000 } }, signature });
    const foreignSigned = envelope({ package: { ...pkg, period: '2020-01', packageId: crypto.randomUUID() }, signature: signPackage({ ...pkg, period: '2020-01', packageId: crypto.randomUUID() }, foreign) });
    for (const event of [replay, altered, foreignSigned]) await publishRaw(subject, event);
    const ids = [replay, altered, foreignSigned].map((event) => `'${event.eventId}'`).join(',');
    const refusals = await eventually('the nation refuses all three', async () => {
      const rows = await nation.query(`SELECT event_id, outcome, reason FROM exchange_inbox_events WHERE event_id IN (${ids})`);
      return rows.length === 3 && rows;
    });
    const reason = (event: any) => refusals.find((row: any) => row.event_id === event.eventId);
    expect(refusals.every((row: any) => row.outcome === 'refused')).toBe(true);
    expect(reason(replay).reason).toMatch(/重复报送/);
    expect(reason(altered).reason).toMatch(/签名验证未通过/);
    expect(reason(foreignSigned).reason).toMatch(/签名验证未通过/);
    const rows = await nation.query(`SELECT period, figures FROM national_statistics_packages WHERE province = '35' ORDER BY period`);
    expect(rows.map((row: any) => row.period)).toEqual([period]);
    expect(json(rows[0].figures)).toEqual(pkg.figures);
    // the Ministry sees the refusals, with their reasons, and figures unchanged
    const ministry = await remoteLogin(nation.url, 'demo-ministry');
    const body = (await ministry.get(`/api/exchange/national-statistics?period=${period}`).expect(200)).body.data;
    expect(body.refused.filter((row: any) => row.name === '福建省').map((row: any) => row.reason).sort()).toEqual(expect.arrayContaining([expect.stringMatching(/重复报送/), expect.stringMatching(/签名验证未通过/)]));
    expect(body.total.figures.children).toBe(fujianSummary.provinces.find((row: any) => row.code === '350000').figures.children + json((await nation.query(`SELECT figures FROM national_statistics_packages WHERE province = '33' AND period = '${period}'`))[0].figures).children);
  });

  test('a package written while 福建 is cut from the broker stays in its outbox and reaches the nation once when it is back', async () => {
    const [year, month] = period.split('-').map(Number);
    const earlier = month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
    const stored = async () => nation.query(`SELECT package_id FROM national_statistics_packages WHERE province = '35' AND period = '${earlier}'`);
    await link.down();
    try {
      await (fujian.strapi.plugin('archive-snapshot').service('snapshots') as any).run(earlier, 'test');
      const outbox = () => fujian.strapi.db.query('api::exchange.outbox-event' as any).findMany({ where: { type: 'statistics.package' }, orderBy: { id: 'desc' }, limit: 1 });
      const [row] = await outbox();
      expect(row.body.data.package.period).toBe(earlier);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect((await fujian.strapi.db.query('api::exchange.outbox-event' as any).findOne({ where: { id: row.id } })).sentAt).toBeNull();
      expect(await stored()).toHaveLength(0);
    } finally {
      await link.up();
    }
    const [received] = await eventually('the nation stores the package once the broker is back', async () => (await stored()).length && stored(), 60_000);
    // sent again (the relay stopped between publishing and marking it sent): the nation keeps one, refuses nothing
    const [row] = await fujian.strapi.db.query('api::exchange.outbox-event' as any).findMany({ where: { type: 'statistics.package' }, orderBy: { id: 'desc' }, limit: 1 });
    await fujian.strapi.db.query('api::exchange.outbox-event' as any).update({ where: { id: row.id }, data: { sentAt: null } });
    await eventually('the relay re-sends it', async () => (await fujian.strapi.db.query('api::exchange.outbox-event' as any).findOne({ where: { id: row.id } })).sentAt);
    await publishRaw(`${EXCHANGE.EXCHANGE_SUBJECT_PREFIX}.up.35`, { eventId: row.eventId, type: row.type, source: '35', sequence: Number(row.id), occurredAt: new Date().toISOString(), data: row.body.data });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await stored()).toEqual([received]);
    expect(await nation.query(`SELECT outcome FROM exchange_inbox_events WHERE event_id = '${row.eventId}'`)).toEqual([{ outcome: 'applied' }]);
  });
});
