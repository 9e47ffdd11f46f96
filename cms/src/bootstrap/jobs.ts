import type { Core } from '@strapi/strapi';
import { jobQueue } from '../runtime/jobs';

/** The monthly snapshot as a job (config/cluster.json `jobs`). */
export const SNAPSHOT_JOB = 'archive-snapshot';

/**
 * The background jobs of the app, on the job queue (cms/src/runtime/jobs.ts), started on every
 * instance: any instance takes any job.
 * - archive-snapshot: the monthly snapshot of `data.period`, or of the latest period due when it is
 *   missing (the cron tick). Exactly one per period: the plugin claims the period with a unique row
 *   (plugins/archive-snapshot/server/src/services/snapshots.ts); a run cut short by a crash leaves
 *   its claim and its job active: the job expires after expireInMinutes (longer than the claim's
 *   takeover time), is retried on a live instance, and the retry takes the claim over.
 *   ARCHIVE_SCHEDULE=false leaves out the cron tick (tests).
 */
export async function startJobs(strapi: Core.Strapi): Promise<void> {
  const queue = jobQueue(strapi);
  const snapshots = () => strapi.plugin('archive-snapshot').service('snapshots');
  queue.define(SNAPSHOT_JOB, async (data, job) => {
    const trigger = `job ${job.id}${job.retryCount ? ` (retry ${job.retryCount})` : ''}`;
    const row = typeof data?.period === 'string' ? await snapshots().run(data.period, trigger) : await snapshots().catchUp(trigger);
    return row ? { period: row.period, state: row.state, trigger: row.trigger } : null;
  }, process.env.ARCHIVE_SCHEDULE === 'false' ? { cron: null } : {});
  await queue.start();
}

export async function stopJobs(strapi: Core.Strapi): Promise<void> {
  await jobQueue(strapi).stop();
}
