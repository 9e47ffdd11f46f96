import request from 'supertest';
import { bootStrapi, DEMO_PASSWORD, type BootedApp } from '../helpers/boot';

let app: BootedApp;
beforeAll(async () => { app = await bootStrapi(); });
afterAll(async () => { await app?.stop(); });

test('smoke', async () => {
  const server = app.strapi.server.httpServer;
  const health = await request(server).get('/api/health');
  console.log(health.status, health.body);
  const login = await request(server).post('/api/auth/local').send({ identifier: 'demo-county', password: DEMO_PASSWORD });
  console.log(login.status, JSON.stringify(login.body).slice(0, 300));
  const list = await request(server).get('/api/kindergartens').set('Authorization', `Bearer ${login.body.jwt}`);
  console.log(list.status, JSON.stringify(list.body).slice(0, 600));
  const ra = await request(server).get('/ra/kindergartens?sort=["name","ASC"]&range=[0,9]&filter={}').set('Authorization', `Bearer ${login.body.jwt}`);
  console.log(ra.status, ra.headers['content-range'], JSON.stringify(ra.body).slice(0, 300));
});
