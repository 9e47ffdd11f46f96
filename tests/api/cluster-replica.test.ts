/**
 * Reads on the read replica (cms/src/runtime/read-replica.ts, docs/scale-out.md): the children's
 * lists and list exports of the levels above the kindergarten, and the statistics, read the replica
 * when DATABASE_REPLICA_URL is set, through the same document service and scope; a user who just
 * wrote reads the primary (read-your-writes); a replica that is down is not read (fallback).
 * PostgreSQL only. The stand-in replica is the primary itself, opened read-only and under its own
 * application name: what it serves is visible in pg_stat_activity, and a write sent to it would fail.
 */
import { Client } from 'pg';
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { login, type Session } from '../helpers/api';

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

  /** The last statements of the replica's connections (its pool keeps them open a while). */
  async function replicaStatements(): Promise<string[]> {
    const client = new Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT query FROM pg_stat_activity WHERE application_name = 'preschool-reads'`);
      return rows.map((row) => String(row.query));
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    process.env.DATABASE_REPLICA_URL = standIn();
    app = await bootStrapi();
    const names = ['demo-ministry', 'demo-province', 'demo-prefecture', 'demo-county', 'demo-county-2', 'demo-kindergarten'];
    const logged = await Promise.all(names.map((u) => login(app, u)));
    sessions = Object.fromEntries(names.map((name, i) => [name, logged[i]]));
  }, 180_000);
  afterAll(async () => {
    delete process.env.DATABASE_REPLICA_URL;
    await app?.stop();
  });

  test('the lists of the levels above the kindergarten read the replica, within their own reach; the kindergarten reads the primary', async () => {
    const table = `"${app.schema}"."children"`;
    for (const name of ['demo-ministry', 'demo-province', 'demo-prefecture', 'demo-county']) {
      const response = await sessions[name].get('/api/children?pagination[pageSize]=100').expect(200);
      expect(response.headers['x-read-from']).toBe('replica');
    }
    expect((await replicaStatements()).some((query) => query.includes(table))).toBe(true);
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

  test('read-your-writes: the county that just edited a child reads the primary; the province still reads the replica', async () => {
    const county = sessions['demo-county'];
    const child = (await county.get('/api/children?pagination[pageSize]=1').expect(200)).body.data[0];
    await county.put(`/api/children/${child.documentId}`, { data: { address: '鲤城区复制路 1 号' } }).expect(200);
    const after = await county.get(`/api/children?filters[documentId][$eq]=${child.documentId}`).expect(200);
    expect(after.headers['x-read-from']).toBe('primary');
    expect(after.body.data[0].address).toBe('鲤城区复制路 1 号');
    expect((await sessions['demo-province'].get('/api/children').expect(200)).headers['x-read-from']).toBe('replica');
    const dashboard = await sessions['demo-province'].get('/api/dashboard').expect(200);
    expect(dashboard.headers['x-read-from'] ?? 'replica').toBe('replica');
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
