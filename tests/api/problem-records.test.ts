/** Problem records (问题学籍): opened by the county or by confirmed likely duplicates; resolved by deleting, correcting, evidence or arbitration. */
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { login, type Session } from '../helpers/api';
import { residentId } from '../helpers/ids';

let app: BootedApp;
let kindergarten: Session;
let county: Session;
let classId: string;
const child = (name: string, idNumber: string) => ({
  name, idType: '1', idNumber, birthPlace: '350502', nativePlace: '福建泉州', ethnicity: '01', nationality: '156', overseasChinese: '00', health: '10',
  householdRegion: '350502', householdType: '2', address: '鲤城区', phone: '13800000000', enrolledOn: '2025-09-01', enrollmentMode: '1', onlyChild: true,
  schoolClass: classId, guardians: [{ name: '家长', relation: '2', idType: '1', idNumber: residentId('350502', '19910101', '024') }],
});
const problem = (documentId: string) => app.strapi.db.query('api::problem-record.problem-record').findOne({ where: { documentId } });

beforeAll(async () => {
  app = await bootStrapi();
  kindergarten = await login(app, 'demo-kindergarten');
  county = await login(app, 'demo-county');
  classId = (await kindergarten.get('/api/school-classes?filters[name][$eq]=中一班').expect(200)).body.data[0].documentId;
});
afterAll(async () => { await app?.stop(); });

test('confirmed likely duplicates become a problem record; evidence reviewed by the county resolves it', async () => {
  await kindergarten.post('/api/children', { data: child('吴小林', residentId('350502', '20220606', '031')) }).expect(201);
  const second = await kindergarten.post('/api/children', { data: child('吴小林', residentId('350503', '20220606', '051')) }).expect(201);
  await kindergarten.post(`/api/children/${second.body.data.documentId}/register`, { data: { acknowledgeCandidates: true } }).expect(200);
  const records = await county.get('/api/problem-records').expect(200);
  expect(records.body.data).toEqual([expect.objectContaining({ kind: 'duplicate-with-id', state: 'open', name: '吴小林' })]);
  const recordId = records.body.data[0].documentId;
  expect((await (await login(app, 'demo-county-2')).get('/api/problem-records').expect(200)).body.data).toEqual([]);
  const summary = await (await login(app, 'demo-prefecture')).get('/api/problem-records/summary').expect(200);
  expect(summary.body.byCounty).toEqual([{ countyCode: '350502', countyName: '鲤城区', open: 1, evidenceSubmitted: 0, arbitration: 0, resolved: 0 }]);

  const submitted = await kindergarten.post('/api/requests', { data: { type: 'problem-evidence', subjectId: recordId, changes: { explanation: '两名幼儿为双胞胎之外的同名同日生幼儿，户口簿为证' } } }).expect(201);
  expect(submitted.body.data.changes[0]).toMatchObject({ field: 'explanation', label: '佐证说明' });
  expect((await problem(recordId)).state).toBe('evidence-submitted');
  await county.post(`/api/requests/${submitted.body.data.id}/approve`, { data: { comment: '核实无误' } }).expect(200);
  expect(await problem(recordId)).toMatchObject({ state: 'resolved', resolution: 'evidence-accepted', explanation: expect.stringContaining('户口簿') });
});

test('a county opens a wrong-ID record; the kindergarten corrects the ID and it is resolved', async () => {
  const created = await kindergarten.post('/api/children', { data: child('郭小北', residentId('350502', '20220707', '071')) }).expect(201);
  const id = created.body.data.documentId;
  await kindergarten.post('/api/problem-records', { data: { child: id, kind: 'wrong-id' } }).expect(403);
  await (await login(app, 'demo-county-2')).post('/api/problem-records', { data: { child: id, kind: 'wrong-id' } }).expect(400);
  const opened = await county.post('/api/problem-records', { data: { child: id, kind: 'wrong-id', description: '身份证号与户籍信息不符' } }).expect(201);
  await kindergarten.put(`/api/children/${id}`, { data: { idNumber: residentId('350502', '20220707', '091') } }).expect(200);
  expect(await problem(opened.body.data.documentId)).toMatchObject({ state: 'resolved', resolution: 'corrected' });
});

test('arbitration goes to the county; a rejected claim reopens the record; deleting the child resolves it', async () => {
  const created = await kindergarten.post('/api/children', { data: child('许小东', residentId('350502', '20220909', '011')) }).expect(201);
  const id = created.body.data.documentId;
  const opened = await county.post('/api/problem-records', { data: { child: id, kind: 'duplicate-without-id' } }).expect(201);
  const recordId = opened.body.data.documentId;
  const claim = await kindergarten.post('/api/requests', { data: { type: 'arbitration', subjectId: recordId, changes: { claim: '该幼儿实际在本园就读' } } }).expect(201);
  expect((await problem(recordId)).state).toBe('arbitration');
  await county.post(`/api/requests/${claim.body.data.id}/reject`, { data: { comment: '请先联系另一园核实' } }).expect(200);
  expect((await problem(recordId)).state).toBe('open');
  await kindergarten.del(`/api/children/${id}`).expect(204);
  expect(await problem(recordId)).toMatchObject({ state: 'resolved', resolution: 'deleted' });
});
