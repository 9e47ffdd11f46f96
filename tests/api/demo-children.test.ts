/**
 * The quick start's demo children (config/demo.json `children`, SEED_DEMO_CHILDREN=true as `npm start`
 * sets it): entered like a kindergarten enters them, reviewed, each in its class and kindergarten,
 * seen by exactly the levels that reach them; the demo aid grant and the start-up snapshot have them.
 */
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { login } from '../helpers/api';
import { seedDemoChildren } from '../../cms/dist/src/bootstrap/demo-children';

const demo = require('../../config/demo.json');
let app: BootedApp;

beforeAll(async () => {
  process.env.SEED_DEMO_CHILDREN = 'true';
  try {
    app = await bootStrapi();
  } finally {
    delete process.env.SEED_DEMO_CHILDREN;
  }
  // the demo children go through the document service one by one: a slow start on a busy machine
}, 300_000);
afterAll(async () => { await app?.stop(); });

const total = async (username: string) =>
  (await (await login(app, username)).get('/api/children?pagination[pageSize]=1').expect(200)).body.meta.pagination.total;

test('every demo child is there, reviewed ones with a 学籍号, each in its class with its 入园分班 event', async () => {
  const rows = await app.strapi.db.query('api::child.child').findMany({ populate: ['schoolClass', 'guardians'] });
  expect(rows).toHaveLength(demo.children.length);
  const registered = demo.children.filter((child: any) => child.register).length;
  expect(registered).toBeGreaterThan(0);
  expect(rows.filter((row: any) => /^G\d{17}[\dX]$/.test(row.studentNumber ?? ''))).toHaveLength(registered);
  expect(rows.filter((row: any) => !row.studentNumber)).toHaveLength(demo.children.length - registered);
  for (const child of demo.children) {
    const row = rows.find((r: any) => r.name === child.name)!;
    expect(row).toMatchObject({ sex: child.sex, birthDate: child.birthDate, institutionCode: child.kindergarten, countyCode: child.region });
    expect(row.schoolClass.name).toBe(child.class);
    expect(row.guardians).toHaveLength(2);
  }
  const events = await app.strapi.db.query('api::child-event.child-event').findMany({ where: { type: 'enrollment' }, select: ['childDocumentId'] });
  expect(new Set(events.map((event: any) => event.childDocumentId))).toEqual(new Set(rows.map((row: any) => row.documentId)));
});

test('each level sees the demo children of its reach, and no others', async () => {
  const count = (kindergarten: string) => demo.children.filter((child: any) => child.kindergarten === kindergarten).length;
  expect(await total('demo-kindergarten')).toBe(count('3135050201'));
  expect(await total('demo-kindergarten-2')).toBe(count('3135020301'));
  expect(await total('demo-county')).toBe(count('3135050201'));
  expect(await total('demo-county-2')).toBe(count('3135020301'));
  expect(await total('demo-province')).toBe(demo.children.length);
});

test('the demo aid grant has its child; the start-up snapshot counts the children; seeding again adds none', async () => {
  expect(await app.strapi.db.query('api::aid-grant.aid-grant').count()).toBeGreaterThan(0);
  const snapshots = await app.strapi.db.query('plugin::archive-snapshot.snapshot').findMany({ where: { trigger: 'catch-up' } });
  expect(snapshots).toHaveLength(1);
  expect(snapshots[0].summary.nation.figures.children).toBe(demo.children.length);
  expect(await seedDemoChildren(app.strapi)).toBe(0);
});

test('the list sorts names in pinyin order (李, 林, 刘, 王, 吴), both ways, through the panel too', async () => {
  const { pinyin } = require('pinyin-pro');
  const spelled = (name: string) => pinyin(name, { toneType: 'none', type: 'array' }).join('').toLowerCase();
  const province = await login(app, 'demo-province');
  const names = async (sort: string) => (await province.get(`/api/children?sort=${sort}&pagination[pageSize]=100`).expect(200)).body.data.map((c: any) => c.name as string);
  const ascending = await names('name:asc');
  expect(ascending).toHaveLength(demo.children.length);
  for (let i = 1; i < ascending.length; i += 1) expect(spelled(ascending[i - 1]) <= spelled(ascending[i])).toBe(true);
  expect(ascending).not.toEqual([...ascending].sort()); // code-point order would differ on these names
  expect(await names('name:desc')).toEqual([...ascending].reverse());
  const ra = await province.get(`/ra/children?sort=${encodeURIComponent('["name","ASC"]')}&range=${encodeURIComponent('[0,99]')}`).expect(200);
  expect(ra.body.map((c: any) => c.name)).toEqual(ascending);
  // the private key itself stays private: sorting on it is refused
  await province.get('/api/children?sort=pinyinKey:asc').expect(400);
});

test('家长确认 on the demo data: invitations per config/demo.json, the confirmation rate per class and per kindergarten', async () => {
  const plan: { kindergarten: string; class: string; confirmed: number; opened: number }[] = demo.guardianInvitations;
  const kindergarten = (await (await login(app, 'demo-kindergarten')).get('/api/guardian-invitations/progress').expect(200)).body.data;
  expect(kindergarten.groupBy).toBe('class');
  for (const entry of plan.filter((p) => p.kindergarten === '3135050201')) {
    const row = kindergarten.rows.find((r: any) => r.name === entry.class);
    expect(row).toMatchObject({ children: 8, invited: 8, confirmed: entry.confirmed, opened: entry.confirmed + entry.opened });
  }
  const province = (await (await login(app, 'demo-province')).get('/api/guardian-invitations/progress').expect(200)).body.data;
  expect(province.groupBy).toBe('kindergarten');
  const confirmed = plan.reduce((sum, p) => sum + p.confirmed, 0);
  // the figure docs/guardians.md quotes: 16 of 30 children confirmed online, 53.3 %
  expect(province.total).toMatchObject({ children: demo.children.length, invited: demo.children.length, confirmed, rate: Math.round((confirmed / demo.children.length) * 1000) / 10 });
  expect(province.rows.map((r: any) => [r.key, r.rate])).toEqual([['3135050201', 58.3], ['3135020301', 33.3]]);
});
