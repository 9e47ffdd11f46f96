/**
 * Whenever the database is down, every API route answers 503 with Retry-After: never 401 (which
 * would log everyone out of the panel), never a stack trace, and no acknowledged write is lost.
 * Needs PostgreSQL (DATABASE_URL): the app talks to it through a TCP proxy in this test, which the
 * test cuts and restores. Cutting the proxy stands in for a PostgreSQL restart: it drops
 * every open connection, in the middle of queries and transactions, and refuses new ones, as a
 * restart does; the server itself is not restarted because other suites share it.
 */
import net from 'node:net';
import path from 'node:path';
import { bootStrapi, REPOSITORY_ROOT, type BootedApp } from '../helpers/boot';
import { anonymous, kindergartenId, login, type Session } from '../helpers/api';
import { residentId } from '../helpers/ids';

const target = process.env.DATABASE_URL ? new URL(process.env.DATABASE_URL) : null;
const describeWithPostgres = target ? describe : describe.skip;

class Proxy {
  private server?: net.Server;
  private sockets = new Set<net.Socket>();
  port = 0;
  isUp = false;
  async up(): Promise<void> {
    if (this.isUp) return;
    this.isUp = true;
    this.server = net.createServer((client) => {
      const upstream = net.connect(Number(target!.port || 5432), target!.hostname);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }
  /** Drops every open connection, in the middle of whatever it carries, but keeps accepting new ones. */
  sever(): void {
    for (const socket of this.sockets) socket.destroy();
  }
  async down(): Promise<void> {
    if (!this.isUp) return;
    this.isUp = false;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

describeWithPostgres('database outage (PostgreSQL)', () => {
  const proxy = new Proxy();
  let app: BootedApp;
  let county: Session;

  beforeAll(async () => {
    await proxy.up();
    const url = new URL(process.env.DATABASE_URL!);
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    app = await bootStrapi({ databaseUrl: url.toString() });
    county = await login(app, 'demo-county');
  });
  afterAll(async () => {
    await proxy.up();
    await app?.stop();
    await proxy.down();
  });

  test('answers 503 with Retry-After while the database is down, and recovers after', async () => {
    await county.get('/api/kindergartens').expect(200);
    await proxy.down();

    const health = await anonymous(app).get('/api/health');
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ database: 'unreachable' });
    for (const response of [
      await county.get('/api/kindergartens'),
      await county.get('/ra/kindergartens?range=[0,9]'),
      await county.get('/api/me'),
      await anonymous(app).post('/api/auth/local').send({ identifier: 'demo-county', password: process.env.DEMO_PASSWORD }),
    ]) {
      expect(response.status).toBe(503);
      expect(response.headers['retry-after']).toBeDefined();
      expect(JSON.stringify(response.body)).not.toMatch(/\bat .*\.js:\d+|ECONNREFUSED/);
    }

    await proxy.up();
    let recovered = 0;
    for (let attempt = 0; attempt < 20 && recovered !== 200; attempt += 1) {
      recovered = (await anonymous(app).get('/api/health')).status;
      if (recovered !== 200) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(recovered).toBe(200);
    const list = await county.get('/api/kindergartens').expect(200);
    expect(list.body.meta.pagination.total).toBe(3);
  });

  /**
   * A load across a cut: seven client loops as five levels keep reading (lists, the panel's bridge,
   * the dashboard, /api/me) and writing (children with their guardians, classes) for a few seconds
   * before, during (~3 s) and after the cut; later every open connection is dropped four times while
   * the database stays reachable (a quick restart). The session cache is emptied at the cut, so
   * sessions are read from the database while it is down. Every answer is recorded and judged
   * afterwards; then the rows are read directly from the database by each write's unique marker.
   */
  test('under load: only 503 while down, no 401, no 5xx else, no acknowledged write lost, nothing half-written', async () => {
    const sessionsModule = require(path.join(REPOSITORY_ROOT, 'cms', 'dist', 'src', 'security', 'sessions'));
    await proxy.up();
    const [kindergarten, kindergartenClasses, kindergarten2, county2, prefecture, province] = await Promise.all(
      ['demo-kindergarten', 'demo-kindergarten', 'demo-kindergarten-2', 'demo-county-2', 'demo-prefecture', 'demo-province'].map((u) => login(app, u)),
    );
    const classOf = async (session: Session) => (await session.get('/api/school-classes?filters[name][$eq]=小一班').expect(200)).body.data[0].documentId as string;
    const [class1, class2] = [await classOf(kindergarten), await classOf(kindergarten2)];
    const licheng201 = await kindergartenId(app, '3135050201');

    const tag = `载${Date.now().toString(36).slice(-5)}`;
    type Outcome = {
      loop: string; kind: 'read' | 'write'; url: string; startedAt: number; endedAt: number;
      status: number; retryAfter?: string; body: string; marker?: string; documentId?: string;
    };
    const outcomes: Outcome[] = [];
    const GRACE_MS = 2000;
    const timeline = { start: Date.now(), cutAt: Infinity, restoredAt: Infinity, severedAt: Infinity, lastSeveredAt: Infinity };
    let running = true;
    const pause = (status: number) => new Promise((resolve) => setTimeout(resolve, status === 503 ? 100 : 15));

    const childBody = (region: string, sequence: number, schoolClass: string, marker: string) => {
      const birth = new Date(Date.UTC(2021, 0, 1) + sequence * 86_400_000).toISOString().slice(0, 10);
      return {
        data: {
          name: marker, idType: '1', idNumber: residentId(region, birth.replace(/-/g, ''), '987'), birthPlace: region, nativePlace: '福建',
          ethnicity: '01', nationality: '156', overseasChinese: '00', health: '10', householdRegion: region, householdType: '2',
          address: '中山路 1 号', phone: '13800000000', enrolledOn: '2025-09-01', enrollmentMode: '1', onlyChild: true, schoolClass,
          guardians: [{ name: '家长', relation: '1', idType: '1', idNumber: residentId(region, '19900101', String(100 + (sequence % 800)).padStart(3, '0')), phone: '13800000001' }],
        },
      };
    };
    type Step = { kind: 'read' | 'write'; url: string; send: () => Promise<any>; marker?: string };
    const loop = async (name: string, next: (n: number) => Step) => {
      for (let n = 0; running; n += 1) {
        const step = next(n);
        const startedAt = Date.now();
        let response: any;
        try {
          response = await step.send();
        } catch (error: any) {
          response = { status: 0, headers: {}, body: { error: String(error?.message ?? error) } };
        }
        const endedAt = Date.now();
        outcomes.push({
          loop: name, kind: step.kind, url: step.url, startedAt, endedAt, status: response.status,
          retryAfter: response.headers?.['retry-after'], body: JSON.stringify(response.body ?? response.text ?? '').slice(0, 2000),
          marker: step.marker, documentId: response.status < 300 ? response.body?.data?.documentId : undefined,
        });
        await pause(response.status);
      }
    };
    const read = (session: Session, url: string): Step => ({ kind: 'read', url, send: () => session.get(url).timeout(20_000) });
    const write = (session: Session, url: string, body: any, marker: string): Step => ({ kind: 'write', url, marker, send: () => session.post(url, body).timeout(20_000) });

    const loops = [
      loop('kindergarten: children', (n) => write(kindergarten, '/api/children', childBody('350502', n, class1, `${tag}甲${n}`), `${tag}甲${n}`)),
      loop('kindergarten-2: children', (n) => write(kindergarten2, '/api/children', childBody('350203', n, class2, `${tag}乙${n}`), `${tag}乙${n}`)),
      loop('kindergarten: classes', (n) => (n % 2
        ? read(kindergartenClasses, '/api/school-classes?pagination[pageSize]=10')
        : write(kindergartenClasses, '/api/school-classes', { data: { name: `${tag}班${n}`, grade: 'small', schoolYear: '2026-2027', capacity: 20, kindergarten: licheng201 } }, `${tag}班${n}`))),
      loop('county: lists', (n) => read(county, n % 2 ? '/api/kindergartens' : '/ra/children?range=[0,9]')),
      loop('county-2: panel', (n) => read(county2, n % 2 ? '/ra/kindergartens?range=[0,9]' : '/api/me')),
      loop('prefecture: dashboard', () => read(prefecture, '/api/dashboard')),
      loop('province: children', (n) => read(province, n % 2 ? '/api/children?pagination[pageSize]=10' : '/api/statistics')),
    ];

    // Strapi runs a few queries nobody awaits (the entry event after a commit, the search path of a
    // new connection); a dropped connection rejects them unhandled, and Node ends a process on an
    // unhandled rejection. The app's handler (cms/src/middlewares/database-errors.ts) is registered on
    // jest's copy of `process`; for the load, the real process's rejections go to it alone, as in
    // production: a rejection it does not accept is rethrown and fails this test.
    const realProcess: NodeJS.Process = require('node:vm').runInThisContext('process');
    const jestListeners = realProcess.listeners('unhandledRejection');
    const unhandled: string[] = [];
    const forward = (reason: any, promise: Promise<unknown>) => {
      unhandled.push(String(reason?.message ?? reason).slice(0, 200));
      const appListeners = process.listeners('unhandledRejection');
      if (!appListeners.length) throw reason;
      for (const listener of appListeners) (listener as any)(reason, promise);
    };
    realProcess.removeAllListeners('unhandledRejection');
    realProcess.on('unhandledRejection', forward);

    try {
      // the load is served before the cut: at least 2.5 s and 21 answers (a loaded machine answers fewer per second)
      const answered = () => outcomes.filter((o) => o.status < 300).length;
      for (const started = Date.now(); Date.now() - started < 2500 || (answered() <= 20 && Date.now() - started < 60_000);) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      timeline.cutAt = Date.now();
      await proxy.down();
      sessionsModule.clearSessionCache();
      await new Promise((resolve) => setTimeout(resolve, 3000));
      await proxy.up();
      timeline.restoredAt = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 2500));
      // then connections dropped in the middle of their queries while the database stays reachable (a
      // quick restart, pg_terminate_backend): a probe made afterwards finds it up, the answer is still 503
      timeline.severedAt = Date.now();
      for (let i = 0; i < 4; i += 1) {
        timeline.lastSeveredAt = Date.now();
        proxy.sever();
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      // every loop has its chance to be served again: at least 3.5 s, and until each has an answer started after
      // the last cut (a loaded machine takes longer per request), at most 60 s
      const loopNames = [...new Set(outcomes.map((o) => o.loop))];
      const servedAgain = () => loopNames.every((name) => outcomes.some((o) => o.loop === name && o.startedAt > timeline.lastSeveredAt + GRACE_MS && o.status < 300));
      for (const started = Date.now(); Date.now() - started < 3500 || (!servedAgain() && Date.now() - started < 60_000);) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      running = false;
      await Promise.all(loops);
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      running = false;
      realProcess.removeListener('unhandledRejection', forward);
      for (const listener of jestListeners) realProcess.on('unhandledRejection', listener);
    }

    // --- the answers
    if (process.env.OUTAGE_SUMMARY) {
      const count = (f: (o: Outcome) => boolean) => outcomes.filter(f).length;
      console.info(JSON.stringify({ total: outcomes.length, writes: count((o) => o.kind === 'write'), acked: count((o) => o.kind === 'write' && o.status === 201),
        status503: count((o) => o.status === 503), severed503: count((o) => o.status === 503 && o.startedAt > timeline.restoredAt), cutMs: timeline.restoredAt - timeline.cutAt, unhandled }));
    }
    const at = (t: number) => t - timeline.start;
    const describeOutcome = (o: Outcome) => `${o.loop} ${o.url} ${o.status} at ${at(o.startedAt)}–${at(o.endedAt)} ms (cut ${at(timeline.cutAt)}, restored ${at(timeline.restoredAt)}, severed ${at(timeline.severedAt)}–${at(timeline.lastSeveredAt)}): ${o.body.slice(0, 300)}`;
    const duringOutage = (o: Outcome) => (o.endedAt >= timeline.cutAt && o.startedAt <= timeline.restoredAt + GRACE_MS)
      || (o.endedAt >= timeline.severedAt && o.startedAt <= timeline.lastSeveredAt + GRACE_MS);
    const wrong = outcomes.filter((o) => {
      if (o.status === 503) return !o.retryAfter || !duringOutage(o);
      return o.status !== (o.kind === 'write' ? 201 : 200);
    });
    expect(wrong.map(describeOutcome)).toEqual([]);
    expect(outcomes.filter((o) => o.status === 401)).toEqual([]);
    expect(outcomes.filter((o) => /\bat .*\.js:\d+|ECONNREFUSED|ECONNRESET|Connection terminated|knex|"stack"/i.test(o.body)).map(describeOutcome)).toEqual([]);
    // the load spans the cut: answers before it, 503s during it, and every loop served again after it
    expect(outcomes.filter((o) => o.endedAt < timeline.cutAt && o.status < 300).length).toBeGreaterThan(20);
    expect(outcomes.filter((o) => o.status === 503).length).toBeGreaterThan(7);
    for (const name of new Set(outcomes.map((o) => o.loop))) {
      expect([name, outcomes.some((o) => o.loop === name && o.startedAt > timeline.lastSeveredAt + GRACE_MS && o.status < 300)]).toEqual([name, true]);
    }

    // --- the data, read directly from the database
    const acknowledged = outcomes.filter((o) => o.kind === 'write' && o.status === 201);
    const ackChildren = acknowledged.filter((o) => o.url === '/api/children');
    const ackClasses = acknowledged.filter((o) => o.url === '/api/school-classes');
    expect(ackChildren.filter((o) => o.startedAt > timeline.restoredAt).length).toBeGreaterThan(0);
    expect(ackChildren.every((o) => typeof o.documentId === 'string')).toBe(true);

    const children = await app.strapi.db.query('api::child.child').findMany({ where: { name: { $startsWith: tag } }, populate: ['guardians', 'schoolClass'] });
    const classes = await app.strapi.db.query('api::school-class.school-class').findMany({ where: { name: { $startsWith: tag } }, populate: ['kindergarten'] });
    const childByName = new Map(children.map((c: any) => [c.name, c]));
    const classByName = new Map(classes.map((c: any) => [c.name, c]));
    // one row per write at most: nothing applied twice
    expect(childByName.size).toBe(children.length);
    expect(classByName.size).toBe(classes.length);
    // every acknowledged write is there, under the documentId the client was given
    expect(ackChildren.filter((o) => (childByName.get(o.marker!) as any)?.documentId !== o.documentId).map(describeOutcome)).toEqual([]);
    expect(ackClasses.filter((o) => (classByName.get(o.marker!) as any)?.documentId !== o.documentId).map((o) => `class lost: ${describeOutcome(o)}`)).toEqual([]);
    // nothing half-written, acknowledged or not: a child has its guardian, class, place and number key; a class its kindergarten and county
    const halfChildren = children.filter((c: any) => c.guardians?.length !== 1 || !c.guardians[0].idKey || !c.schoolClass || !c.countyCode || !c.institutionCode || !c.idKey);
    expect(halfChildren.map((c: any) => c.name)).toEqual([]);
    const halfClasses = classes.filter((c: any) => c.kindergarten?.code !== '3135050201' || c.countyCode !== '350502');
    expect(halfClasses.map((c: any) => c.name)).toEqual([]);
    // a write the client saw fail may or may not be there; one it never sent is not
    const markers = new Set(outcomes.filter((o) => o.kind === 'write').map((o) => o.marker));
    expect([...childByName.keys(), ...classByName.keys()].filter((name) => !markers.has(name as string))).toEqual([]);
    // every acknowledged create is in the audit trail
    const schema = app.strapi.config.get('database.connection.connection.schema') as string;
    const trail = await app.strapi.db.connection(`${schema}.audit_entries`).where({ action: 'record.create' })
      .whereIn('target_id', acknowledged.map((o) => o.documentId!)).select('target_id');
    const audited = new Set(trail.map((row: any) => row.target_id));
    expect(acknowledged.filter((o) => !audited.has(o.documentId)).map((o) => `not audited: ${describeOutcome(o)}`)).toEqual([]);
  }, 90_000);
});
