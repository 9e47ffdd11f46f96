import { factories } from '@strapi/strapi';
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { createId } from '@paralleldrive/cuid2';
import { fieldError, fieldsError, conflictError } from '../../../utils/validation';
import { accessScope } from '../../../domain/request-context';
import { actionsFor, actorMay, transition, type TransitionContext } from '../../../domain/workflows';
import { addWorkingDays, localDate } from '../../../domain/working-days';
import { buildAnswersWorkbook, checkForm, fieldsOf, hasFields, type TaskForm } from '../../../domain/collection-forms';
import { customFieldSql } from '../../../domain/custom-fields';
import { entry, yesNoName } from '../../../domain/dictionaries';
import { recordExport } from '../../../domain/exports';
import { qualifiedTable } from '../../../runtime/tables';

const TASK = 'api::collection-task.collection-task';
const SUBMISSION = 'api::task-submission.task-submission';
const KINDERGARTEN = 'api::kindergarten.kindergarten';
const DESIGNERS = ['province', 'prefecture', 'county'];
const OWNERSHIPS = ['public', 'private'];

export type Assignees = { ownership: 'public' | 'private' | null; inclusive: boolean | null; regions: string[] };

/** The level a region code names: 350000 a province, 350500 a prefecture, 350502 a county. */
const levelOfRegion = (code: string) => (/^\d{2}0000$/.test(code) ? 'province' : /^\d{4}00$/.test(code) ? 'prefecture' : 'county');

/**
 * Collection tasks (专项填报, docs/collection-tasks.md): the designer's form checked as data, who fills
 * it, publishing (config/transitions.json collection-task: its check computes the assignees through
 * the access scope, its effect creates one submission per assignee in the move's transaction), new
 * versions, and the results: completion per county, the answers' workbook and figures grouped in SQL.
 */
export default factories.createCoreService('api::collection-task.collection-task' as any, ({ strapi }: { strapi: Core.Strapi }) => ({
  /** Checks the designer's fields (title, instructions, form, assignees, deadline, review); throws a 400 naming each. */
  checkDesign(data: Record<string, any>, creating: boolean) {
    const out: Record<string, any> = {};
    const problems: { field: string; message: string }[] = [];
    if (creating || data.title !== undefined) {
      const title = String(data.title ?? '').trim();
      if (!title || title.length > 100) problems.push({ field: 'title', message: '任务名称必填，最多 100 个字' });
      out.title = title;
    }
    if (data.instructions !== undefined) {
      if (data.instructions !== null && (typeof data.instructions !== 'string' || data.instructions.length > 5000)) problems.push({ field: 'instructions', message: '填报说明须为文字，最多 5000 个字' });
      out.instructions = data.instructions;
    }
    if (data.deadlineWorkingDays !== undefined || creating) {
      const days = Number(data.deadlineWorkingDays ?? 10);
      if (!Number.isInteger(days) || days < 1 || days > 250) problems.push({ field: 'deadlineWorkingDays', message: '填报期限须为 1 到 250 个工作日' });
      out.deadlineWorkingDays = days;
    }
    if (data.countyReview !== undefined) {
      if (typeof data.countyReview !== 'boolean') problems.push({ field: 'countyReview', message: '是否由县级审核须为“是”或“否”' });
      out.countyReview = data.countyReview;
    }
    if (data.assignees !== undefined || creating) {
      const a = data.assignees ?? {};
      if (typeof a !== 'object' || Array.isArray(a)) problems.push({ field: 'assignees', message: '填报对象须为 { ownership, inclusive, regions }' });
      else {
        const ownership = a.ownership ?? null;
        if (ownership !== null && !OWNERSHIPS.includes(ownership)) problems.push({ field: 'assignees.ownership', message: '办学性质须为公办（public）或民办（private），或不限' });
        const inclusive = a.inclusive ?? null;
        if (inclusive !== null && typeof inclusive !== 'boolean') problems.push({ field: 'assignees.inclusive', message: '普惠性须为“是”或“否”，或不限' });
        const regions = a.regions ?? [];
        if (!Array.isArray(regions) || regions.some((code: unknown) => typeof code !== 'string' || !/^\d{6}$/.test(code))) problems.push({ field: 'assignees.regions', message: '地区须为 6 位行政区划代码的列表' });
        else {
          const scope = accessScope(strapi);
          const reach = scope.currentReach();
          const outside = regions.filter((code: string) => !scope.overlapsRegion(reach, code.replace(/(00)+$/, '')));
          if (outside.length) problems.push({ field: 'assignees.regions', message: `地区超出管辖范围：${outside.join('、')}` });
        }
        out.assignees = { ownership, inclusive, regions: Array.isArray(regions) ? [...new Set(regions)] : [] } satisfies Assignees;
      }
    }
    if (data.form !== undefined || creating) {
      try {
        out.form = checkForm(data.form ?? { sections: [{ title: '基本情况', fields: [] }] });
      } catch (error: any) {
        if (error?.name !== 'ValidationError') throw error;
        for (const e of error.details?.errors ?? []) problems.push({ field: e.path.join('.'), message: e.message });
      }
    }
    if (problems.length) throw fieldsError(problems);
    return out;
  },

  async design(user: any, data: Record<string, any>) {
    if (!DESIGNERS.includes(user?.level)) throw new errors.ForbiddenError('填报任务由省级、地市级或县级教育部门设计');
    const checked = this.checkDesign(data ?? {}, true);
    return strapi.documents(TASK as any).create({
      data: { ...checked, state: 'draft', taskVersion: 1, regionCode: user.regionCode, ownerLevel: user.level, designerName: user.fullName || user.username } as any,
    });
  },

  /** A draft is edited by its designer; a published (or closed) form never changes: 409, make a new version. */
  async revise(user: any, documentId: string, data: Record<string, any>) {
    const task: any = await this.ownTask(user, documentId);
    if (task.state !== 'draft') throw conflictError('已发布的填报表单不能修改（已有填报依赖它）：请“建立新版本”', ['state']);
    const checked = this.checkDesign(data ?? {}, false);
    return strapi.documents(TASK as any).update({ documentId, data: checked as any });
  },

  /** A task in the caller's reach that the caller designs (the `owner` rule of its transitions); 404 or 403 otherwise. */
  async ownTask(user: any, documentId: string) {
    const task: any = await strapi.documents(TASK as any).findOne({ documentId });
    if (!task) throw new errors.NotFoundError('Not Found');
    if (!actorMay(strapi, 'collection-task', 'publish', user, task)) throw new errors.ForbiddenError('填报任务由设计它的教育部门修改');
    return task;
  },

  /**
   * A task as the caller may read it: in its reach (the designer's region: designers and the levels
   * above), or through one of its own submissions in its reach (a kindergarten assigned to it, the
   * county reviewing it). 404 otherwise: a kindergarten outside the assignees does not learn it exists.
   */
  async readable(documentId: string) {
    const own: any = await strapi.documents(TASK as any).findOne({ documentId });
    if (own) return own;
    const mine = await strapi.documents(SUBMISSION as any).findFirst({ filters: { taskId: documentId }, fields: ['id'] } as any);
    if (!mine) throw new errors.NotFoundError('Not Found');
    const task = await strapi.db.query(TASK as any).findOne({ where: { documentId } });
    if (!task) throw new errors.NotFoundError('Not Found');
    return task;
  },

  async withActions(user: any, list: any[]) {
    const actions = await actionsFor(strapi, 'collection-task', user, list);
    list.forEach((task, i) => { task.actions = actions[i]; });
    return list;
  },

  async move(user: any, documentId: string, action: 'publish' | 'close') {
    const task: any = await strapi.documents(TASK as any).findOne({ documentId });
    if (!task) throw new errors.NotFoundError('Not Found');
    const record = await strapi.db.query(TASK as any).findOne({ where: { id: task.id } });
    await transition(strapi, { machine: 'collection-task', action, actor: user, record });
    return strapi.documents(TASK as any).findOne({ documentId });
  },

  /**
   * The kindergartens a task goes to: the designer's reach ∩ the task's filter. The reach is the
   * task's region as the access scope turns it into a filter (so a publish by the system, in the
   * demo seeding, reaches no further), besides the scope of the call itself.
   */
  async assigneesOf(assignees: Assignees | null | undefined, regionCode: string) {
    const scope = accessScope(strapi);
    const reach = (code: string) => scope.filterFor(KINDERGARTEN, scope.reachOf({ level: levelOfRegion(code), regionCode: code } as any));
    const filters: any[] = [{ status: { $ne: 'closed' } }, reach(regionCode)];
    if (assignees?.ownership) filters.push({ ownership: assignees.ownership });
    if (assignees?.inclusive === true || assignees?.inclusive === false) filters.push({ inclusive: assignees.inclusive });
    if (assignees?.regions?.length) {
      const places = assignees.regions.map(reach).filter(Boolean);
      filters.push({ $or: places });
    }
    return (await strapi.documents(KINDERGARTEN as any).findMany({ filters: { $and: filters }, fields: ['code', 'name', 'countyCode'], sort: 'code:asc', limit: 100000 } as any)) as any[];
  },

  /** Check of `publish`: a form with fields, at least one assignee; fixes the due date. */
  async checkPublish(ctx: TransitionContext) {
    const task = ctx.record;
    if (!hasFields(task.form)) throw fieldError('form', '表单还没有字段：请先添加字段再发布');
    const kindergartens = await this.assigneesOf(task.assignees, task.regionCode);
    if (!kindergartens.length) throw fieldError('assignees', '没有符合条件的幼儿园：请调整填报对象');
    ctx.stash.kindergartens = kindergartens;
    ctx.data.dueDate = addWorkingDays(localDate(), Number(task.deadlineWorkingDays ?? 10));
    ctx.data.assignedCount = kindergartens.length;
  },

  /** Effect of `publish`: one submission per assignee kindergarten, in the move's transaction. */
  async assign(ctx: TransitionContext) {
    const task = ctx.record;
    const now = new Date();
    const rows = (ctx.stash.kindergartens as any[]).map((k) => ({
      documentId: createId(), taskId: task.documentId, taskTitle: task.title, kindergartenName: k.name, institutionCode: k.code, countyCode: k.countyCode,
      state: 'draft', version: 0, history: [], answers: {}, dueDate: ctx.data.dueDate, late: false, createdAt: now, updatedAt: now, publishedAt: now,
    }));
    for (let i = 0; i < rows.length; i += 500) await strapi.db.query(SUBMISSION as any).createMany({ data: rows.slice(i, i + 500) });
  },

  /** A new version: a draft copy of the form and settings (the published task and its answers stay as they are). */
  async newVersion(user: any, documentId: string) {
    const task: any = await this.ownTask(user, documentId);
    if (task.state === 'draft') throw conflictError('草稿可以直接修改，不需要新版本', ['state']);
    return strapi.documents(TASK as any).create({
      data: {
        title: task.title, instructions: task.instructions, form: task.form, assignees: task.assignees, deadlineWorkingDays: task.deadlineWorkingDays,
        countyReview: task.countyReview, state: 'draft', taskVersion: Number(task.taskVersion ?? 1) + 1, previousVersion: task.documentId,
        regionCode: task.regionCode, ownerLevel: task.ownerLevel, designerName: user.fullName || user.username,
      } as any,
    });
  },

  async regionNames(codes: string[]): Promise<Map<string, string>> {
    const unique = [...new Set(codes)];
    const rows = unique.length ? await strapi.db.query('api::region.region').findMany({ where: { code: { $in: unique } }, select: ['code', 'name'] }) : [];
    return new Map(rows.map((r: any) => [r.code, r.name] as [string, string]));
  },

  /** The caller's submissions of a task (its reach: the access scope's document middleware). */
  async submissionsOf(documentId: string, fields?: string[]) {
    return (await strapi.documents(SUBMISSION as any).findMany({ filters: { taskId: documentId }, ...(fields ? { fields } : {}), sort: ['countyCode:asc', 'institutionCode:asc'], limit: 100000 } as any)) as any[];
  },

  /**
   * Completion per county (like the monthly compliance): assigned, not submitted, submitted
   * (awaiting review), returned, approved, overdue (not submitted, or returned, after the due date)
   * and late (submitted after it); with the kindergartens still missing.
   */
  async completion(documentId: string) {
    const task: any = await this.readable(documentId);
    const today = localDate();
    const rows = await this.submissionsOf(documentId, ['institutionCode', 'kindergartenName', 'countyCode', 'state', 'late', 'dueDate', 'submittedAt']);
    const byCounty = new Map<string, any>();
    const empty = () => ({ assigned: 0, draft: 0, submitted: 0, returned: 0, approved: 0, overdue: 0, late: 0, missing: [] as any[] });
    const total = empty();
    for (const row of rows) {
      const county = byCounty.get(row.countyCode) ?? empty();
      const overdue = (row.state === 'draft' || row.state === 'returned') && row.dueDate && today > String(row.dueDate);
      for (const target of [county, total]) {
        target.assigned += 1;
        target[row.state] += 1;
        if (overdue) target.overdue += 1;
        if (row.late) target.late += 1;
      }
      if (row.state === 'draft' || row.state === 'returned') county.missing.push({ id: row.documentId, code: row.institutionCode, name: row.kindergartenName, state: row.state, overdue: Boolean(overdue) });
      byCounty.set(row.countyCode, county);
    }
    const names = await this.regionNames([...byCounty.keys()]);
    const { missing: _missing, ...totals } = total;
    return {
      task: { id: task.documentId, title: task.title, state: task.state, dueDate: task.dueDate, countyReview: task.countyReview, taskVersion: task.taskVersion },
      today,
      total: { ...totals, completion: totals.assigned ? totals.approved / totals.assigned : null },
      byCounty: [...byCounty.entries()].map(([countyCode, row]) => ({ countyCode, countyName: names.get(countyCode) ?? countyCode, ...row, completion: row.assigned ? row.approved / row.assigned : null })),
    };
  },

  /** Every answer in the caller's reach as a workbook (one sheet per repeating table); the export is recorded. */
  async exportAnswers(user: any, documentId: string, ip?: string) {
    const task: any = await this.readable(documentId);
    const submissions = await this.submissionsOf(documentId);
    const names = await this.regionNames(submissions.map((s) => s.countyCode));
    const { buffer, rows } = await buildAnswersWorkbook(task, submissions, names);
    await recordExport(strapi, { user, kind: 'collection-task', format: 'xlsx', filters: { task: documentId }, rowCount: rows, ip });
    return { buffer, fileName: `${task.title}-填报结果.xlsx` };
  },

  /**
   * A numeric or coded field of the task as a data source for charts, grouped in SQL over the
   * counted (approved) submissions in the caller's reach: by the field's value (yes/no and code
   * fields: how many kindergartens answered each) or by county (number fields: sum, and how many
   * answered). The key is always a field of the form (customFieldSql inlines it).
   */
  async figures(user: any, documentId: string, query: { field?: unknown; by?: unknown }) {
    const task: any = await this.readable(documentId);
    const field = fieldsOf(task.form as TaskForm).find((f) => f.key === query.field && ['number', 'boolean', 'choice'].includes(f.type));
    if (!field) throw fieldError('field', '须选择表单中的数字、是/否或代码表字段');
    const by = query.by === undefined || query.by === '' ? (field.type === 'number' ? 'county' : 'value') : String(query.by);
    if (!['value', 'county'].includes(by)) throw fieldError('by', '分组须为 value（按填报值）或 county（按区县）');
    if (by === 'value' && field.type === 'number') throw fieldError('by', '数字字段按区县分组');
    const knex = strapi.db.connection;
    const expression = customFieldSql(strapi.db.dialect.client, 's.answers', field.key);
    const q = knex({ s: qualifiedTable(strapi, 'task_submissions') }).where('s.task_id', documentId).where('s.state', 'approved');
    const scope = accessScope(strapi);
    scope.whereSql(q, scope.reachOf(user), { county: 's.county_code', institution: 's.institution_code' });
    const numeric = strapi.db.dialect.client === 'postgres' ? `CAST(${expression} AS NUMERIC)` : `CAST(${expression} AS REAL)`;
    const group = by === 'county' ? 's.county_code' : expression;
    const rows: any[] = await q
      .select(knex.raw(`${group} AS k`))
      .count({ n: '*' })
      // only a number field is summed (PostgreSQL casts nothing else to a number)
      .select(knex.raw(field.type === 'number' ? `SUM(${numeric}) AS total` : 'NULL AS total'))
      .whereRaw(`${expression} IS NOT NULL`)
      .groupByRaw(group)
      .orderByRaw('1');
    const names = by === 'county' ? await this.regionNames(rows.map((r) => String(r.k))) : new Map<string, string>();
    const label = (key: string) => (by === 'county' ? names.get(key) ?? key : field.type === 'boolean' ? yesNoName(key === 'true') : entry(field.codeTable ?? '', key)?.name ?? key);
    const result = rows.map((r) => ({ key: String(r.k), label: label(String(r.k)), count: Number(r.n), sum: field.type === 'number' ? Number(r.total ?? 0) : null }));
    return {
      task: { id: task.documentId, title: task.title },
      field: { key: field.key, label: field.label, type: field.type },
      by,
      rows: result,
      total: { count: result.reduce((s, r) => s + r.count, 0), sum: field.type === 'number' ? result.reduce((s, r) => s + (r.sum ?? 0), 0) : null },
    };
  },
}));
