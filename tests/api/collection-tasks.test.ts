/**
 * 专项填报 (docs/collection-tasks.md): a province designs a task with a repeating table and a
 * required code field and publishes it to the 公办 kindergartens of one prefecture; a kindergarten
 * outside that set does not see it (404); one inside fills it (a draft, then from the task's Excel
 * template with a row-level report) and submits it; its county returns it, it is corrected and
 * approved; the completion figures, the export of the answers and the chart figures show it. And
 * what each level may and may not do: design, publish, edit a published form, review.
 */
import ExcelJS from 'exceljs';
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { login, type Session } from '../helpers/api';

let app: BootedApp;
let ministry: Session;
let province: Session;
let prefecture: Session;
let county: Session;
let county2: Session;
let kindergarten: Session;
let kindergarten2: Session;

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const binary = (res: any, callback: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
};
const download = async (session: Session, url: string) => (await session.get(url).buffer(true).parse(binary).expect(200)).body as Buffer;
const workbookOf = async (buffer: Buffer) => {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(buffer as any);
  return book;
};
const sheetRows = (sheet: ExcelJS.Worksheet) => {
  const rows: unknown[][] = [];
  sheet.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
  return rows;
};

/** The design: 开学情况 with a required code field (城乡分类), a number, a yes/no, and a table of classes. */
const design = {
  title: '2026年秋季开学情况专项填报',
  instructions: '请各园如实填报开学情况，每个班级一行。',
  deadlineWorkingDays: 5,
  countyReview: true,
  assignees: { ownership: 'public', regions: ['350500'] },
  form: {
    sections: [
      { title: '基本情况', fields: [
        { label: '城乡分类', type: 'choice', codeTable: 'urbanRural', required: true },
        { label: '开学幼儿数', type: 'number', required: true, min: 0, max: 2000 },
        { label: '是否按时开学', type: 'boolean', required: true },
        { label: '联系电话', type: 'text', format: 'mobile' },
      ] },
      { title: '班级', fields: [
        { key: 'classes', label: '班级情况', type: 'table', required: true, columns: [
          { key: 'name', label: '班级名称', type: 'text', required: true },
          { key: 'grade', label: '年级', type: 'choice', codeTable: 'classGrade', required: true },
          { key: 'children', label: '幼儿数', type: 'number', min: 0 },
        ] },
        { key: 'photo', label: '开学照片', type: 'file' },
      ] },
    ],
  },
};

beforeAll(async () => {
  app = await bootStrapi();
  [ministry, province, prefecture, county, county2, kindergarten, kindergarten2] = await Promise.all(
    ['demo-ministry', 'demo-province', 'demo-prefecture', 'demo-county', 'demo-county-2', 'demo-kindergarten', 'demo-kindergarten-2'].map((u) => login(app, u)),
  );
}, 300_000);
afterAll(async () => { await app?.stop(); });

describe('the designer', () => {
  test('bad designs answer 400 naming the field; keys come from labels; only designers create', async () => {
    const bad = await province.post('/api/collection-tasks', { data: { title: '', form: { sections: [{ title: '一', fields: [{ label: '类型', type: 'choice', codeTable: 'nope' }, { label: '表', type: 'table', columns: [] }] }] } } }).expect(400);
    const paths = bad.body.error.details.errors.map((e: any) => e.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['title', 'form.sections.0.fields.0.codeTable', 'form.sections.0.fields.1.columns']));
    expect(bad.body.error.message).toContain('代码表选项须选择一个已有的代码表');
    const outside = await prefecture.post('/api/collection-tasks', { data: { ...design, assignees: { regions: ['350200'] } } }).expect(400);
    expect(outside.body.error.details.errors[0].path).toEqual(['assignees.regions']);
    await kindergarten.post('/api/collection-tasks', { data: design }).expect(403);
    const created = await prefecture.post('/api/collection-tasks', { data: { ...design, title: '市级草稿' } }).expect(201);
    expect(created.body.data.form.sections[0].fields.map((f: any) => f.key)).toEqual(['cheng_xiang_fen_lei', 'kai_xue_you_er_shu', 'shi_fou_an_shi_kai_xue', 'lian_xi_dian_hua']);
    expect(created.body.data).toMatchObject({ state: 'draft', regionCode: '350500', ownerLevel: 'prefecture' });
    // the province reads it (its reach), a county of another city does not
    await province.get(`/api/collection-tasks/${created.body.data.documentId}`).expect(200);
    await county2.get(`/api/collection-tasks/${created.body.data.documentId}`).expect(404);
    // a province may not publish the prefecture's task (the owner rule), the prefecture may not edit a province's
    const refused = await province.post(`/api/collection-tasks/${created.body.data.documentId}/publish`, { data: {} }).expect(403);
    expect(refused.body.error.message).toBe('填报任务由设计它的教育部门发布');
  });
});

describe('the scenario: design, publish, fill, submit, return, correct, approve, results', () => {
  let taskId: string;
  let mine: any;

  test('the province designs and publishes to the 公办 kindergartens of 泉州市; a published form is frozen', async () => {
    const created = await province.post('/api/collection-tasks', { data: design }).expect(201);
    taskId = created.body.data.documentId;
    expect(created.body.data.state).toBe('draft');
    await province.put(`/api/collection-tasks/${taskId}`, { data: { instructions: '请各园如实填报，每个班级一行。' } }).expect(200);
    const listed = (await province.get('/api/collection-tasks?filters[state]=draft').expect(200)).body.data.find((t: any) => t.documentId === taskId);
    expect(listed.actions).toEqual(['publish']);
    const published = (await province.post(`/api/collection-tasks/${taskId}/publish`, { data: {} }).expect(200)).body.data;
    expect(published).toMatchObject({ state: 'published', assignedCount: 4 });
    expect(published.dueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const frozen = await province.put(`/api/collection-tasks/${taskId}`, { data: { title: '改名' } }).expect(409);
    expect(frozen.body.error.message).toContain('新版本');
    await province.post(`/api/collection-tasks/${taskId}/publish`, { data: {} }).expect(409);
    const next = (await province.post(`/api/collection-tasks/${taskId}/new-version`, { data: {} }).expect(201)).body.data;
    expect(next).toMatchObject({ state: 'draft', taskVersion: 2, previousVersion: taskId, title: design.title });
    await province.put(`/api/collection-tasks/${next.documentId}`, { data: { title: '第二版' } }).expect(200);
  });

  test('a kindergarten outside the set sees nothing; the one inside finds it in its inbox', async () => {
    await kindergarten2.get(`/api/collection-tasks/${taskId}`).expect(404);
    expect((await kindergarten2.get(`/api/task-submissions?filters[taskId]=${taskId}`).expect(200)).body.data).toEqual([]);
    await county2.get(`/api/collection-tasks/${taskId}`).expect(404);
    // a private kindergarten of 鲤城区 is not assigned: the county sees its two 公办 ones
    const countyList = (await county.get(`/api/task-submissions?filters[taskId]=${taskId}&sort=institutionCode:asc`).expect(200)).body.data;
    expect(countyList.map((s: any) => s.institutionCode)).toEqual(['3135050201', '3135050202']);
    const inbox = (await kindergarten.get('/api/task-submissions?filters[state]=draft').expect(200)).body.data.filter((s: any) => s.taskId === taskId);
    expect(inbox).toHaveLength(1);
    expect(inbox[0].actions).toEqual(['submit']);
    await kindergarten2.get(`/api/task-submissions/${inbox[0].documentId}`).expect(404);
    mine = (await kindergarten.get(`/api/task-submissions/${inbox[0].documentId}`).expect(200)).body.data;
    expect(mine.task.form.sections[1].fields[0].columns.map((c: any) => c.label)).toEqual(['班级名称', '年级', '幼儿数']);
    await kindergarten.get(`/api/collection-tasks/${taskId}`).expect(200);
  });

  test('fills a draft (values checked as custom fields are), submits: required fields are enforced', async () => {
    const url = `/api/task-submissions/${mine.id}`;
    const bad = await kindergarten.put(url, { data: { answers: { cheng_xiang_fen_lei: '999', kai_xue_you_er_shu: -1, lian_xi_dian_hua: '123', nope: 1 } } }).expect(400);
    const paths = bad.body.error.details.errors.map((e: any) => e.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['answers.cheng_xiang_fen_lei', 'answers.kai_xue_you_er_shu', 'answers.lian_xi_dian_hua', 'answers.nope']));
    expect(bad.body.error.message).toContain('城乡分类不是代码表中的值');
    const saved = (await kindergarten.put(url, { data: { answers: { kai_xue_you_er_shu: 180 } } }).expect(200)).body.data;
    expect(saved.answers).toEqual({ kai_xue_you_er_shu: 180 });
    const missing = await kindergarten.post(`${url}/submit`, { data: {} }).expect(400);
    expect(missing.body.error.message).toContain('城乡分类必填');
    expect(missing.body.error.message).toContain('班级情况须至少填写 1 行');
    // the county may not submit it, another kindergarten does not reach it
    await county.post(`${url}/submit`, { data: {} }).expect(403);
    await kindergarten2.post(`${url}/submit`, { data: {} }).expect(404);
  });

  test('fills it from the task\'s Excel template: a row-level report, then the answers saved', async () => {
    const url = `/api/task-submissions/${mine.id}`;
    const template = await workbookOf(await download(kindergarten, `${url}/template`));
    expect(template.worksheets.map((w) => w.name)).toEqual(['填报', '班级情况', '说明']);
    const main = template.getWorksheet('填报')!;
    const rows = sheetRows(main);
    expect(rows.map((r) => r[0])).toEqual(['填报项目', '*城乡分类', '*开学幼儿数', '*是否按时开学', '联系电话', '班级情况']);
    expect(rows[2][1]).toBe(180); // the draft's answers are in it
    main.getCell('B2').value = '主城区';
    main.getCell('B4').value = '是';
    const classes = template.getWorksheet('班级情况')!;
    classes.addRow(['小一班', '小班', 25]);
    classes.addRow(['中一班', '星班', 30]);
    classes.addRow(['', '大班', 'many']);
    const broken = Buffer.from(await template.xlsx.writeBuffer());
    const report = await kindergarten.post(`${url}/import`).attach('file', broken, { filename: 'task.xlsx', contentType: XLSX }).expect(400);
    expect(report.body.error.details.rows).toEqual(expect.arrayContaining([
      expect.objectContaining({ sheet: '班级情况', row: 3, column: '年级' }),
      expect.objectContaining({ sheet: '班级情况', row: 4, column: '幼儿数' }),
    ]));
    expect((await kindergarten.get(url).expect(200)).body.data.answers).toEqual({ kai_xue_you_er_shu: 180 });
    classes.getCell('B3').value = '中班';
    classes.getCell('A4').value = '大一班';
    classes.getCell('C4').value = 32;
    const fixed = Buffer.from(await template.xlsx.writeBuffer());
    const imported = (await kindergarten.post(`${url}/import`).attach('file', fixed, { filename: 'task.xlsx', contentType: XLSX }).expect(200)).body.data;
    expect(imported.answers).toMatchObject({ cheng_xiang_fen_lei: '111', kai_xue_you_er_shu: 180, shi_fou_an_shi_kai_xue: true });
    expect(imported.answers.classes).toEqual([
      { name: '小一班', grade: 'small', children: 25 }, { name: '中一班', grade: 'middle', children: 30 }, { name: '大一班', grade: 'large', children: 32 },
    ]);
    const submitted = (await kindergarten.post(`${url}/submit`, { data: {} }).expect(200)).body.data;
    expect(submitted).toMatchObject({ state: 'submitted', late: false });
    expect(submitted.actions).toEqual([]);
    await kindergarten.put(url, { data: { answers: { kai_xue_you_er_shu: 1 } } }).expect(409);
  });

  test('its county returns it with a comment; it is corrected and approved; others may not review', async () => {
    const url = `/api/task-submissions/${mine.id}`;
    const shown = (await county.get(url).expect(200)).body.data;
    expect(shown.actions.sort()).toEqual(['approve', 'return']);
    await prefecture.post(`${url}/review`, { data: { decision: 'approve' } }).expect(403);
    await county2.post(`${url}/review`, { data: { decision: 'approve' } }).expect(404);
    await kindergarten.post(`${url}/review`, { data: { decision: 'approve' } }).expect(403);
    const noComment = await county.post(`${url}/review`, { data: { decision: 'return' } }).expect(400);
    expect(noComment.body.error.message).toBe('退回须填写审核意见');
    const returned = (await county.post(`${url}/review`, { data: { decision: 'return', comment: '开学幼儿数与班级合计不符' } }).expect(200)).body.data;
    expect(returned).toMatchObject({ state: 'returned', reviewComment: '开学幼儿数与班级合计不符' });
    const corrected = (await kindergarten.put(url, { data: { answers: { kai_xue_you_er_shu: 87 } } }).expect(200)).body.data;
    expect(corrected.answers.kai_xue_you_er_shu).toBe(87);
    await kindergarten.post(`${url}/submit`, { data: {} }).expect(200);
    const approved = (await county.post(`${url}/review`, { data: { decision: 'approve' } }).expect(200)).body.data;
    expect(approved.state).toBe('approved');
    expect(approved.history.map((h: any) => h.action)).toEqual(['submit', 'return', 'submit', 'approve']);
    await county.post(`${url}/review`, { data: { decision: 'approve' } }).expect(409);
  });

  test('completion per county, by level: the province all four, the county its two, the kindergarten none of the others', async () => {
    const all = (await province.get(`/api/collection-tasks/${taskId}/completion`).expect(200)).body.data;
    expect(all.total).toMatchObject({ assigned: 4, approved: 1, draft: 3, submitted: 0, overdue: 0 });
    expect(all.byCounty.map((c: any) => [c.countyName, c.assigned, c.approved])).toEqual([['鲤城区', 2, 1], ['丰泽区', 1, 0], ['石狮市', 1, 0]]);
    expect(all.byCounty[0].missing.map((m: any) => m.code)).toEqual(['3135050202']);
    expect((await ministry.get(`/api/collection-tasks/${taskId}/completion`).expect(200)).body.data.total.assigned).toBe(4);
    expect((await prefecture.get(`/api/collection-tasks/${taskId}/completion`).expect(200)).body.data.total.assigned).toBe(4);
    const own = (await county.get(`/api/collection-tasks/${taskId}/completion`).expect(200)).body.data;
    expect(own.total).toMatchObject({ assigned: 2, approved: 1 });
    await county2.get(`/api/collection-tasks/${taskId}/completion`).expect(404);
    await kindergarten.get(`/api/collection-tasks/${taskId}/completion`).expect(403);
  });

  test('overdue: a submission past its due date is flagged per county', async () => {
    await app.strapi.db.query('api::task-submission.task-submission').updateMany({ where: { taskId, institutionCode: '3135058101' }, data: { dueDate: '2020-01-01' } });
    const all = (await province.get(`/api/collection-tasks/${taskId}/completion`).expect(200)).body.data;
    expect(all.byCounty.find((c: any) => c.countyCode === '350581')).toMatchObject({ overdue: 1, missing: [expect.objectContaining({ code: '3135058101', overdue: true })] });
    expect(all.total.overdue).toBe(1);
  });

  test('the export carries the answers, one sheet per repeating table, and is recorded', async () => {
    const book = await workbookOf(await download(province, `/api/collection-tasks/${taskId}/export`));
    expect(book.worksheets.map((w) => w.name)).toEqual(['答卷', '班级情况']);
    const main = sheetRows(book.getWorksheet('答卷')!);
    expect(main[0]).toEqual(['幼儿园代码', '幼儿园名称', '区县', '状态', '提交时间', '是否逾期', '城乡分类', '开学幼儿数', '是否按时开学', '联系电话', '开学照片']);
    expect(main).toHaveLength(5);
    const row = main.find((r) => r[0] === '3135050201')!;
    expect(row.slice(3, 4)).toEqual(['已通过']);
    expect(row.slice(6, 9)).toEqual(['主城区', 87, '是']);
    const classes = sheetRows(book.getWorksheet('班级情况')!);
    expect(classes.slice(1).map((r) => [r[0], r[3], r[4], r[5], r[6]])).toEqual([
      ['3135050201', 1, '小一班', '小班', 25], ['3135050201', 2, '中一班', '中班', 30], ['3135050201', 3, '大一班', '大班', 32],
    ]);
    const recorded = await app.strapi.db.query('api::export-record.export-record').findOne({ where: { kind: 'collection-task', username: 'demo-province' }, orderBy: { id: 'desc' } });
    expect(recorded).toMatchObject({ rowCount: 7, reach: 'region:35' });
    // a county exports its own kindergartens' answers only
    const own = sheetRows((await workbookOf(await download(county, `/api/collection-tasks/${taskId}/export`))).getWorksheet('答卷')!);
    expect(own.slice(1).map((r) => r[0])).toEqual(['3135050201', '3135050202']);
  });

  test('numeric and coded fields as a chart data source, grouped in SQL and scoped', async () => {
    const byValue = (await province.get(`/api/collection-tasks/${taskId}/figures?field=cheng_xiang_fen_lei`).expect(200)).body.data;
    expect(byValue).toMatchObject({ by: 'value', rows: [{ key: '111', label: '主城区', count: 1 }], total: { count: 1 } });
    const byCounty = (await province.get(`/api/collection-tasks/${taskId}/figures?field=kai_xue_you_er_shu`).expect(200)).body.data;
    expect(byCounty.rows).toEqual([{ key: '350502', label: '鲤城区', count: 1, sum: 87 }]);
    const yesNo = (await county.get(`/api/collection-tasks/${taskId}/figures?field=shi_fou_an_shi_kai_xue`).expect(200)).body.data;
    expect(yesNo.rows).toEqual([{ key: 'true', label: '是', count: 1, sum: null }]);
    // 丰泽区's county account would see none of 鲤城区's figures: the prefecture narrowed to another city sees nothing
    await county2.get(`/api/collection-tasks/${taskId}/figures?field=kai_xue_you_er_shu`).expect(404);
    const bad = await province.get(`/api/collection-tasks/${taskId}/figures?field=lian_xi_dian_hua`).expect(400);
    expect(bad.body.error.details.errors[0].path).toEqual(['field']);
  });

  test('a chart page shows the task: the catalog offers its fields, figures equal hand SQL, approved only, scoped', async () => {
    const catalog = (await province.get('/api/statistics/catalog').expect(200)).body;
    const source = catalog.tasks.find((t: any) => t.id === taskId);
    expect(source.indicators.map((i: any) => i.key.split(':')[2])).toEqual(['submissions', 'kai_xue_you_er_shu', 'classes', 'classes.children']);
    expect(source.dimensions.map((d: any) => d.key.replace(`task:${taskId}:`, ''))).toEqual(['province', 'prefecture', 'county', 'cheng_xiang_fen_lei', 'shi_fou_an_shi_kai_xue', 'classes.grade']);
    // the kindergarten outside the set is offered nothing of it; the county (its assignees) is
    expect((await kindergarten2.get('/api/statistics/catalog').expect(200)).body.tasks.some((t: any) => t.id === taskId)).toBe(false);
    expect((await county.get('/api/statistics/catalog').expect(200)).body.tasks.some((t: any) => t.id === taskId)).toBe(true);
    // the hand SQL: the approved submissions' class sizes per county (a draft of 180 never counts)
    const knex = app.strapi.db.connection;
    const hand = app.strapi.db.dialect.client === 'postgres'
      ? await knex.raw(`SELECT s.county_code AS k, SUM((r.value ->> 'children')::numeric) AS v, COUNT(*) AS n FROM task_submissions s CROSS JOIN LATERAL jsonb_array_elements(s.answers -> 'classes') AS r(value) WHERE s.task_id = ? AND s.state = 'approved' GROUP BY s.county_code ORDER BY 1`, [taskId]).then((r: any) => r.rows)
      : await knex.raw(`SELECT s.county_code AS k, SUM(json_extract(r.value, '$.children')) AS v, COUNT(*) AS n FROM task_submissions s, json_each(s.answers, '$.classes') AS r WHERE s.task_id = ? AND s.state = 'approved' GROUP BY s.county_code ORDER BY 1`, [taskId]);
    expect(hand.map((r: any) => [r.k, Number(r.v), Number(r.n)])).toEqual([['350502', 87, 3]]);
    const query = async (session: Session, indicator: string, dimension: string, filters = {}) => (await session.post('/api/statistics/query', { indicator: `task:${taskId}:${indicator}`, dimension, filters }).expect(200)).body;
    const sums = await query(province, 'classes.children', 'county');
    expect(sums.rows.map((r: any) => [r.key, r.label, r.value])).toEqual(hand.map((r: any) => [r.k, '鲤城区', Number(r.v)]));
    expect(sums.indicator.label).toBe(`${design.title}·班级情况·幼儿数（合计）`);
    expect((await query(province, 'classes', `task:${taskId}:classes.grade`)).rows.map((r: any) => [r.label, r.value])).toEqual([['大班', 1], ['中班', 1], ['小班', 1]]);
    expect((await query(province, 'kai_xue_you_er_shu', 'prefecture')).rows).toEqual([{ key: '350500', label: '泉州市', value: 87 }]);
    expect((await query(province, 'submissions', `task:${taskId}:cheng_xiang_fen_lei`)).rows).toEqual([{ key: '111', label: '主城区', value: 1 }]);
    // scoped: a region filter outside the figures, a county of another city, a kindergarten of another city
    expect((await query(province, 'submissions', 'county', { region: '350503' })).rows).toEqual([]);
    await county2.post('/api/statistics/query', { indicator: `task:${taskId}:submissions`, dimension: 'county' }).expect(400);
    const bad = await province.post('/api/statistics/query', { indicator: `task:${taskId}:lian_xi_dian_hua`, dimension: 'county' }).expect(400);
    expect(bad.body.error.details.errors[0].path).toEqual(['indicator']);
    const mixed = await province.post('/api/statistics/query', { indicator: `task:${taskId}:kai_xue_you_er_shu`, dimension: `task:${taskId}:classes.grade` }).expect(400);
    expect(mixed.body.error.message).toContain('同一表格');
    // the analysts' chart page
    const page = (await province.post('/api/chart-pages', { data: { title: '开学情况', charts: [
      { title: '各区县班级幼儿数', indicator: `task:${taskId}:classes.children`, dimension: 'county', filters: {}, type: 'bar' },
      { title: '城乡分类', indicator: `task:${taskId}:submissions`, dimension: `task:${taskId}:cheng_xiang_fen_lei`, filters: {}, type: 'pie' },
    ] } }).expect(201)).body.data;
    const drawn = (await province.get(`/api/chart-pages/${page.documentId}/data`).expect(200)).body.data;
    expect(drawn.map((c: any) => c.result.rows.map((r: any) => r.value))).toEqual([[87], [1]]);
    await province.post('/api/chart-pages', { data: { title: '坏', charts: [{ indicator: `task:${taskId}:submissions`, dimension: 'sex', type: 'bar' }] } }).expect(400);
  });

  test('closing: no more submissions; the designer only', async () => {
    await county.post(`/api/collection-tasks/${taskId}/close`, { data: {} }).expect(404);
    expect((await province.post(`/api/collection-tasks/${taskId}/close`, { data: {} }).expect(200)).body.data.state).toBe('closed');
    const other = (await county.get(`/api/task-submissions?filters[taskId]=${taskId}&filters[institutionCode]=3135050202`).expect(200)).body.data[0];
    expect(other.state).toBe('draft');
  });
});

describe('a county designs for its own kindergartens, without review', () => {
  test('published to its kindergartens; a submission counts at once', async () => {
    const created = (await county.post('/api/collection-tasks', { data: {
      title: '安全隐患排查', countyReview: false, assignees: { inclusive: true },
      form: { sections: [{ title: '排查', fields: [{ label: '隐患数', type: 'number', required: true, min: 0 }] }] },
    } }).expect(201)).body.data;
    expect(created.regionCode).toBe('350502');
    const published = (await county.post(`/api/collection-tasks/${created.documentId}/publish`, { data: {} }).expect(200)).body.data;
    expect(published.assignedCount).toBe(3);
    await kindergarten2.get(`/api/collection-tasks/${created.documentId}`).expect(404);
    const mine = (await kindergarten.get(`/api/task-submissions?filters[taskId]=${created.documentId}`).expect(200)).body.data[0];
    const done = (await kindergarten.post(`/api/task-submissions/${mine.documentId}/submit`, { data: { answers: { yin_huan_shu: 0 } } }).expect(200)).body.data;
    expect(done.state).toBe('approved');
  });
});

describe('cross-field rules: designed as data, checked on submit naming the fields', () => {
  test('a bad rule is refused naming it; a broken rule refuses the submission; the words are in the form', async () => {
    const fields = [
      { key: 'places', label: '核定学位数', type: 'number', required: true },
      { key: 'enrolled', label: '在园幼儿数', type: 'number', required: true },
      { key: 'has_hazard', label: '是否存在隐患', type: 'boolean', required: true },
      { key: 'hazard', label: '隐患描述', type: 'text' },
      { key: 'rooms', label: '活动室', type: 'table', columns: [{ key: 'name', label: '名称', type: 'text' }, { key: 'children', label: '幼儿数', type: 'number' }] },
    ];
    const rules = [
      { kind: 'compare', field: 'enrolled', op: '<=', other: 'places' },
      { kind: 'requiredIf', field: 'hazard', when: 'has_hazard', equals: true },
      { kind: 'sum', table: 'rooms', column: 'children', field: 'enrolled' },
    ];
    const bad = await county.post('/api/collection-tasks', { data: { title: '规则', form: { sections: [{ title: '一', fields }], rules: [{ kind: 'compare', field: 'hazard', op: '<=', other: 'places' }, { kind: 'sum', table: 'rooms', column: 'name', field: 'enrolled' }] } } }).expect(400);
    expect(bad.body.error.details.errors.map((e: any) => e.path.join('.'))).toEqual(['form.rules.0.field', 'form.rules.1.column']);
    const created = (await county.post('/api/collection-tasks', { data: { title: '学位与安全', countyReview: false, form: { sections: [{ title: '一', fields }], rules } } }).expect(201)).body.data;
    expect(created.form.rules.map((r: any) => r.text)).toEqual(['在园幼儿数须小于或等于核定学位数', '是否存在隐患为“是”时，隐患描述必填', '活动室的「幼儿数」合计须等于在园幼儿数']);
    await county.post(`/api/collection-tasks/${created.documentId}/publish`, { data: {} }).expect(200);
    const mine = (await kindergarten.get(`/api/task-submissions?filters[taskId]=${created.documentId}`).expect(200)).body.data[0];
    const url = `/api/task-submissions/${mine.documentId}`;
    expect((await kindergarten.get(url).expect(200)).body.data.task.form.rules).toHaveLength(3);
    const answers = { places: 90, enrolled: 100, has_hazard: true, rooms: [{ name: '一', children: 60 }, { name: '二', children: 30 }] };
    const broken = await kindergarten.post(`${url}/submit`, { data: { answers } }).expect(400);
    expect(broken.body.error.details.errors.map((e: any) => [e.path.join('.'), e.message])).toEqual([
      ['answers.enrolled', '在园幼儿数（100）须小于或等于核定学位数（90）'],
      ['answers.hazard', '是否存在隐患为“是”时，隐患描述必填'],
      ['answers.enrolled', '活动室的「幼儿数」合计须等于在园幼儿数（合计 90，在园幼儿数 100）'],
    ]);
    // a draft is saved whatever the rules; the corrected answers are submitted
    await kindergarten.put(url, { data: { answers } }).expect(200);
    const done = (await kindergarten.post(`${url}/submit`, { data: { answers: { enrolled: 90, hazard: '围墙开裂' } } }).expect(200)).body.data;
    expect(done.state).toBe('approved');
  });
});

describe('the demo data: one finished and one open task', () => {
  test('seeded through the same service and transitions; seeding again adds none', async () => {
    const { seedDemoTasks } = require('../../cms/dist/src/bootstrap/demo-tasks');
    expect(await seedDemoTasks(app.strapi)).toBe(2);
    expect(await seedDemoTasks(app.strapi)).toBe(0);
    const tasks = (await province.get('/api/collection-tasks?filters[title][$startsWith]=2026').expect(200)).body.data;
    const finished = tasks.find((t: any) => t.title === '2026年春季学期开学情况专项填报');
    expect(finished).toMatchObject({ state: 'closed', assignedCount: 4 });
    expect((await province.get(`/api/collection-tasks/${finished.documentId}/completion`).expect(200)).body.data.total).toMatchObject({ assigned: 4, approved: 4 });
    const open = tasks.find((t: any) => t.title === '2026年秋季安全隐患排查');
    expect(open.state).toBe('published');
    // the prefecture's task goes to the 普惠 kindergartens of 泉州市 only, not to 厦门市's
    const completion = (await prefecture.get(`/api/collection-tasks/${open.documentId}/completion`).expect(200)).body.data;
    expect(completion.total).toMatchObject({ assigned: 5, submitted: 1, approved: 0 });
    expect(completion.byCounty.map((c: any) => c.countyCode)).toEqual(['350502', '350503', '350581']);
    const waiting = (await county.get(`/api/task-submissions?filters[taskId]=${open.documentId}&filters[state]=submitted`).expect(200)).body.data;
    expect(waiting.map((s: any) => [s.institutionCode, [...s.actions].sort()])).toEqual([['3135050201', ['approve', 'return']]]);
  });
});
