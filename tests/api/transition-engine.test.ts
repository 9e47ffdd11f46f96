/**
 * The one transition engine (docs/transition-engine.md): every transition declared in
 * config/transitions.json, each with an actor its rule admits and one it refuses — the refused one
 * gets 403 from transition() before anything is written, the admitted one passes the actor rule and
 * the permission and is stopped only by the state (409) — and the record's `actions` say the same.
 * Then races: of two callers taking the same transition at once, exactly one wins.
 */
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { kindergartenId, login, type Session } from '../helpers/api';
import { actionsFor, machines, transition, ACTOR_RULES } from '../../cms/src/domain/workflows';

let app: BootedApp;
const users: Record<string, any> = {};

const K1 = '3135050201'; // 鲤城区实验幼儿园 (demo-kindergarten), county 350502 (demo-county), prefecture 350500
const K2 = '3135020301'; // 思明区第一幼儿园 (demo-kindergarten-2), county 350203

beforeAll(async () => {
  app = await bootStrapi();
  for (const username of ['demo-province', 'demo-prefecture', 'demo-county', 'demo-county-2', 'demo-kindergarten', 'demo-kindergarten-2']) {
    users[username] = await app.strapi.db.query('plugin::users-permissions.user').findOne({ where: { username }, populate: { role: true } });
  }
});
afterAll(async () => { await app?.stop(); });

/**
 * Per actor rule: a record of the machine (its state aside) with an actor the rule admits and one it
 * refuses. A rule added to the engine without a row here fails the first test.
 */
const FIXTURES: Record<string, { record: Record<string, unknown>; allowed: string; refused: string }> = {
  'workflow-reviewer': { record: { type: 'kindergarten-key-change' }, allowed: 'demo-county', refused: 'demo-kindergarten' },
  'workflow-submitter': { record: { type: 'kindergarten-key-change' }, allowed: 'demo-kindergarten', refused: 'demo-county' },
  'sending-kindergarten': { record: { fromInstitutionCode: K1, toInstitutionCode: K2 }, allowed: 'demo-kindergarten', refused: 'demo-kindergarten-2' },
  'receiving-kindergarten': { record: { fromInstitutionCode: K1, toInstitutionCode: K2 }, allowed: 'demo-kindergarten-2', refused: 'demo-kindergarten' },
  'subject-kindergarten': { record: { institutionCode: K1, countyCode: '350502' }, allowed: 'demo-kindergarten', refused: 'demo-kindergarten-2' },
  'subject-county': { record: { institutionCode: K1, countyCode: '350502' }, allowed: 'demo-county', refused: 'demo-county-2' },
  owner: { record: { regionCode: '350502', ownerLevel: 'county' }, allowed: 'demo-county', refused: 'demo-county-2' },
  'level-above-owner': { record: { regionCode: '350502', ownerLevel: 'county' }, allowed: 'demo-prefecture', refused: 'demo-province' },
  'child-writer': { record: { institutionCode: K1, countyCode: '350502' }, allowed: 'demo-kindergarten', refused: 'demo-county' },
};

const table = Object.values(machines()).flatMap((m) => Object.entries(m.transitions).map(([action, t]) => ({ machine: m.key, action, t, state: m.state, states: m.states })));

test('every actor rule has a row; every declared transition is in the table', () => {
  expect(Object.keys(FIXTURES).sort()).toEqual(Object.keys(ACTOR_RULES).sort());
  expect(table.length).toBeGreaterThanOrEqual(25);
  expect(new Set(table.map((row) => row.machine))).toEqual(new Set(['request', 'transfer', 'project', 'project-progress', 'child', 'problem-record', 'safety-finding', 'incident', 'collection-task', 'task-submission']));
});

const statusOf = async (promise: Promise<unknown>) => promise.then(() => 200, (error: any) => error?.status ?? error?.statusCode ?? 500);

describe.each(table)('$machine.$action', ({ machine, action, t, state, states }) => {
  const fixture = () => FIXTURES[t.actor];
  const record = (stateValue: string) => ({ id: -1, version: 1, history: [], ...fixture().record, [state]: stateValue });
  const outside = states.find((s) => !t.from.includes(s))!;

  test(`admitted: ${t.actor}`, async () => {
    const actor = users[fixture().allowed];
    // the record's actions (what the panel shows) name it in a `from` state, not outside
    expect((await actionsFor(app.strapi, machine, actor, [record(t.from[0])]))[0]).toContain(action);
    if (outside) expect((await actionsFor(app.strapi, machine, actor, [record(outside)]))[0]).not.toContain(action);
    // the actor rule and the permission let it through; the state stops it (409), nothing written
    if (outside) expect(await statusOf(transition(app.strapi, { machine, action, actor, record: record(outside), input: { comment: '意见' } }))).toBe(409);
  });

  test(`refused: not ${t.actor}`, async () => {
    const actor = users[fixture().refused];
    expect((await actionsFor(app.strapi, machine, actor, [record(t.from[0])]))[0]).not.toContain(action);
    const error: any = await transition(app.strapi, { machine, action, actor, record: record(t.from[0]), input: { comment: '意见' } }).catch((e) => e);
    expect(error?.name).toBe('ForbiddenError');
    expect(error.message).toBe(t.refusal.replace('{reviewer}', '县级'));
  });
});

describe('races: of two callers at once, exactly one wins', () => {
  let county: Session;
  let prefecture: Session;
  let kindergarten: Session;
  beforeAll(async () => {
    [county, prefecture, kindergarten] = await Promise.all(['demo-county', 'demo-prefecture', 'demo-kindergarten'].map((u) => login(app, u)));
  });

  test('a request (version guard): two approvals, one 200 and one 409; one history entry', async () => {
    const subjectId = await kindergartenId(app, K1);
    const created = await kindergarten.post('/api/requests', { data: { type: 'kindergarten-key-change', subjectId, changes: { principal: '赵六' }, reason: '园长调任' } }).expect(201);
    const id = created.body.data.id;
    expect(created.body.data.actions).toEqual(['evidence']);
    const listed = (await county.get(`/api/requests/${id}`).expect(200)).body.data;
    expect(listed.actions).toEqual(expect.arrayContaining(['approve', 'reject', 'return']));
    const answers = await Promise.all([county.post(`/api/requests/${id}/approve`, { data: {} }), county.post(`/api/requests/${id}/approve`, { data: {} })]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const row = await app.strapi.db.query('api::request.request').findOne({ where: { documentId: id } });
    expect(row.state).toBe('approved');
    expect(row.history.filter((entry: any) => entry.action === 'approve')).toHaveLength(1);
    expect((await county.get(`/api/requests/${id}`).expect(200)).body.data.actions).toEqual([]);
  });

  test('a project (state guard): two reviews, one 200 and one 409', async () => {
    const created = await app.strapi.db.query('api::project.project').create({
      data: { documentId: `engine${Date.now()}`, name: '引擎竞态项目', type: 'provincial', year: 2026, regionCode: '350502', ownerLevel: 'county', budget: 0, reviewState: 'submitted', publishedAt: new Date() },
    });
    const shown = (await prefecture.get(`/api/projects/${created.documentId}`).expect(200)).body.data;
    expect(shown.actions).toEqual(['approve', 'return']);
    expect((await county.get(`/api/projects/${created.documentId}`).expect(200)).body.data.actions).toEqual([]);
    const answers = await Promise.all([
      prefecture.post(`/api/projects/${created.documentId}/review`, { data: { decision: 'approve' } }),
      prefecture.post(`/api/projects/${created.documentId}/review`, { data: { decision: 'return', comment: '请补充' } }),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const row = await app.strapi.db.query('api::project.project').findOne({ where: { id: created.id } });
    expect(['approved', 'returned']).toContain(row.reviewState);
    expect((await county.get(`/api/projects/${created.documentId}`).expect(200)).body.data.actions).toEqual(['submit']);
  });
});
