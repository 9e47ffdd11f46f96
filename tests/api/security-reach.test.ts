/**
 * Every resource, for every level: a record outside the caller's reach answers 404 to read, change
 * and delete — exactly like one that does not exist — (or 403 when the role may not call the action
 * at all), and never leaks its data. The resources are found generically: every content type that
 * declares an `access-scope` county field, with one record on each side of the reach.
 */
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { login, DEMO, type Session } from '../helpers/api';
import { residentId } from '../helpers/ids';

let app: BootedApp;
beforeAll(async () => { app = await bootStrapi(); }, 180_000);
afterAll(async () => { await app?.stop(); });

/** Accounts and the county prefix each one cannot reach. */
const OUTSIDE: Record<string, string> = {
  'demo-county': '3502', 'demo-kindergarten': '3502', 'demo-prefecture': '3502',
  'demo-county-2': '3505', 'demo-kindergarten-2': '3505',
};

async function seed(session: Session, county: string) {
  const classes = await session.get('/api/school-classes?filters[name][$eq]=小一班').expect(200);
  const schoolClass = classes.body.data[0].documentId;
  await session.post('/api/children', { data: {
    name: '边界测试', idType: '1', idNumber: residentId(county, '20220601', '045'), birthPlace: county, nativePlace: '福建', ethnicity: '01', nationality: '156',
    overseasChinese: '00', health: '10', householdRegion: county, householdType: '2', address: '测试路 1 号', phone: '13800000000', enrolledOn: '2025-09-01',
    enrollmentMode: '1', onlyChild: true, schoolClass, guardians: [{ name: '边界家长', relation: '1', idType: '1', idNumber: residentId(county, '19900202', '031'), phone: '13800000001' }],
  } }).expect(201);
}

test('every scoped resource: outside the reach, read, update and delete answer 404 (or 403 by role), never the data', async () => {
  await seed(await login(app, 'demo-kindergarten'), '350502');
  await seed(await login(app, 'demo-kindergarten-2'), '350203');
  const types = Object.entries<any>(app.strapi.contentTypes).filter(([, type]) => type.pluginOptions?.['access-scope']?.countyField);
  const covered: string[] = [];
  const failures: string[] = [];
  for (const [username, prefix] of Object.entries(OUTSIDE)) {
    const session = await login(app, username);
    for (const [uid, type] of types) {
      const countyField = type.pluginOptions['access-scope'].countyField;
      const row = await app.strapi.db.query(uid as any).findOne({ where: { [countyField]: { $startsWith: prefix } } });
      if (!row) continue;
      covered.push(`${username}:${type.info.pluralName}`);
      const url = `/api/${type.info.pluralName}/${row.documentId}`;
      for (const [method, response] of [
        ['GET', await session.get(url)],
        ['PUT', await session.put(url, { data: {} })],
        ['DELETE', await session.del(url)],
      ] as const) {
        const leaked = JSON.stringify(response.body ?? {}).includes(row.documentId);
        if (![403, 404, 405].includes(response.status) || leaked) failures.push(`${username} ${method} ${url}: ${response.status}${leaked ? ' (leaked)' : ''}`);
      }
      const still = await app.strapi.db.query(uid as any).findOne({ where: { id: row.id } });
      if (!still) failures.push(`${username} deleted ${url}`);
    }
  }
  if (process.env.SHOW_COVERAGE) console.log(`${covered.length} account × resource pairs: ${[...new Set(covered.map((c) => c.split(":")[1]))].join(", ")}`);
  expect(failures).toEqual([]);
  // at least kindergartens, classes and children on both sides, for all five accounts
  for (const plural of ['kindergartens', 'school-classes', 'children']) {
    expect(covered.filter((entry) => entry.endsWith(`:${plural}`))).toHaveLength(Object.keys(OUTSIDE).length);
  }
}, 180_000);
