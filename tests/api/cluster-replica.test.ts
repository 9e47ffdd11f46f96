/**
 * Reads on the read replica (cms/src/runtime/read-replica.ts, docs/scale-out.md): the children's
 * lists and list exports of the levels above the kindergarten, and the statistics, read the replica
 * when DATABASE_REPLICA_URL is set, through the same document service and scope; a user who just
 * wrote reads the primary (read-your-writes); a replica that is down is not read (fallback).
 * PostgreSQL only. The stand-in replica is the primary itself, opened read-only and under its own
 * connection pool: /api/health counts the statements run there, and a write sent to it would fail.
 */
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { login, type Session } from '../helpers/api';
import { residentId } from '../helpers/ids';

const onPostgres = Boolean(process.env.DATABASE_URL);

if (!onPostgres) {
  test.skip('PostgreSQL only (set DATABASE_URL): reads on the read replica', () => undefined);
} else {
  let app: BootedApp;
  let sessions: Record<string, Session>;
  const standIn = () => {
    const url = new URL(process.env.DATABASE_URL!);
    url.searchParams.set('options', '-c default_transaction_read_only=on');
    return url.toString();
  };
  const dist = (...parts: string[]) => require(`../../cms/dist/src/${parts.join('/')}`);

  /** Statements the app ran on the replica for its readers (GET /api/health). */
  const statementsOnReplica = async () => Number((await sessions['demo-province'].get('/api/health').expect(200)).body.replica.statementsOnReplica);

  beforeAll(async () => {
    process.env.DATABASE_REPLICA_URL = standIn();
    app = await bootStrapi();
    const names = ['demo-ministry', 'demo-province', 'demo-prefecture', 'demo-county', 'demo-county-2', 'demo-kindergarten'];
    const logged = await Promise.all(names.map((u) => login(app, u)));
    sessions = Object.fromEntries(names.map((name, i) => [name, logged[i]]));
    // children in two counties, entered by their kindergartens
    const child = (name: string, county: string, serial: string, schoolClass: string) => ({
      name, idType: '1', idNumber: residentId(county, '20220505', serial), birthPlace: county, nativePlace: '福建', ethnicity: '01', nationality: '156', overseasChinese: '00', health: '10',
      householdRegion: county, householdType: '2', address: '中山路 2 号', phone: '13800000000', enrolledOn: '2025-09-01', enrollmentMode: '1', onlyChild: true, schoolClass,
      guardians: [{ name: '家长', relation: '1', idType: '1', idNumber: residentId(county, '19900101', serial), phone: '13800000001' }],
    });
    const kindergarten2 = await login(app, 'demo-kindergarten-2');
    for (const [session, county, serial] of [[sessions['demo-kindergarten'], '350502', '041'], [sessions['demo-kindergarten'], '350502', '043'], [kindergarten2, '350203', '045']] as const) {
      const classId = (await session.get('/api/school-classes?filters[name][$eq]=小一班').expect(200)).body.data[0].documentId;
      const response = await session.post('/api/children', { data: child(`副本幼儿${serial}`, county, serial, classId) });
      if (response.status !== 201) throw new Error(`child not created: ${JSON.stringify(response.body?.error)}`);
    }
  }, 420_000);
  afterAll(async () => {
    delete process.env.DATABASE_REPLICA_URL;
    await app?.stop();
  });

  test('the lists of the levels above the kindergarten read the replica, within their own reach; the kindergarten reads the primary', async () => {
    const before = await statementsOnReplica();
    for (const name of ['demo-ministry', 'demo-province', 'demo-prefecture', 'demo-county']) {
      const response = await sessions[name].get('/api/children?pagination[pageSize]=100').expect(200);
      expect(response.headers['x-read-from']).toBe('replica');
    }
    // at least the page of each list, run on the replica's connection
    expect(await statementsOnReplica()).toBeGreaterThanOrEqual(before + 4);
    // the same scope as on the primary: a county sees its own county only
    const mine = (await sessions['demo-county'].get('/api/children?pagination[pageSize]=100').expect(200)).body.data;
    const other = (await sessions['demo-county-2'].get('/api/children?pagination[pageSize]=100').expect(200)).body.data;
    expect(mine.length).toBeGreaterThan(0);
    expect(new Set(mine.map((child: any) => child.countyCode))).toEqual(new Set(['350502']));
    expect(other.every((child: any) => child.countyCode !== '350502')).toBe(true);
    const kindergarten = await sessions['demo-kindergarten'].get('/api/children').expect(200);
    expect(kindergarten.headers['x-read-from']).toBeUndefined();
  }, 60_000);

  test('a list export read from the replica still records the export (the write goes to the primary)', async () => {
    const before = await app.strapi.db.query('api::export-record.export-record').count({});
    const response = await sessions['demo-province'].get('/api/child-export?format=csv').expect(200);
    expect(response.headers['x-read-from']).toBe('replica');
    expect(await app.strapi.db.query('api::export-record.export-record').count({})).toBe(before + 1);
  }, 60_000);

  test('read-your-writes: the county that just edited one of its kindergartens reads the primary; the province still reads the replica', async () => {
    const county = sessions['demo-county'];
    expect((await county.get('/api/children').expect(200)).headers['x-read-from']).toBe('replica');
    const kindergarten = (await county.get('/api/kindergartens?filters[code][$eq]=3135050201').expect(200)).body.data[0];
    await county.put(`/api/kindergartens/${kindergarten.documentId}`, { data: { phone: '0595-22000001' } }).expect(200);
    expect((await county.get('/api/children').expect(200)).headers['x-read-from']).toBe('primary');
    expect((await sessions['demo-province'].get('/api/children').expect(200)).headers['x-read-from']).toBe('replica');
    const dashboard = await sessions['demo-province'].get('/api/dashboard').expect(200);
    expect(dashboard.headers['x-read-from'] ?? 'replica').toBe('replica');
  }, 60_000);

  test('a replica whose connections are cut is left at once, not at the next lag check, and read again once a lag check finds it', async () => {
    const warn = jest.spyOn(app.strapi.log, 'warn');
    try {
      // what a replica stopped or crashed does to the idle connections of its pool
      await app.strapi.db.connection.raw("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'preschool-reads'");
      const lost = () => warn.mock.calls.some(([message]) => String(message).startsWith('read replica connection lost, reading the primary'));
      for (let i = 0; i < 100 && !lost(); i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(lost()).toBe(true);
      let health = (await sessions['demo-province'].get('/api/health').expect(200)).body.replica;
      for (let i = 0; i < 100 && !health.used; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        health = (await sessions['demo-province'].get('/api/health').expect(200)).body.replica;
      }
      expect(health).toMatchObject({ used: true, problem: null });
      expect((await sessions['demo-province'].get('/api/children').expect(200)).headers['x-read-from']).toBe('replica');
    } finally {
      warn.mockRestore();
    }
  }, 60_000);

  test('a replica that is down is not read: lists and statistics answer from the primary, /api/health says why', async () => {
    const { startReadReplica, stopReadReplica } = dist('runtime', 'read-replica');
    await stopReadReplica();
    process.env.DATABASE_REPLICA_URL = 'postgres://postgres@127.0.0.1:1/none';
    await startReadReplica(app.strapi);
    const health = (await sessions['demo-province'].get('/api/health').expect(200)).body;
    expect(JSON.stringify(health)).toContain('"used":false');
    const list = await sessions['demo-province'].get('/api/children').expect(200);
    expect(list.headers['x-read-from']).toBe('primary');
    expect(list.body.data.length).toBeGreaterThan(0);
    const dashboard = await sessions['demo-province'].get('/api/dashboard').expect(200);
    expect(dashboard.headers['x-read-from'] ?? 'primary').toBe('primary');
    await stopReadReplica();
  }, 60_000);
}
