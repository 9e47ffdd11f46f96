import type { Core } from '@strapi/strapi';
import { jobQueue } from '../runtime/jobs';
import { IMPORT_JOB } from '../api/child-import/services/child-import';
import { EXPORT_JOB } from '../api/export-job/services/export-job';

/** Expired import reports deleted (config/cluster.json: hourly). */
export const REPORT_CLEANUP_JOB = 'import-report-cleanup';

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
 * - child-import: an Excel import `{ id }` (cms/src/api/child-import/services/child-import.ts): the
 *   job row is claimed by a conditional update, so a second delivery of the same job does nothing.
 * - list-export: a list export above config/imports.json exportJobAboveRows `{ id }`
 *   (cms/src/api/export-job/services/export-job.ts): claimed by a conditional update like the import.
 * - import-report-cleanup: the import reports past their retention deleted, and the export files
 *   past theirs (export jobs abandoned by dead instances failed), one run per cron tick in the
 *   whole cluster.
 */
export async function startJobs(strapi: Core.Strapi): Promise<void> {
  const queue = jobQueue(strapi);
  const snapshots = () => strapi.plugin('archive-snapshot').service('snapshots');
  queue.define(SNAPSHOT_JOB, async (data, job) => {
    const trigger = `job ${job.id}${job.retryCount ? ` (retry ${job.retryCount})` : ''}`;
    const row = typeof data?.period === 'string' ? await snapshots().run(data.period, trigger) : await snapshots().catchUp(trigger);
    return row ? { period: row.period, state: row.state, trigger: row.trigger } : null;
  }, process.env.ARCHIVE_SCHEDULE === 'false' ? { cron: null } : {});
  const imports = () => strapi.service('api::child-import.child-import') as any;
  queue.define(IMPORT_JOB, async (data) => imports().runQueued(data));
  const exportJobs = () => strapi.service('api::export-job.export-job') as any;
  queue.define(EXPORT_JOB, async (data) => exportJobs().runQueued(data));
  queue.define(REPORT_CLEANUP_JOB, async () => ({ expired: await imports().expireReports(), exportFiles: await exportJobs().expire() }));
  await queue.start();
}

export async function stopJobs(strapi: Core.Strapi): Promise<void> {
  await jobQueue(strapi).stop();
}
