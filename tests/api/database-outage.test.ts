/**
 * Whenever the database is down, every API route answers 503 with Retry-After: never 401 (which
 * would log everyone out of the panel), never a stack trace. Needs PostgreSQL (DATABASE_URL): the
 * app talks to it through a TCP proxy in this test, which the test cuts and restores.
 */
import net from 'node:net';
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { anonymous, login, type Session } from '../helpers/api';

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
});
