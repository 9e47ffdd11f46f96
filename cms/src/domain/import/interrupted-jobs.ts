import type { Core } from '@strapi/strapi';
import { readDomainConfig } from '../../runtime/paths';
import { IMPORT_JOB, liveJobIds } from '../../api/child-import/services/child-import';
import { jobQueue } from '../../runtime/jobs';
import { periodicSweep, type PeriodicSweep } from '../../runtime/periodic-sweep';

const JOB = 'api::child-import.child-import';
const UPLOAD = 'api::child-import.child-import-upload';
/** The states of a job some process is working on. */
export const RUNNING_STATES = ['queued', 'validating', 'importing'];
export const INTERRUPTED_MESSAGE = '导入因服务重启而中断，请重新上传';

type Settings = { staleMinutes: number; heartbeatSeconds: number; maxResumes: number };
function settings(): Settings {
  const values = readDomainConfig<{ interruptedJobs?: Partial<Settings> }>('imports.json').interruptedJobs ?? {};
  const resumes = Number(values.maxResumes);
  return { staleMinutes: Number(values.staleMinutes) || 10, heartbeatSeconds: Number(values.heartbeatSeconds) || 60, maxResumes: Number.isInteger(resumes) && resumes >= 0 ? resumes : 2 };
}

export const RESUMED_MESSAGE = '导入因服务重启而中断，已自动重新开始';

/**
 * Several instances share one database and a job row does not say which process runs it: its
 * `updatedAt` is the heartbeat. The process running a job refreshes it (every progress step, and
 * every heartbeatSeconds through keepAliveLiveJobs); a job in a running state whose updatedAt is
 * older than staleMinutes has no live owner (killed, restarted). While its workbook is stored
 * (child-import-upload) and it has run at most maxResumes + 1 times, it is queued again: any
 * instance resumes it from the start (the insert is one transaction: the cut run wrote nothing).
 * Otherwise it is marked failed, with the reason, so the kindergarten uploads again instead of
 * waiting for ever. Each update re-checks the state and the age in its WHERE, so a job refreshed
 * meanwhile, or finished, is left alone. Returns the jobs queued again or failed.
 */
export async function markInterruptedImports(strapi: Core.Strapi, now = new Date()): Promise<number> {
  const { staleMinutes, maxResumes } = settings();
  const cutoff = new Date(now.getTime() - staleMinutes * 60_000);
  const mine = liveJobIds();
  const where: Record<string, unknown> = { state: { $in: RUNNING_STATES }, updatedAt: { $lt: cutoff } };
  if (mine.length) where.id = { $notIn: mine };
  const stale = await strapi.db.query(JOB as any).findMany({ where, select: ['id', 'documentId', 'state', 'attempts'], limit: 500 });
  if (!stale.length) return 0;
  const ids = stale.map((job: any) => job.id);
  const stored = new Set((await strapi.db.query(UPLOAD as any).findMany({ where: { job: { $in: ids } }, select: ['job'] })).map((row: any) => Number(row.job)));
  let resumed = 0;
  let failed = 0;
  for (const job of stale) {
    const unchanged = { id: job.id, state: { $in: RUNNING_STATES }, updatedAt: { $lt: cutoff } };
    if (stored.has(job.id) && (Number(job.attempts) || 0) <= maxResumes) {
      // a job still waiting for a free instance keeps its message; one cut mid-run says it restarted
      const data: Record<string, unknown> = { state: 'queued', processed: 0, imported: 0, updatedAt: now };
      if (job.state !== 'queued') data.message = RESUMED_MESSAGE;
      const { count } = await strapi.db.query(JOB as any).updateMany({ where: unchanged, data });
      if (!count) continue;
      resumed += 1;
      // a key of its own per resume: the cut run's delivery may still count as active in the queue
      // (until its expiry, config/cluster.json) and would hold back a job sent under the same key;
      // the conditional claim of runQueued keeps the run single whatever is delivered
      await jobQueue(strapi).send(IMPORT_JOB, { id: job.id }, { singletonKey: `${job.documentId}:resume${Number(job.attempts) || 0}` })
        .catch((error: Error) => strapi.log.warn(`child import ${job.documentId}: not queued again (${error.message}); the next sweep tries again`));
    } else {
      const { count } = await strapi.db.query(JOB as any).updateMany({
        where: unchanged,
        data: { state: 'failed', message: INTERRUPTED_MESSAGE, finishedAt: now, updatedAt: now },
      });
      failed += count;
    }
  }
  if (failed) strapi.log.warn(`child import: ${failed} job(s) interrupted by a restart marked failed`);
  if (resumed) strapi.log.warn(`child import: ${resumed} job(s) interrupted by a restart queued again`);
  return resumed + failed;
}

/** The heartbeat of the jobs this process runs (a long insert step writes no progress). */
export async function keepAliveLiveJobs(strapi: Core.Strapi, now = new Date()): Promise<void> {
  const mine = liveJobIds();
  if (mine.length) await strapi.db.query(JOB as any).updateMany({ where: { id: { $in: mine }, state: { $in: RUNNING_STATES } }, data: { updatedAt: now } });
}

let sweep: PeriodicSweep | undefined;

/** At start: marks the jobs interrupted before; then heartbeat and sweep every heartbeatSeconds. */
export async function watchInterruptedImports(strapi: Core.Strapi): Promise<void> {
  await markInterruptedImports(strapi);
  await stopWatchingImports();
  sweep = periodicSweep(
    () => keepAliveLiveJobs(strapi).then(() => markInterruptedImports(strapi)),
    (error: any) => strapi.log.debug(`child import heartbeat: ${error?.message ?? error}`),
  );
  sweep.start(settings().heartbeatSeconds * 1000);
}

/** Stops the heartbeat and waits for a sweep under way (before the database closes). */
export async function stopWatchingImports(): Promise<void> {
  await sweep?.stop();
  sweep = undefined;
}
