import { factories } from '@strapi/strapi';
import fs from 'node:fs';
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { conflictError, fieldError } from '../../../utils/validation';
import { actionsFor, actorMay, transition, type TransitionContext } from '../../../domain/workflows';
import { localDate } from '../../../domain/working-days';
import { answersError, buildTaskTemplate, checkAnswers, readTaskWorkbook, type TaskForm } from '../../../domain/collection-forms';
import { readDomainConfig } from '../../../runtime/paths';

const TASK = 'api::collection-task.collection-task';
const SUBMISSION = 'api::task-submission.task-submission';
const TASK_FIELDS = ['documentId', 'title', 'instructions', 'form', 'state', 'dueDate', 'countyReview', 'taskVersion', 'regionCode'];

/**
 * A kindergarten's submission to a collection task (专项填报, docs/collection-tasks.md): read with its
 * task's form, saved as a draft, filled from the task's Excel template, submitted and reviewed
 * through the one transition engine (config/transitions.json task-submission).
 */
export default factories.createCoreService('api::task-submission.task-submission' as any, ({ strapi }: { strapi: Core.Strapi }) => ({
  /** A submission in the caller's reach (404 otherwise), as the stored row (state, version, history). */
  async load(documentId: string) {
    const found: any = await strapi.documents(SUBMISSION as any).findOne({ documentId, fields: ['id'] } as any);
    if (!found) throw new errors.NotFoundError('Not Found');
    return strapi.db.query(SUBMISSION as any).findOne({ where: { id: found.id } });
  },

  async taskOf(submission: any) {
    const task = await strapi.db.query(TASK as any).findOne({ where: { documentId: submission.taskId }, select: TASK_FIELDS.filter((f) => f !== 'documentId').concat(['documentId']) });
    if (!task) throw new errors.NotFoundError('Not Found');
    return task;
  },

  async withActions(user: any, list: any[]) {
    const actions = await actionsFor(strapi, 'task-submission', user, list);
    list.forEach((record, i) => { record.actions = actions[i]; });
    return list;
  },

  /** The submission with its task's form (the screen is generated from it) and the caller's actions. */
  async show(user: any, documentId: string) {
    const row = await this.load(documentId);
    const task = await this.taskOf(row);
    const { id: _id, ...rest } = row;
    const record = { ...rest, id: row.documentId, task: { id: task.documentId, title: task.title, instructions: task.instructions, form: task.form, state: task.state, dueDate: task.dueDate, countyReview: task.countyReview, taskVersion: task.taskVersion } };
    await this.withActions(user, [record]);
    return record;
  },

  /** What a kindergarten may write now: its own submission, not yet submitted, of a task still open. */
  async writable(user: any, documentId: string) {
    const row = await this.load(documentId);
    if (!actorMay(strapi, 'task-submission', 'submit', user, row)) throw new errors.ForbiddenError('专项填报由被分配的幼儿园填写和提交');
    if (!['draft', 'returned'].includes(row.state)) throw conflictError('该填报已提交，不能再修改', ['state']);
    const task = await this.taskOf(row);
    if (task.state !== 'published') throw conflictError('该填报任务已关闭', ['state']);
    return { row, task };
  },

  /** Saves a draft: the answers sent are checked (types, ranges, codes; required only at submission) and merged. */
  async saveDraft(user: any, documentId: string, data: any) {
    const { row, task } = await this.writable(user, documentId);
    const { values, problems } = await checkAnswers(strapi, task.form as TaskForm, data?.answers, { previous: row.answers, enforceRequired: false });
    if (problems.length) throw answersError(problems);
    const { count } = await strapi.db.query(SUBMISSION as any).updateMany({ where: { id: row.id, state: { $in: ['draft', 'returned'] } }, data: { answers: values, savedAt: new Date() } });
    if (count !== 1) throw conflictError('该填报已提交，不能再修改', ['state']);
    return this.show(user, documentId);
  },

  /** Check of `submit`: the task still open, every answer valid and every required one there; the county reviews or it counts at once. */
  async checkSubmission(ctx: TransitionContext) {
    const row = ctx.record;
    const task = await this.taskOf(row);
    if (task.state !== 'published') throw conflictError('该填报任务已关闭', ['state']);
    const { values, problems } = await checkAnswers(strapi, task.form as TaskForm, ctx.input.answers, { previous: row.answers, enforceRequired: true });
    if (problems.length) throw answersError(problems);
    ctx.data.answers = values;
    ctx.data.late = Boolean(row.dueDate && localDate() > String(row.dueDate));
    ctx.to = task.countyReview === false ? 'approved' : 'submitted';
  },

  async submit(user: any, documentId: string, input: any) {
    const row = await this.load(documentId);
    await transition(strapi, { machine: 'task-submission', action: 'submit', actor: user, record: row, input: { answers: input?.answers, version: input?.version } });
    return this.show(user, documentId);
  },

  async review(user: any, documentId: string, input: any) {
    const decision = input?.decision;
    if (!['approve', 'return'].includes(decision)) throw fieldError('decision', '审核结果须为通过（approve）或退回（return）');
    const row = await this.load(documentId);
    await transition(strapi, { machine: 'task-submission', action: decision, actor: user, record: row, input: { comment: input?.comment, version: input?.version } });
    return this.show(user, documentId);
  },

  async template(user: any, documentId: string) {
    const row = await this.load(documentId);
    const task = await this.taskOf(row);
    return { buffer: await buildTaskTemplate(task, row.answers ?? {}), fileName: `${task.title}-填报模板.xlsx` };
  },

  /**
   * Fills a draft from the task's filled template. Every problem is reported by sheet, row and
   * column (cells that cannot be read, then the answers' rules); with any problem nothing is saved.
   */
  async importWorkbook(user: any, documentId: string, file: any) {
    const { row, task } = await this.writable(user, documentId);
    const upload = Array.isArray(file) ? file[0] : file;
    if (!upload) throw fieldError('file', '请选择要上传的 Excel 文件（.xlsx）');
    const { maxBytes } = readDomainConfig<{ maxBytes: number }>('imports.json');
    const buffer = await fs.promises.readFile(upload.filepath ?? upload.path);
    const read = await readTaskWorkbook(buffer, task.form as TaskForm, maxBytes);
    const report = [...read.problems];
    if (!report.length) {
      const { problems } = await checkAnswers(strapi, task.form as TaskForm, read.answers, { previous: row.answers, enforceRequired: false });
      for (const p of problems) report.push({ ...read.rowOf(p.path), message: p.message });
    }
    if (report.length) {
      const message = `导入文件有 ${report.length} 处错误，未保存：请按错误说明改正后重新上传`;
      throw new errors.ValidationError(message, {
        errors: report.map((p) => ({ path: ['file', p.sheet, String(p.row), p.column], message: `${p.sheet}${p.row ? ` 第 ${p.row} 行` : ''}${p.column ? `「${p.column}」` : ''}：${p.message}`, name: 'ValidationError' })),
        rows: report,
      });
    }
    return this.saveDraft(user, documentId, { answers: read.answers });
  },
}));
