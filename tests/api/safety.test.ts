/**
 * 安全管理 (docs/safety-and-resources.md): inspections against the checklist of config/safety.json
 * (a kindergarten's monthly self-inspection, its county's per term), findings with photos and their
 * rectification tracked by the transition engine (open → rectified → verified | returned), overdue
 * findings, kindergartens missing their monthly self-inspection per county, incidents reported
 * within the deadline and reviewed by the county; every level's reach; statistics against hand SQL;
 * exports and custom fields.
 */
import ExcelJS from 'exceljs';
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { binary, login, workbookOf, type Session } from '../helpers/api';
import { addWorkingDays, localDate } from '../../cms/src/domain/working-days';
import { configProblems } from '../../cms/src/runtime/config-schema';
import { readDomainConfig } from '../../cms/src/runtime/paths';
import { transition } from '../../cms/src/domain/workflows';
import { termStartOf } from '../../cms/src/domain/safety';

let app: BootedApp;
let kindergarten: Session;
let kindergarten2: Session;
let county: Session;
let county2: Session;
let prefecture: Session;
let province: Session;
let ministry: Session;

const K1 = '3135050201'; // 鲤城区实验幼儿园, county 350502
const K2 = '3135020301'; // 思明区第一幼儿园, county 350203
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const ITEMS: string[] = readDomainConfig<any>('safety.json').checklist.flatMap((s: any) => s.items.map((i: any) => i.key));
const daysAgo = (n: number) => localDate(new Date(Date.now() - n * 86400000));
const allPass = () => Object.fromEntries(ITEMS.map((key) => [key, 'pass']));
const paths = (res: any) => (res.body.error?.details?.errors ?? []).map((e: any) => e.path.join('.'));

beforeAll(async () => {
  app = await bootStrapi();
  [kindergarten, kindergarten2, county, county2, prefecture, province, ministry] = await Promise.all(
    ['demo-kindergarten', 'demo-kindergarten-2', 'demo-county', 'demo-county-2', 'demo-prefecture', 'demo-province', 'demo-ministry'].map((u) => login(app, u)),
  );
}, 300_000);
afterAll(async () => { await app?.stop(); });

describe('config/safety.json has a validator', () => {
  test('a checklist item with an unknown severity, terms not covering the year, a missing deadline: file and path named', () => {
    const broken = JSON.parse(JSON.stringify(readDomainConfig<any>('safety.json')));
    broken.checklist[0].items[0].severity = 'deadly';
    broken.terms[0].months = [9];
    delete broken.rectificationWorkingDays.general;
    const read = (name: string) => (name === 'safety.json' ? broken : readDomainConfig(name));
    const problems = configProblems(read).filter((p) => p.file === 'config/safety.json').map((p) => p.path);
    expect(problems).toEqual(expect.arrayContaining(['safety.checklist[0].items[0].severity', 'safety.terms', 'safety.rectificationWorkingDays.general']));
    expect(configProblems().filter((p) => p.file === 'config/safety.json' || p.file === 'config/resources.json')).toEqual([]);
  });
});

describe('inspections', () => {
  let inspectionId: string;
  let findingId: string;
  const inspectedOn = daysAgo(1);

  test('the demo: a self-inspection with an open finding and an incident awaiting review', async () => {
    const findings = (await county.get('/api/safety-findings?filters[institutionCode]=' + K1).expect(200)).body.data;
    expect(findings.some((f: any) => f.state === 'open' && f.itemKey === 'extinguishers')).toBe(true);
    const incidents = (await county.get('/api/incidents').expect(200)).body.data;
    expect(incidents.some((i: any) => i.state === 'reported' && i.institutionCode === K1 && i.actions.includes('review'))).toBe(true);
  });

  test('bad input: 400 naming each field, nothing written', async () => {
    const before = await app.strapi.db.query('api::safety-inspection.safety-inspection').count();
    const missing = await kindergarten.post('/api/safety-inspections', { data: { kind: 'self', inspectedOn: '2099-01-01', results: { ...allPass(), exits: 'fail', nonsense: 'pass' }, findings: [{ itemKey: 'guards', description: 'x' }] } }).expect(400);
    expect(paths(missing)).toEqual(expect.arrayContaining(['inspectedOn', 'inspectorName', 'results.nonsense', 'findings.0.itemKey', 'results.exits']));
    const unanswered = await kindergarten.post('/api/safety-inspections', { data: { kind: 'self', inspectedOn, inspectorName: '陈园长', results: { exits: 'pass' } } }).expect(400);
    expect(paths(unanswered)).toContain('results.extinguishers');
    expect(unanswered.body.error.message).toContain('灭火器');
    await kindergarten.post('/api/safety-inspections', { data: { kind: 'weekly' } }).expect(400);
    expect(await app.strapi.db.query('api::safety-inspection.safety-inspection').count()).toBe(before);
  });

  test('who inspects: the kindergarten its own (self), the county its kindergartens (county); not the other way round', async () => {
    const self = { kind: 'self', inspectedOn, inspectorName: '陈园长', results: allPass() };
    await county.post('/api/safety-inspections', { data: self }).expect(403);
    await kindergarten.post('/api/safety-inspections', { data: { ...self, kind: 'county' } }).expect(403);
    await prefecture.post('/api/safety-inspections', { data: { ...self, kind: 'county', kindergarten: K1 } }).expect(403);
    await ministry.post('/api/safety-inspections', { data: self }).expect(403);
    // the county inspects only kindergartens in its reach
    const outside = await county.post('/api/safety-inspections', { data: { ...self, kind: 'county', kindergarten: K2 } }).expect(400);
    expect(paths(outside)).toEqual(['kindergarten']);
    // a kindergarten naming another kindergarten still inspects its own
    const own = await kindergarten2.post('/api/safety-inspections', { data: { ...self, kindergarten: K1 } }).expect(201);
    expect(own.body.data).toMatchObject({ institutionCode: K2, countyCode: '350203', period: inspectedOn.slice(0, 7) });
  });

  test('a self-inspection with a finding: deadline in working days by severity, period = month', async () => {
    const created = await kindergarten.post('/api/safety-inspections', { data: {
      kind: 'self', inspectedOn, inspectorName: '陈园长', results: { ...allPass(), exits: 'fail', 'food-samples': 'fail' },
      findings: [{ itemKey: 'exits', description: '后门疏散通道堆放杂物' }, { itemKey: 'food-samples', description: '周三午餐未留样', needsRectification: false }],
    } }).expect(201);
    inspectionId = created.body.data.documentId;
    expect(created.body.data).toMatchObject({ kind: 'self', institutionCode: K1, countyCode: '350502', period: inspectedOn.slice(0, 7), failedCount: 2 });
    const findings = created.body.data.findings;
    const exits = findings.find((f: any) => f.itemKey === 'exits');
    expect(exits).toMatchObject({ severity: 'major', section: 'fire', state: 'open', deadline: addWorkingDays(inspectedOn, 5) });
    expect(findings.find((f: any) => f.itemKey === 'food-samples')).toMatchObject({ severity: 'general', state: 'noted', deadline: null });
    findingId = exits.documentId;
    const shown = (await kindergarten.get(`/api/safety-findings/${findingId}`).expect(200)).body.data;
    expect(shown.actions).toEqual(['rectify']);
    expect(shown.overdue).toBe(false);
  });

  test('a county inspection of its kindergarten counts for the term', async () => {
    const created = await county.post('/api/safety-inspections', { data: { kind: 'county', kindergarten: K1, inspectedOn, inspectorName: '县教育局 李科长', results: allPass() } }).expect(201);
    const month = Number(inspectedOn.slice(5, 7));
    const start = month >= 9 ? Number(inspectedOn.slice(0, 4)) : Number(inspectedOn.slice(0, 4)) - 1;
    expect(created.body.data.period).toBe(`${start}-${start + 1}-${[9, 10, 11, 12, 1].includes(month) ? 1 : 2}`);
  });

  test('every level reaches what the matrix says: lists and reads', async () => {
    for (const session of [kindergarten, county, prefecture, province, ministry]) {
      await session.get(`/api/safety-inspections/${inspectionId}`).expect(200);
      await session.get(`/api/safety-findings/${findingId}`).expect(200);
    }
    for (const session of [kindergarten2, county2]) {
      await session.get(`/api/safety-inspections/${inspectionId}`).expect(404);
      await session.get(`/api/safety-findings/${findingId}`).expect(404);
      const listed = (await session.get('/api/safety-findings').expect(200)).body.data;
      expect(listed.every((f: any) => f.institutionCode !== K1)).toBe(true);
    }
    const k2 = (await kindergarten2.get('/api/safety-inspections').expect(200)).body.data;
    expect(k2.length).toBeGreaterThan(0);
    expect(k2.every((i: any) => i.institutionCode === K2)).toBe(true);
  });

  test('rectification: photos checked by content, the kindergarten rectifies, the county returns or verifies', async () => {
    // no photo yet
    const noPhoto = await kindergarten.post(`/api/safety-findings/${findingId}/rectify`, { data: { rectification: '已清理杂物' } }).expect(400);
    expect(paths(noPhoto)).toEqual(['rectificationPhotos']);
    // a text file named .png is refused; nothing stored
    const text = await kindergarten.post(`/api/safety-findings/${findingId}/photos`).field('purpose', 'rectification').attach('files', Buffer.from('<html>'), { filename: 'x.png', contentType: 'image/png' }).expect(400);
    expect(paths(text)).toEqual(['files']);
    // the county does not upload the kindergarten's rectification photos; another kindergarten does not reach it
    await county.post(`/api/safety-findings/${findingId}/photos`).field('purpose', 'rectification').attach('files', PNG, { filename: 'a.png', contentType: 'image/png' }).expect(403);
    await kindergarten2.post(`/api/safety-findings/${findingId}/photos`).field('purpose', 'rectification').attach('files', PNG, { filename: 'a.png', contentType: 'image/png' }).expect(404);
    const uploaded = await kindergarten.post(`/api/safety-findings/${findingId}/photos`).field('purpose', 'rectification').attach('files', PNG, { filename: '整改后.png', contentType: 'image/png' }).expect(200);
    expect(uploaded.body.data.rectificationPhotos).toEqual([expect.objectContaining({ name: '整改后.png', mime: 'image/png' })]);
    // the kindergarten's own photo of the hazard (its self-inspection)
    await kindergarten.post(`/api/safety-findings/${findingId}/photos`).field('purpose', 'finding').attach('files', PNG, { filename: '隐患.png', contentType: 'image/png' }).expect(200);
    // the county does not rectify; the text is required
    await county.post(`/api/safety-findings/${findingId}/rectify`, { data: { rectification: 'x' } }).expect(403);
    const noText = await kindergarten.post(`/api/safety-findings/${findingId}/rectify`, { data: {} }).expect(400);
    expect(paths(noText)).toEqual(['rectification']);
    const rectified = await kindergarten.post(`/api/safety-findings/${findingId}/rectify`, { data: { rectification: '已清理杂物，张贴禁止堆放标识' } }).expect(200);
    expect(rectified.body.data).toMatchObject({ state: 'rectified', rectification: '已清理杂物，张贴禁止堆放标识', actions: [] });
    await kindergarten.post(`/api/safety-findings/${findingId}/rectify`, { data: { rectification: 'again' } }).expect(409);
    // review: not the kindergarten, not another county, not the prefecture; a return needs a comment
    await kindergarten.post(`/api/safety-findings/${findingId}/review`, { data: { decision: 'verify' } }).expect(403);
    await county2.post(`/api/safety-findings/${findingId}/review`, { data: { decision: 'verify' } }).expect(404);
    await prefecture.post(`/api/safety-findings/${findingId}/review`, { data: { decision: 'verify' } }).expect(403);
    expect((await county.get(`/api/safety-findings/${findingId}`).expect(200)).body.data.actions).toEqual(['verify', 'return']);
    const noComment = await county.post(`/api/safety-findings/${findingId}/review`, { data: { decision: 'return' } }).expect(400);
    expect(paths(noComment)).toEqual(['comment']);
    await county.post(`/api/safety-findings/${findingId}/review`, { data: { decision: 'maybe' } }).expect(400);
    const returned = await county.post(`/api/safety-findings/${findingId}/review`, { data: { decision: 'return', comment: '标识未张贴到位' } }).expect(200);
    expect(returned.body.data).toMatchObject({ state: 'returned', reviewComment: '标识未张贴到位' });
    await kindergarten.post(`/api/safety-findings/${findingId}/rectify`, { data: { rectification: '标识已补贴' } }).expect(200);
    const verified = await county.post(`/api/safety-findings/${findingId}/review`, { data: { decision: 'verify', comment: '验收合格' } }).expect(200);
    expect(verified.body.data).toMatchObject({ state: 'verified', reviewComment: '验收合格' });
    expect(verified.body.data.verifiedAt).toBeTruthy();
    const row = await app.strapi.db.query('api::safety-finding.safety-finding').findOne({ where: { documentId: findingId } });
    expect(row.history.map((h: any) => h.action)).toEqual(['rectify', 'return', 'rectify', 'verify']);
    // closed: no more photos
    await kindergarten.post(`/api/safety-findings/${findingId}/photos`).field('purpose', 'rectification').attach('files', PNG, { filename: 'a.png', contentType: 'image/png' }).expect(409);
    // audited
    const [audit] = await app.strapi.db.connection(table('audit_entries')).count({ n: '*' }).where('target_type', 'api::safety-finding.safety-finding');
    expect(Number(audit.n)).toBeGreaterThan(0);
  });

  test('overdue findings are flagged; the summary per county matches hand SQL', async () => {
    const old = daysAgo(40);
    await kindergarten.post('/api/safety-inspections', { data: {
      kind: 'self', inspectedOn: old, inspectorName: '陈园长', results: { ...allPass(), guards: 'fail' }, findings: [{ itemKey: 'guards', description: '保安未配备防暴器械' }],
    } }).expect(201);
    const list = (await county.get('/api/safety-findings?filters[itemKey]=guards').expect(200)).body.data;
    expect(list.find((f: any) => f.deadline === addWorkingDays(old, 5))).toMatchObject({ overdue: true, state: 'open' });
    const summary = (await county.get('/api/safety-findings/summary').expect(200)).body;
    const today = localDate();
    const hand = await app.strapi.db.connection.raw(
      `select county_code, count(*) as total,
        sum(case when state in ('open','returned') and deadline < ? then 1 else 0 end) as overdue,
        sum(case when state = 'open' then 1 else 0 end) as open_count,
        sum(case when state = 'verified' then 1 else 0 end) as verified
       from ${table('safety_findings')} where county_code = '350502' group by county_code`, [today]);
    const row = (hand.rows ?? hand)[0];
    expect(summary.counties).toEqual([expect.objectContaining({ countyCode: '350502', total: Number(row.total), overdue: Number(row.overdue), open: Number(row.open_count), verified: Number(row.verified) })]);
    expect(summary.total.overdue).toBeGreaterThanOrEqual(1);
    // the prefecture sees its counties only; the ministry all
    const pref = (await prefecture.get('/api/safety-findings/summary').expect(200)).body.counties.map((c: any) => c.countyCode);
    expect(pref.every((code: string) => code.startsWith('3505'))).toBe(true);
    const all = (await ministry.get('/api/safety-findings/summary').expect(200)).body.counties.map((c: any) => c.countyCode);
    const counties = await app.strapi.db.connection(table('safety_findings')).distinct('county_code').orderBy('county_code');
    expect(all).toEqual(counties.map((r: any) => r.county_code));
  });

  test('missing monthly self-inspections per county', async () => {
    const month = inspectedOn.slice(0, 7);
    const coverage = (await county.get(`/api/safety-inspections/coverage?month=${month}`).expect(200)).body;
    expect(coverage.counties.map((c: any) => c.countyCode)).toEqual(['350502']);
    const licheng = coverage.counties[0];
    expect(licheng.missingSelf.map((k: any) => k.code)).not.toContain(K1);
    const [{ n }] = await app.strapi.db.connection(table('kindergartens')).count({ n: '*' }).where('county_code', '350502').whereNot('status', 'closed');
    const done = await app.strapi.db.connection(table('safety_inspections')).countDistinct({ n: 'institution_code' }).where({ county_code: '350502', kind: 'self', period: month });
    expect(licheng.kindergartens).toBe(Number(n));
    expect(licheng.missingSelfCount).toBe(Number(n) - Number(done[0].n));
    await county.get('/api/safety-inspections/coverage?month=2026-13').expect(400);
    const byProvince = (await province.get(`/api/safety-inspections/coverage?month=${month}`).expect(200)).body.counties;
    expect(byProvince.find((c: any) => c.countyCode === '350203').missingSelf.map((k: any) => k.code)).not.toContain(K2);
    const own = (await kindergarten.get(`/api/safety-inspections/coverage?month=${month}`).expect(200)).body.counties;
    expect(own).toEqual([expect.objectContaining({ kindergartens: 1, missingSelfCount: 0 })]);
  });
});

describe('incidents', () => {
  let incidentId: string;

  test('reported by the kindergarten: 400 naming fields; late when reported after the deadline', async () => {
    const bad = await kindergarten.post('/api/incidents', { data: { type: 'meteor', severity: 'x', description: '', occurredAt: 'yesterday' } }).expect(400);
    expect(paths(bad)).toEqual(expect.arrayContaining(['type', 'severity', 'description', 'occurredAt']));
    await county.post('/api/incidents', { data: { type: 'fall', severity: 'minor', description: '摔倒', occurredAt: new Date().toISOString() } }).expect(403);
    const late = await kindergarten.post('/api/incidents', { data: { type: 'burn', severity: 'serious', description: '午餐时汤碗打翻烫伤手背', occurredAt: new Date(Date.now() - 3 * 86400000).toISOString(), injured: 1 } }).expect(201);
    expect(late.body.data).toMatchObject({ late: true, state: 'reported', institutionCode: K1, countyCode: '350502', actions: [] });
    incidentId = late.body.data.documentId;
    const inTime = await kindergarten2.post('/api/incidents', { data: { type: 'fall', severity: 'minor', description: '跑步时摔倒', occurredAt: new Date(Date.now() - 3600000).toISOString() } }).expect(201);
    expect(inTime.body.data).toMatchObject({ late: false, institutionCode: K2 });
  });

  test('reviewed by its county through the engine: return with a comment, resubmission, review', async () => {
    await county2.post(`/api/incidents/${incidentId}/review`, { data: { decision: 'approve' } }).expect(404);
    await kindergarten.post(`/api/incidents/${incidentId}/review`, { data: { decision: 'approve' } }).expect(403);
    await prefecture.post(`/api/incidents/${incidentId}/review`, { data: { decision: 'approve' } }).expect(403);
    expect((await county.get(`/api/incidents/${incidentId}`).expect(200)).body.data.actions).toEqual(['review', 'return']);
    const noComment = await county.post(`/api/incidents/${incidentId}/review`, { data: { decision: 'return' } }).expect(400);
    expect(paths(noComment)).toEqual(['comment']);
    await county.post(`/api/incidents/${incidentId}/review`, { data: { decision: 'return', comment: '请补充处置措施' } }).expect(200);
    await kindergarten.post(`/api/incidents/${incidentId}/resubmit`, { data: { severity: 'catastrophic' } }).expect(400);
    await county.post(`/api/incidents/${incidentId}/resubmit`, { data: {} }).expect(403);
    const resubmitted = await kindergarten.post(`/api/incidents/${incidentId}/resubmit`, { data: { measures: '冷水冲洗后送医，已与家长沟通' } }).expect(200);
    expect(resubmitted.body.data).toMatchObject({ state: 'reported', measures: '冷水冲洗后送医，已与家长沟通' });
    const reviewed = await county.post(`/api/incidents/${incidentId}/review`, { data: { decision: 'approve', comment: '处置得当' } }).expect(200);
    expect(reviewed.body.data).toMatchObject({ state: 'reviewed', reviewComment: '处置得当' });
    await county.post(`/api/incidents/${incidentId}/review`, { data: { decision: 'approve' } }).expect(409);
  });

  test('counts by type and severity per county match hand SQL; each level its reach', async () => {
    const summary = (await province.get('/api/incidents/summary').expect(200)).body;
    const hand = await app.strapi.db.connection(table('incidents')).select('county_code', 'type', 'severity').count({ n: '*' }).groupBy('county_code', 'type', 'severity');
    for (const row of hand as any[]) {
      const county = summary.counties.find((c: any) => c.countyCode === row.county_code);
      expect(county).toBeTruthy();
      const byType = (hand as any[]).filter((r) => r.county_code === row.county_code && r.type === row.type).reduce((s, r) => s + Number(r.n), 0);
      const bySeverity = (hand as any[]).filter((r) => r.county_code === row.county_code && r.severity === row.severity).reduce((s, r) => s + Number(r.n), 0);
      expect(county.byType[row.type]).toBe(byType);
      expect(county.bySeverity[row.severity]).toBe(bySeverity);
    }
    const [{ n: lateCount }] = await app.strapi.db.connection(table('incidents')).count({ n: '*' }).where('late', true);
    expect(summary.total.late).toBe(Number(lateCount));
    expect((await county.get('/api/incidents/summary').expect(200)).body.counties.map((c: any) => c.countyCode)).toEqual(['350502']);
    expect((await kindergarten2.get('/api/incidents/summary').expect(200)).body.total.total).toBe(1);
    await county.get('/api/incidents/summary?from=2026-02-30').expect(400);
    const none = (await ministry.get('/api/incidents/summary?from=2000-01-01&to=2000-12-31').expect(200)).body;
    expect(none.total.total).toBe(0);
  });
});

describe('statistics sources safety and incidents (config/indicators.json), against hand SQL', () => {
  const query = async (session: Session, indicator: string, dimension = 'county') => (await session.post('/api/statistics/query', { indicator, dimension }).expect(200)).body;

  test('inspections and incidents of this term, open and overdue findings: per county and per level, each its reach', async () => {
    const today = localDate();
    const since = termStartOf(today);
    const hand = async (prefix: string) => {
      const like = `${prefix}%`;
      const [inspections] = await app.strapi.db.connection(table('safety_inspections')).count({ n: '*' }).where('county_code', 'like', like).where('inspected_on', '>=', since);
      const [open] = await app.strapi.db.connection(table('safety_findings')).count({ n: '*' }).where('county_code', 'like', like).whereIn('state', ['open', 'returned']);
      const [overdue] = await app.strapi.db.connection(table('safety_findings')).count({ n: '*' }).where('county_code', 'like', like).whereIn('state', ['open', 'returned']).where('deadline', '<', today);
      const [incidents] = await app.strapi.db.connection(table('incidents')).count({ n: '*' }).where('county_code', 'like', like).where('occurred_at', '>=', new Date(`${since}T00:00:00+08:00`));
      return { safetyInspections: Number(inspections.n), openFindings: Number(open.n), overdueFindings: Number(overdue.n), incidents: Number(incidents.n) };
    };
    for (const [session, prefix] of [[county, '350502'], [county2, '350203'], [prefecture, '3505'], [province, '35'], [ministry, '']] as const) {
      const expected = await hand(prefix);
      for (const [indicator, value] of Object.entries(expected)) expect([prefix, indicator, (await query(session, indicator)).total.value]).toEqual([prefix, indicator, value]);
    }
    // figures this suite made: an overdue finding and incidents in 鲤城区 (350502)
    expect((await hand('350502')).overdueFindings).toBeGreaterThanOrEqual(1);
    // the kindergarten: its own only
    const own = (await query(kindergarten, 'openFindings', 'kindergarten')).rows;
    expect(own.map((r: any) => r.key)).toEqual([K1]);
  });

  test('incidents by type and severity, named by config/safety.json; the dimensions take no other figure', async () => {
    const since = new Date(`${termStartOf(localDate())}T00:00:00+08:00`);
    const byType = await app.strapi.db.connection(table('incidents')).select('type').count({ n: '*' }).where('county_code', 'like', '35%').where('occurred_at', '>=', since).groupBy('type');
    const result = await query(province, 'incidents', 'incidentType');
    expect(Object.fromEntries(result.rows.filter((r: any) => r.value).map((r: any) => [r.key, r.value]))).toEqual(Object.fromEntries((byType as any[]).map((r) => [r.type, Number(r.n)])));
    const burn = result.rows.find((r: any) => r.key === 'burn');
    if (burn) expect(burn.label).toBe('烫伤烧伤');
    const severity = await query(province, 'incidents', 'incidentSeverity');
    expect(severity.rows.reduce((sum: number, r: any) => sum + Number(r.value ?? 0), 0)).toBe(result.total.value);
    await province.post('/api/statistics/query', { indicator: 'openFindings', dimension: 'incidentType' }).expect(400);
  });

  test('dashboard cards per level: 体检率 and 接种证查验率, overdue findings and incidents this term, from the server', async () => {
    for (const [session, prefix] of [[kindergarten, K1], [county, '350502'], [province, '35']] as const) {
      const cards = (await session.get('/api/dashboard').expect(200)).body.cards;
      expect(cards.map((c: any) => [c.group, c.key])).toEqual([['health', 'healthCheckRate'], ['health', 'vaccinationCheckRate'], ['safety', 'overdueFindings'], ['safety', 'incidents']]);
      const column = prefix.length === 10 ? 'institution_code' : 'county_code';
      const [overdue] = await app.strapi.db.connection(table('safety_findings')).count({ n: '*' }).where(column, 'like', `${prefix}%`).whereIn('state', ['open', 'returned']).where('deadline', '<', localDate());
      expect(cards.find((c: any) => c.key === 'overdueFindings')).toMatchObject({ label: '逾期未整改安全隐患数', value: Number(overdue.n) });
      expect(cards.find((c: any) => c.key === 'healthCheckRate')).toMatchObject({ label: '体检率', scale: 100, target: { op: '>=', value: 0.95 } });
    }
  });
});

describe('exports and custom fields', () => {
  test('the county exports its findings (xlsx) and the province its incidents (csv); each export recorded', async () => {
    const before = await app.strapi.db.query('api::export-record.export-record').count();
    const xlsx = await county.get('/api/safety-export/findings?format=xlsx').buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    }).expect(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.body);
    const sheet = book.worksheets[0];
    const headers = (sheet.getRow(1).values as any[]).slice(1);
    expect(headers).toEqual(expect.arrayContaining(['幼儿园', '检查项', '隐患等级', '整改状态', '整改期限']));
    const states = sheet.getColumn(headers.indexOf('整改状态') + 1).values.slice(2);
    expect(states).toEqual(expect.arrayContaining(['已验收', '待整改']));
    const csv = await province.get('/api/safety-export/incidents?format=csv').expect(200);
    expect(csv.text).toContain('烫伤烧伤');
    expect(csv.text).toContain('较重');
    const k2 = await kindergarten2.get('/api/safety-export/incidents?format=csv').expect(200);
    expect(k2.text).not.toContain('烫伤烧伤');
    expect(await app.strapi.db.query('api::export-record.export-record').count()).toBe(before + 3);
  });

  test('a custom field of incidents: validated on every report, exported', async () => {
    await province.post('/api/custom-fields', { data: { entity: 'incident', key: 'hospital', label: '就诊医院', type: 'text', max: 50 } }).expect(201);
    const unknown = await kindergarten.post('/api/incidents', { data: { type: 'other', severity: 'minor', description: '蚊虫叮咬', occurredAt: new Date().toISOString(), customFields: { nope: 1 } } }).expect(400);
    expect(paths(unknown)).toEqual(['customFields.nope']);
    const ok = await kindergarten.post('/api/incidents', { data: { type: 'other', severity: 'minor', description: '蚊虫叮咬', occurredAt: new Date().toISOString(), customFields: { hospital: '鲤城区医院' } } }).expect(201);
    expect(ok.body.data.customFields).toEqual({ hospital: '鲤城区医院' });
    const csv = await county.get('/api/safety-export/incidents?format=csv').expect(200);
    expect(csv.text).toContain('就诊医院');
    expect(csv.text).toContain('鲤城区医院');
  });

  test('a custom field of safety inspections: validated on every inspection, in the record and its export', async () => {
    await province.post('/api/custom-fields', { data: { entity: 'safety-inspection', key: 'fire_drills', label: '本月消防演练次数', type: 'number', min: 0, max: 12 } }).expect(201);
    const base = { kind: 'self', inspectedOn: daysAgo(1), inspectorName: '陈园长', results: allPass(), findings: [] };
    const bad = await kindergarten.post('/api/safety-inspections', { data: { ...base, customFields: { fire_drills: 99 } } }).expect(400);
    expect(paths(bad)).toEqual(['customFields.fire_drills']);
    const ok = await kindergarten.post('/api/safety-inspections', { data: { ...base, customFields: { fire_drills: 2 } } }).expect(201);
    expect(ok.body.data.customFields).toEqual({ fire_drills: 2 });
    const csv = await county.get('/api/safety-export/inspections?format=csv').expect(200);
    expect(csv.text).toContain('本月消防演练次数');
  });
});

describe('the permission matrix holds on the engine', () => {
  test('revoking the kindergarten’s 修改 cell of 安全隐患整改 stops its rectification and its button; restoring gives both back', async () => {
    const demo = (await kindergarten.get('/api/safety-findings?filters[itemKey]=extinguishers').expect(200)).body.data[0];
    expect(demo.actions).toEqual(['rectify']);
    const cell = (granted: boolean) => province.put('/api/permission-matrix', { data: { role: 'institution', resource: 'safety-findings', action: 'edit', granted, confirm: true } }).expect(200);
    await cell(false);
    try {
      // the route answers 403; the engine itself (any other path calling transition()) refuses naming the cell
      await kindergarten.post(`/api/safety-findings/${demo.documentId}/rectify`, { data: { rectification: '已更换' } }).expect(403);
      const actor = await app.strapi.db.query('plugin::users-permissions.user').findOne({ where: { username: 'demo-kindergarten' }, populate: { role: true } });
      const record = await app.strapi.db.query('api::safety-finding.safety-finding').findOne({ where: { documentId: demo.documentId } });
      const error: any = await transition(app.strapi, { machine: 'safety-finding', action: 'rectify', actor, record, input: { rectification: '已更换' } }).catch((e) => e);
      expect(error?.message).toBe('无权修改安全隐患整改（权限矩阵）');
      expect((await app.strapi.db.query('api::safety-finding.safety-finding').findOne({ where: { id: record.id } })).state).toBe('open');
      expect((await kindergarten.get(`/api/safety-findings/${demo.documentId}`).expect(200)).body.data.actions).toEqual([]);
    } finally {
      await cell(true);
    }
    expect((await kindergarten.get(`/api/safety-findings/${demo.documentId}`).expect(200)).body.data.actions).toEqual(['rectify']);
  });
});

describe('Excel import of self-inspections and incidents (cms/src/domain/import/safety-import.ts)', () => {
  const workbook = workbookOf;
  const NAMES: string[] = readDomainConfig<any>('safety.json').checklist.flatMap((s: any) => s.items.map((i: any) => i.name));
  const HEADERS = ['检查日期', '检查人', ...NAMES, '隐患描述', '备注', '本月消防演练次数']; // the custom field of the test above
  const row = (date: string, inspector: string, results: Record<number, string>, finding = '', remark = '', drills: unknown = '') => [date, inspector, ...NAMES.map((_, i) => results[i] ?? '合格'), finding, remark, drills];
  const inspections = () => app.strapi.db.query('api::safety-inspection.safety-inspection').count();
  const findings = () => app.strapi.db.query('api::safety-finding.safety-finding').count();

  test('the template: date, inspector, one column per checklist item with the results\' drop-down; only a kindergarten gets it', async () => {
    const response = await kindergarten.get('/api/safety-import/inspections/template').buffer(true).parse(binary).expect(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(response.body as any);
    const sheet = book.getWorksheet('安全自查')!;
    const headers = (sheet.getRow(1).values as any[]).slice(1);
    expect(headers).toEqual(['*检查日期', '*检查人', ...NAMES.map((n) => `*${n}`), '隐患描述', '备注', '本月消防演练次数']);
    expect((sheet.getCell(2, 3) as any).dataValidation).toMatchObject({ type: 'list' });
    expect(book.getWorksheet('检查结果')!.getColumn(2).values).toEqual(expect.arrayContaining(['合格', '不合格', '不适用']));
    const incidentBook = new ExcelJS.Workbook();
    await incidentBook.xlsx.load((await kindergarten.get('/api/safety-import/incidents/template').buffer(true).parse(binary).expect(200)).body as any);
    expect(incidentBook.getWorksheet('事故类型')!.getColumn(2).values).toEqual(expect.arrayContaining(['跌倒摔伤', '溺水']));
    // a county inspects by itself, it does not import (the matrix cell 新增 of 安全自查与事故导入 is the kindergarten's)
    const refused = await county.get('/api/safety-import/inspections/template').expect(403);
    expect(JSON.stringify(refused.body)).not.toContain('at ');
    await county.post('/api/safety-import/inspections').attach('file', await workbook('安全自查', HEADERS, [row(daysAgo(2), '县检查员', {})]), 'x.xlsx').expect(403);
    await kindergarten.get('/api/safety-import/unknown/template').expect(404);
  });

  test('a file with bad rows is refused whole: 400 naming each row and column in Chinese, nothing stored; the report says why', async () => {
    const before = [await inspections(), await findings()];
    const file = await workbook('安全自查', HEADERS, [
      row(daysAgo(2), '王园长', { 0: '不合格' }, '东墙渗水'),
      row('2099-01-01', '', { 1: '好' }, '', '', 99),
    ]);
    const refused = await kindergarten.post('/api/safety-import/inspections').attach('file', file, '自查.xlsx').expect(400);
    expect(paths(refused).sort()).toEqual(['rows.3.customFields.fire_drills', `rows.3.inspectedOn`, 'rows.3.inspectorName', `rows.3.results.${ITEMS[1]}`].sort());
    expect(refused.body.error.message).toContain('第 3 行「本月消防演练次数」');
    expect(refused.body.error.message).toContain('第 3 行「检查日期」：检查日期不能晚于今天');
    expect(refused.body.error.message).toContain(`第 3 行「${NAMES[1]}」：「${NAMES[1]}」的结果须为合格、不合格或不适用`);
    expect([await inspections(), await findings()]).toEqual(before);
    const report = await kindergarten.post('/api/safety-import/inspections/report').attach('file', file, '自查.xlsx').buffer(true).parse(binary).expect(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(report.body as any);
    const sheet = book.getWorksheet('安全自查')!;
    const headers = (sheet.getRow(1).values as any[]).slice(1);
    expect(sheet.getCell(2, headers.indexOf('导入结果') + 1).value).toBe('正确，未导入（文件有错误）');
    expect(String(sheet.getCell(3, headers.indexOf('错误说明') + 1).value)).toContain('检查人必填');
    expect([await inspections(), await findings()]).toEqual(before);
  });

  test('a good file: inspections of the kindergarten, findings for failed items as the API makes them; not in another kindergarten\'s reach', async () => {
    const before = [await inspections(), await findings()];
    const date = daysAgo(3);
    const file = await workbook('安全自查', HEADERS, [
      row(date, '导入检查员', { 0: '不合格', 3: 'fail', 10: '不适用' }, '东墙渗水', '月度自查', 2),
      row(date, '导入检查员', {}),
    ]);
    const ok = await kindergarten.post('/api/safety-import/inspections').attach('file', file, '自查.xlsx').expect(200);
    expect(ok.body.data).toEqual({ created: 2, total: 2 });
    expect([await inspections(), await findings()]).toEqual([before[0] + 2, before[1] + 2]);
    const stored = await app.strapi.db.query('api::safety-inspection.safety-inspection').findMany({ where: { inspectorName: '导入检查员' }, orderBy: { id: 'asc' }, populate: { findings: true } });
    expect(stored.map((i: any) => [i.kind, i.institutionCode, i.period, i.failedCount, i.summary])).toEqual([['self', K1, date.slice(0, 7), 2, '月度自查'], ['self', K1, date.slice(0, 7), 0, null]]);
    expect(stored[0].results[ITEMS[10]]).toBe('na');
    expect(stored[0].customFields).toEqual({ fire_drills: 2 });
    expect(stored[0].findings.map((f: any) => [f.itemKey, f.severity, f.state, f.deadline, f.description]).sort()).toEqual([
      [ITEMS[0], 'major', 'open', addWorkingDays(date, 5), '东墙渗水'], [ITEMS[3], 'major', 'open', addWorkingDays(date, 5), '东墙渗水'],
    ].sort());
    const seenBy = async (session: Session) => (await session.get(`/api/safety-inspections?filters[inspectorName]=${encodeURIComponent('导入检查员')}`).expect(200)).body.data.length;
    expect([await seenBy(kindergarten), await seenBy(kindergarten2), await seenBy(county2), await seenBy(county)]).toEqual([2, 0, 0, 2]);
  });

  test('incidents: date and time, type and severity by name; late by the 24-hour rule as the API reports', async () => {
    const headers = ['发生日期', '发生时间', '事故类型', '严重程度', '发生地点', '事故经过', '受伤人数', '处置措施', '就诊医院'];
    const before = await app.strapi.db.query('api::incident.incident').count();
    const bad = await workbook('意外事故', headers, [[daysAgo(1), '25:00', '飞行', '轻微', '', '', '-1', '']]);
    const refused = await kindergarten.post('/api/safety-import/incidents').attach('file', bad, '事故.xlsx').expect(400);
    expect(paths(refused)).toEqual(['rows.2.occurredTime']);
    const bad2 = await workbook('意外事故', headers, [[daysAgo(1), '09:30', '飞行', '轻微', '', '', '-1', '']]);
    expect(paths(await kindergarten.post('/api/safety-import/incidents').attach('file', bad2, '事故.xlsx').expect(400)).sort()).toEqual(['rows.2.description', 'rows.2.injured', 'rows.2.type']);
    expect(await app.strapi.db.query('api::incident.incident').count()).toBe(before);
    const file = await workbook('意外事故', headers, [[daysAgo(3), '09:30', '跌倒摔伤', '轻微', '操场', '导入滑梯旁摔倒', 1, '冷敷', '鲤城区医院']]);
    expect((await kindergarten.post('/api/safety-import/incidents').attach('file', file, '事故.xlsx').expect(200)).body.data).toEqual({ created: 1, total: 1 });
    const stored = await app.strapi.db.query('api::incident.incident').findOne({ where: { description: '导入滑梯旁摔倒' } });
    expect(stored).toMatchObject({ type: 'fall', severity: 'minor', injured: 1, late: true, state: 'reported', institutionCode: K1, customFields: { hospital: '鲤城区医院' } });
  });
});

function table(name: string) {
  return app.schema ? `${app.schema}.${name}` : name;
}
