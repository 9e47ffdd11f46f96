/**
 * Guardians confirm online (docs/guardians.md): the kindergarten invites (per child, per class) →
 * a guardian redeems the code with the last 4 digits of a guardian's phone → reads the 确认表 (ID
 * numbers masked) → proposes corrections (key information with a proof photo, plain fields, the own
 * contact) → the kindergarten approves on the one approval mechanism and the record changes, the
 * history naming the guardian's proposal → the guardian confirms electronically (audited).
 * Wrong facts lock the invitation (a wrong code or fact: 400, the same message); a guardian reaches only the redeemed child (404 for any other id);
 * a guardian token calls no staff route (every route of the router: 401/403/404).
 */
import request from 'supertest';
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { anonymous, login, type Session } from '../helpers/api';
import { residentId } from '../helpers/ids';
import { resetRateLimits } from '../helpers/rate-limit';

const CHILD = 'api::child.child';
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

let app: BootedApp;
let kindergarten: Session;
let classId: string;
let serial = 0;

async function child(phone: string) {
  serial += 1;
  const birth = `202204${String(serial).padStart(2, '0')}`;
  const idNumber = residentId('350502', birth, String(400 + serial * 2 + 1));
  const created = await kindergarten.post('/api/children', {
    data: {
      name: `家确${'甲乙丙丁戊'[serial % 5]}${serial}`, idType: '1', idNumber, birthPlace: '350502', nativePlace: '福建泉州', ethnicity: '01', nationality: '156', overseasChinese: '00', health: '10',
      householdRegion: '350502', householdType: '2', address: '鲤城区中山路 8 号', phone: '13800000000', enrolledOn: '2025-09-01', enrollmentMode: '1', onlyChild: true, schoolClass: classId,
      guardians: [
        { name: '林母', relation: '2', idType: '1', idNumber: residentId('350502', '19900303', '124'), phone: phone, employer: '泉州一中' },
        { name: '林父', relation: '1', idType: '1', idNumber: residentId('350502', '19880303', '135'), phone: '13900009999' },
      ],
    },
  }).expect(201);
  const id = created.body.data.documentId as string;
  await kindergarten.post(`/api/children/${id}/register`, { data: { acknowledgeCandidates: true } }).expect(200);
  return { id, idNumber };
}

const guardian = (token?: string) => {
  const server = app.strapi.server.httpServer;
  const auth = (test: request.Test) => (token ? test.set('Authorization', `Bearer ${token}`) : test);
  return {
    get: (url: string) => auth(request(server).get(url)),
    post: (url: string, body: object = {}) => auth(request(server).post(url).send(body)),
    attach: (url: string) => auth(request(server).post(url)).attach('files', PNG, { filename: 'hukou.png', contentType: 'image/png' }),
  };
};
const redeem = (code: string, fact: string, token?: string) => guardian(token).post('/api/guardian/redeem', { code, fact });
const auditOf = (action: string) => app.strapi.db.connection('audit_entries').where({ action }).select('*');

beforeAll(async () => {
  app = await bootStrapi();
  kindergarten = await login(app, 'demo-kindergarten');
  classId = (await kindergarten.get('/api/school-classes?filters[name][$eq]=小一班').expect(200)).body.data[0].documentId;
});
afterAll(async () => { await app?.stop(); });

let first: { id: string; idNumber: string };
let token: string;
let code: string;

test('invite → redeem → read the 确认表 masked; the printed form carries the code and QR code', async () => {
  first = await child('13712345678');
  const issued = (await kindergarten.post('/api/guardian-invitations', { data: { childId: first.id } }).expect(201)).body.data;
  expect(issued).toHaveLength(1);
  code = issued[0].code;
  expect(code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
  expect(issued[0].qr).toMatch(/^data:image\/svg\+xml;base64,/);
  const printed = await kindergarten.get(`/api/children/${first.id}/confirmation`).expect(200);
  expect(printed.text).toContain(code);
  expect(printed.text).toContain('<svg');
  // only a kindergarten issues; a county reads progress, not codes
  const county = await login(app, 'demo-county');
  await county.post('/api/guardian-invitations', { data: { childId: first.id } }).expect(403);

  // a guardian types the code in lower case without the dash; the fact is the mother's phone's last 4
  const redeemed = await redeem(code.toLowerCase().replace('-', ''), '5678').expect(200);
  token = redeemed.body.token;
  expect(redeemed.body.children.map((c: any) => c.id)).toEqual([first.id]);
  const form = (await guardian(token).get(`/api/guardian/children/${first.id}`).expect(200)).body.data;
  const idRow = form.fields.find((f: any) => f.field === 'idNumber');
  expect(idRow.value).not.toContain(first.idNumber);
  expect(idRow.value).toMatch(/\*/);
  expect(idRow.route).toBe('key');
  expect(form.fields.find((f: any) => f.field === 'address')).toMatchObject({ value: '鲤城区中山路 8 号', route: 'plain' });
  expect(form.guardians.find((g: any) => g.mine).name).toBe('林母');
  expect(JSON.stringify(form)).not.toContain(first.idNumber.slice(6, 14));
  const progress = (await kindergarten.get('/api/guardian-invitations/progress').expect(200)).body.data;
  expect(progress.groupBy).toBe('class');
  expect(progress.rows.find((r: any) => r.key === classId)).toMatchObject({ invited: 1, opened: 1, confirmed: 0 });
});

test('corrections with proof → the kindergarten approves → the record changes; history shows the guardian; then the guardian confirms', async () => {
  const g = guardian(token);
  // nothing the guardian types changes the record by itself
  const refused = await g.post(`/api/guardian/children/${first.id}/corrections`, { changes: { studentNumber: 'G1' } }).expect(400);
  expect(refused.body.error.message).toContain('不能由家长更正');
  const bad = await g.post(`/api/guardian/children/${first.id}/corrections`, { changes: { ethnicity: '99x' } }).expect(400);
  expect(bad.body.error.details.errors[0].path).toEqual(['ethnicity']);
  const filed = (await g.post(`/api/guardian/children/${first.id}/corrections`, {
    changes: { name: '林更正', address: '鲤城区新华路 1 号', guardianPhone: '13712340000' }, reason: '名字写错了',
  }).expect(201)).body.data;
  expect(filed.map((r: any) => r.type).sort()).toEqual(['child-key-change', 'guardian-correction']);
  expect((await app.strapi.db.query(CHILD).findOne({ where: { documentId: first.id } })).name).not.toBe('林更正');
  const keyChange = filed.find((r: any) => r.type === 'child-key-change');
  const plain = filed.find((r: any) => r.type === 'guardian-correction');
  // the proof photo, through the safe upload path: a page declared as PNG is refused
  await request(app.strapi.server.httpServer).post(`/api/guardian/children/${first.id}/corrections/${keyChange.id}/proof`).set('Authorization', `Bearer ${token}`)
    .attach('files', Buffer.from('<html><script>x</script></html>'), { filename: 'x.png', contentType: 'image/png' }).expect(400);
  await g.attach(`/api/guardian/children/${first.id}/corrections/${keyChange.id}/proof`).expect(200);

  // the kindergarten decides on the one approval mechanism
  const shown = (await kindergarten.get(`/api/requests/${keyChange.id}`).expect(200)).body.data;
  expect(shown.submittedByName).toBe('家长 林母');
  expect(shown.evidence).toHaveLength(1);
  expect(shown.actions).toContain('approve');
  await kindergarten.post(`/api/requests/${keyChange.id}/approve`, { data: {} }).expect(200);
  await kindergarten.post(`/api/requests/${plain.id}/approve`, { data: {} }).expect(200);
  const after = await app.strapi.db.query(CHILD).findOne({ where: { documentId: first.id }, populate: { guardians: true } });
  expect(after).toMatchObject({ name: '林更正', address: '鲤城区新华路 1 号' });
  expect(after.guardians.map((x: any) => [x.name, x.phone, x.employer])).toEqual([['林母', '13712340000', '泉州一中'], ['林父', '13900009999', null]]);
  expect(after.guardians[0].idNumber).toBe(residentId('350502', '19900303', '124'));
  const history = (await kindergarten.get(`/api/children/${first.id}/history`).expect(200)).body.data;
  const event = history.find((e: any) => e.type === 'key-change');
  expect(event.requestId).toBe(keyChange.id);
  expect(event.reason).toContain('家长林母');

  // electronic confirmation: the typed name must be the guardian's; kept with time, device, IP; audited
  await g.post(`/api/guardian/children/${first.id}/confirm`, { typedName: '别人' }).expect(400);
  const confirmed = (await g.post(`/api/guardian/children/${first.id}/confirm`, { typedName: '林母', review: { name: 'corrected', address: 'corrected' } }).set('User-Agent', 'TestPhone/1.0').expect(200)).body.data;
  expect(confirmed.confirmation).toMatchObject({ typedName: '林母', device: 'TestPhone/1.0' });
  expect(confirmed.confirmation.ip).toBeTruthy();
  await g.post(`/api/guardian/children/${first.id}/confirm`, { typedName: '林母' }).expect(409);
  const audited = await auditOf('guardian.confirm');
  expect(audited).toHaveLength(1);
  expect(audited[0]).toMatchObject({ actor_level: 'guardian', target_id: first.id });
  for (const action of ['guardian.redeem', 'guardian.read', 'guardian.correction', 'guardian.proof']) expect((await auditOf(action)).length).toBeGreaterThan(0);
  const listed = (await kindergarten.get(`/api/guardian-invitations?filters[childId]=${first.id}`).expect(200)).body.data[0];
  expect(listed).toMatchObject({ state: 'confirmed', code: null, confirmation: { typedName: '林母' } });
  const progress = (await (await login(app, 'demo-county')).get('/api/guardian-invitations/progress').expect(200)).body.data;
  expect(progress.groupBy).toBe('kindergarten');
  expect(progress.rows.find((r: any) => r.key === '3135050201')).toMatchObject({ confirmed: 1 });
});

test('wrong facts lock the invitation; revoked and unknown codes fail; the class is invited at once; reminders list who has not confirmed', async () => {
  const [one, two] = [await child('13700001111'), await child('13700001111')];
  const issued = (await kindergarten.post('/api/guardian-invitations', { data: { classId } }).expect(201)).body.data;
  // the confirmed child keeps its confirmation: only the two new children are invited
  expect(issued.map((i: any) => i.childId).sort()).toEqual([one.id, two.id].sort());
  const [target, other] = issued;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const wrong = await redeem(target.code, '0000').expect(400);
    expect(wrong.body.error.message).toBe('邀请码或核对信息不正确');
  }
  const locked = await redeem(target.code, '1111').expect(429);
  expect(locked.body.error.details.code).toBe('GUARDIAN_LOCKED');
  expect(locked.headers['retry-after']).toBeTruthy();
  expect((await redeem('ABCD-EFGH', '1111').expect(400)).body.error.message).toBe('邀请码或核对信息不正确');
  // a revoked invitation is no way in, even with the right fact
  await kindergarten.post(`/api/guardian-invitations/${other.id}/revoke`).expect(200);
  expect((await redeem(other.code, '1111').expect(403)).body.error.message).toContain('已过期或已撤销');
  const reminders = await kindergarten.get(`/api/guardian-invitations/reminders?classId=${classId}`).expect(200);
  expect(reminders.text).toContain('家长确认提醒名单');
  expect(reminders.text).not.toContain('林更正');
});

test('a guardian reaches only the redeemed child: 404 for another child on every guardian route; no staff route answers a guardian token', async () => {
  const outsider = await child('13755556666');
  for (const [method, url] of [
    ['get', `/api/guardian/children/${outsider.id}`],
    ['post', `/api/guardian/children/${outsider.id}/corrections`],
    ['post', `/api/guardian/children/${outsider.id}/confirm`],
    ['post', `/api/guardian/children/${outsider.id}/corrections/x/proof`],
  ] as const) {
    const answer = await (method === 'get' ? guardian(token).get(url) : guardian(token).post(url, { changes: { address: 'x' }, typedName: '林母' }));
    expect([url, answer.status]).toEqual([url, 404]);
  }
  await guardian().get(`/api/guardian/children/${first.id}`).expect(401);
  await guardian(kindergarten.jwt).get(`/api/guardian/children/${first.id}`).expect(401);

  // every route of the router, called with the guardian's token
  const routes = app.strapi.server.listRoutes().filter((route: any) => Array.isArray(route.methods) && typeof route.path === 'string' && route.path.length > 1 && !route.path.startsWith('/api/guardian/'));
  expect(routes.length).toBeGreaterThan(100);
  const failures: string[] = [];
  for (const route of routes as any[]) {
    const method = (route.methods.find((m: string) => m !== 'HEAD') ?? 'GET').toLowerCase();
    if (!['get', 'post', 'put', 'delete', 'patch'].includes(method)) continue;
    const url = String(route.path).replace(/:(\w+)\??/g, outsider.id).replace(/\(.*?\)/g, '');
    // catch-alls (the panel's and Strapi's static files) are no routes of data
    if (url.length <= 1 || url.includes('*')) continue;
    const server = app.strapi.server.httpServer;
    // the auth routes among them are rate-limited per client: each route is asked with a fresh count
    await resetRateLimits(app.strapi);
    const asGuardian = await (request(server) as any)[method](url).set('Authorization', `Bearer ${token}`).send({});
    if ([401, 403, 404].includes(asGuardian.status)) continue;
    // a public route (login, health, the path rules) answers a guardian as it answers anyone
    const asAnyone = await (anonymous(app) as any)[method](url).send({});
    if (asGuardian.status === asAnyone.status && asGuardian.status < 500) continue;
    failures.push(`${method.toUpperCase()} ${url}: ${asGuardian.status}`);
  }
  expect(failures).toEqual([]);
});
