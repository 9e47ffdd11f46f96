/**
 * The first administrator of Strapi's own admin from ADMIN_BOOTSTRAP_EMAIL / ADMIN_BOOTSTRAP_PASSWORD,
 * read once at start (cms/src/security/strapi-admin.ts bootstrapFirstAdmin); registration from the
 * network stays closed. (Its own file: the instance boots with these variables set.)
 */
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { anonymous } from '../helpers/api';

const ADMIN_EMAIL = 'sysadmin@jyt.example.cn';
const ADMIN_PASSWORD = 'Adm1n#Passw0rd-2026';
let app: BootedApp;

beforeAll(async () => {
  process.env.ADMIN_BOOTSTRAP_EMAIL = ADMIN_EMAIL;
  process.env.ADMIN_BOOTSTRAP_PASSWORD = ADMIN_PASSWORD;
  try {
    app = await bootStrapi({ seedDemo: false });
  } finally {
    delete process.env.ADMIN_BOOTSTRAP_EMAIL;
    delete process.env.ADMIN_BOOTSTRAP_PASSWORD;
  }
});
afterAll(async () => { await app?.stop(); });

test('ADMIN_BOOTSTRAP_EMAIL/PASSWORD create the first administrator (a super admin) at start; registration from the network stays closed', async () => {
  expect((await anonymous(app).get('/admin/init').expect(200)).body.data.hasAdmin).toBe(true);
  const admins = await app.strapi.db.query('admin::user').findMany({ populate: ['roles'] });
  expect(admins.map((admin: any) => [admin.email, admin.roles.map((role: any) => role.code)])).toEqual([[ADMIN_EMAIL, ['strapi-super-admin']]]);
  const logged = await anonymous(app).post('/admin/login').send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }).expect(200);
  expect(logged.body.data.token).toEqual(expect.any(String));
  await anonymous(app).post('/admin/register-admin').send({ email: 'attacker@evil.example', password: 'Attack3r#Passw0rd', firstname: 'x' }).expect(403);
  expect(await app.strapi.db.query('admin::user').count()).toBe(1);
});
