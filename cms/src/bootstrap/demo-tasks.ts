import type { Core } from '@strapi/strapi';
import { readDomainConfig } from '../runtime/paths';
import { SYSTEM } from '../security/can';
import { transition } from '../domain/workflows';

type DemoTask = { designer: string; finished: boolean; design: Record<string, any>; answers: Record<string, Record<string, unknown>> };

const TASK = 'api::collection-task.collection-task';
const SUBMISSION = 'api::task-submission.task-submission';

/**
 * The demo's collection tasks (config/demo.json `collectionTasks`, docs/collection-tasks.md): each is
 * designed by its demo account and published through the same service and transitions as in the
 * panel; the listed kindergartens' answers are submitted (checked like any submission). A finished
 * task's answers are approved and the task closed; an open one's wait for their county. Idempotent:
 * a task whose title exists is skipped.
 */
export async function seedDemoTasks(strapi: Core.Strapi): Promise<number> {
  const plan = readDomainConfig<{ collectionTasks?: DemoTask[] }>('demo.json').collectionTasks ?? [];
  const tasks = strapi.service(TASK) as any;
  let created = 0;
  for (const entry of plan) {
    if (await strapi.db.query(TASK as any).findOne({ where: { title: entry.design.title }, select: ['id'] })) continue;
    const designer = await strapi.db.query('plugin::users-permissions.user').findOne({ where: { username: entry.designer }, populate: { role: true } });
    if (!designer) continue;
    const task = await tasks.design(designer, entry.design);
    const row = await strapi.db.query(TASK as any).findOne({ where: { documentId: task.documentId } });
    await transition(strapi, { machine: 'collection-task', action: 'publish', actor: designer, record: row });
    for (const [code, answers] of Object.entries(entry.answers ?? {})) {
      const submission = await strapi.db.query(SUBMISSION as any).findOne({ where: { taskId: task.documentId, institutionCode: code } });
      if (!submission) continue;
      await transition(strapi, { machine: 'task-submission', action: 'submit', actor: SYSTEM, record: submission, input: { answers } });
      if (entry.finished) {
        const submitted = await strapi.db.query(SUBMISSION as any).findOne({ where: { id: submission.id } });
        await transition(strapi, { machine: 'task-submission', action: 'approve', actor: SYSTEM, record: submitted, input: { comment: '演示数据：审核通过' } });
      }
    }
    if (entry.finished) {
      await transition(strapi, { machine: 'collection-task', action: 'close', actor: SYSTEM, record: await strapi.db.query(TASK as any).findOne({ where: { id: row.id } }) });
    }
    created += 1;
  }
  return created;
}
