/**
 * Role permissions are cached per role (cms/src/bootstrap/permission-cache.ts): a change to a role's
 * permissions must still count from the next request on.
 */
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { login } from '../helpers/api';

let app: BootedApp;
beforeAll(async () => { app = await bootStrapi(); });
afterAll(async () => { await app?.stop(); });

test('a permission taken from a role and given back counts at the next request', async () => {
  const county = await login(app, 'demo-county');
  await county.get('/api/children').expect(200);
  await county.get('/api/children').expect(200); // served from the cache now
  const role = await app.strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: 'county' } });
  const permission = await app.strapi.db.query('plugin::users-permissions.permission').findOne({ where: { action: 'api::child.child.find', role: role.id } });
  await app.strapi.db.query('plugin::users-permissions.permission').delete({ where: { id: permission.id } });
  await county.get('/api/children').expect(403);
  await county.get('/api/kindergartens').expect(200);
  await app.strapi.db.query('plugin::users-permissions.permission').create({ data: { action: 'api::child.child.find', role: role.id } });
  await county.get('/api/children').expect(200);
});
