import type { Core } from '@strapi/strapi';
import { readDomainConfig } from '../../runtime/paths';
import { liveJobIds } from '../../api/child-import/services/child-import';

const JOB = 'api::child-import.child-import';
/** The states of a job some process is working on. */
export const RUNNING_STATES = ['queued', 'validating', 'importing'];
export const INTERRUPTED_MESSAGE = '导入因服务重启而中断，请重新上传';

type Settings = { staleMinutes: number; heartbeatSeconds: number };
function settings(): Settings {
  const values = readDomainConfig<{ interruptedJobs?: Partial<Settings> }>('imports.json').interruptedJobs ?? {};
  return { staleMinutes: Number(values.staleMinutes) || 10, heartbeatSeconds: Number(values.heartbeatSeconds) || 60 };
}

/**
 * Several instances share one database and a job row does not say which process runs it: its
 * `updatedAt` is the heartbeat. The process running a job refreshes it (every progress step, and
 * every heartbeatSeconds through keepAliveLiveJobs); a job in a running state whose updatedAt is
 * older than staleMinutes has no live owner (killed, restarted) and is marked failed, with the
 * reason, so the kindergarten uploads again instead of waiting for ever. The update re-checks the
 * state and the age in its WHERE, so a job refreshed meanwhile, or finished, is left alone.
 */
export async function markInterruptedImports(strapi: Core.Strapi, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - settings().staleMinutes * 60_000);
  const mine = liveJobIds();
  const where: Record<string, unknown> = { state: { $in: RUNNING_STATES }, updatedAt: { $lt: cutoff } };
  if (mine.length) where.id = { $notIn: mine };
  const { count } = await strapi.db.query(JOB as any).updateMany({
    where,
    data: { state: 'failed', message: INTERRUPTED_MESSAGE, finishedAt: now, updatedAt: now },
  });
  if (count) strapi.log.warn(`child import: ${count} job(s) interrupted by a restart marked failed`);
  return count;
}

/** The heartbeat of the jobs this process runs (a long insert step writes no progress). */
export async function keepAliveLiveJobs(strapi: Core.Strapi, now = new Date()): Promise<void> {
  const mine = liveJobIds();
  if (mine.length) await strapi.db.query(JOB as any).updateMany({ where: { id: { $in: mine }, state: { $in: RUNNING_STATES } }, data: { updatedAt: now } });
}

let timer: NodeJS.Timeout | undefined;
let sweeping: Promise<unknown> | undefined;

/** At start: marks the jobs interrupted before; then heartbeat and sweep every heartbeatSeconds. */
export async function watchInterruptedImports(strapi: Core.Strapi): Promise<void> {
  await markInterruptedImports(strapi);
  stopWatchingImports();
  timer = setInterval(() => {
    if (sweeping) return;
    sweeping = keepAliveLiveJobs(strapi)
      .then(() => markInterruptedImports(strapi))
      .catch((error) => strapi.log.debug(`child import heartbeat: ${error?.message ?? error}`))
      .finally(() => { sweeping = undefined; });
  }, settings().heartbeatSeconds * 1000);
  timer.unref();
}

/** Stops the heartbeat and waits for a sweep under way (before the database closes). */
export async function stopWatchingImports(): Promise<void> {
  if (timer) clearInterval(timer);
  timer = undefined;
  await sweeping;
}
