/**
 * Large list exports as jobs (docs/scale-out.md, "Exports on the queue"). A list export whose rows
 * (counted in the caller's reach, with the list's filters) exceed config/imports.json
 * `exportJobAboveRows` is not streamed by the answering instance: the request, once it passed the
 * route's permission check, is kept here (the filters as it sanitised them, who asked, from where)
 * and sent to the job queue (cms/src/runtime/jobs.ts: pg-boss on PostgreSQL, in-process on SQLite).
 * Any instance runs it, through the very exporter of the small exports (domain/export-stream.ts:
 * the caller's reach, masking, the export record), inside a request context rebuilt for that user,
 * after asking the permission again (cms/src/security/can.ts). The file goes to DATA_DIR/exports,
 * encrypted with the PII key (cms/src/security/pii.ts), readable by the server's user only, and is
 * deleted `exportFileHours` after it was made. The user polls `GET /api/file-jobs/:id` and downloads
 * `GET /api/file-jobs/:id/export` (audited as an export); nobody else sees the job (404).
 * One run per job: the row is claimed by a conditional update (`attempts` numbers the runs). The
 * running instance refreshes `heartbeatAt` every config/imports.json `exportJobs.heartbeatSeconds`
 * (a timer, and every page written); every instance sweeps (`takeOverStale`, same period) and queues
 * again a run whose heartbeat is older than `staleSeconds` — its instance died — while it has run
 * fewer than `maxAttempts` times, or fails it with the reason: taken over within about
 * staleSeconds + heartbeatSeconds, never left running. A run that lost its claim (its instance
 * stalled beyond staleSeconds, then woke) sees it at its next heartbeat or at the end, stops and
 * keeps no file: each run writes a file of its own (`<id>-<attempt>`) and only the run holding the
 * claim marks the job done. pg-boss's own expiry (config/cluster.json) cannot be this quick: it is
 * also the longest a run may take.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { createId } from '@paralleldrive/cuid2';
import { dataDir, readDomainConfig } from '../../../runtime/paths';
import { jobQueue, jobSettings } from '../../../runtime/jobs';
import { isAllowed, refusalMessage } from '../../../security/can';
import { FILE_IV_BYTES, FILE_TAG_BYTES, fileCipher, fileDecipher } from '../../../security/pii';
import { runListExport, type ListExportSpec } from '../../../domain/export-stream';
import { periodicSweep, type PeriodicSweep } from '../../../runtime/periodic-sweep';

const JOB = 'api::export-job.export-job';
const USER = 'plugin::users-permissions.user';
export const EXPORT_JOB = 'list-export';
const FILE_MODE = 0o600;
type TakeoverSettings = { heartbeatSeconds: number; staleSeconds: number; maxAttempts: number };
/** config/imports.json `exportJobs`: how often a run says it is alive, when it is presumed dead, how many runs a job gets. */
export function takeoverSettings(): TakeoverSettings {
  const values = (readDomainConfig<Record<string, any>>('imports.json').exportJobs ?? {}) as Partial<TakeoverSettings>;
  return { heartbeatSeconds: Number(values.heartbeatSeconds) || 5, staleSeconds: Number(values.staleSeconds) || 30, maxAttempts: Number(values.maxAttempts) || 3 };
}
const staleMs = () => takeoverSettings().staleSeconds * 1000;
export const TAKEN_OVER_MESSAGE = '导出因服务重启而中断，已自动重新开始';
export const INTERRUPTED_EXPORT_MESSAGE = '导出因服务重启而中断，请重新导出';
/** This process's runs (job id → attempt): its own sweep leaves them alone. */
const liveRuns = new Map<number, number>();
const FINAL = ['done', 'failed'];
const exportDir = () => path.join(dataDir, 'exports');
const settings = () => readDomainConfig<Record<string, any>>('imports.json');
/** Rows above which a list export runs as a job (0 or absent: never). */
export const jobAboveRows = () => Number(settings().exportJobAboveRows) || 0;
const fileHours = () => Number(settings().exportFileHours) || 24;

/** What the answering instance keeps of an export request. */
export type QueuedExport = {
  /** `<service uid>.<method>`: the exporter (its `spec`) that runs it. */
  source: string;
  /** The route's action (config/roles.json), asked again when the job runs. */
  action: string;
  kind: string;
  title: string;
  format: string;
  filters: Record<string, unknown>;
  total: number;
  user: { id: number; username?: string };
  ip?: string;
  /** The request's path and query: the job's reads happen as the request's (custom-field filters, replica). */
  path: string;
  query: Record<string, unknown>;
};

class ExportRefused extends Error {}
/** The run's claim was taken over by another instance: it stops, writes nothing more. */
class ClaimLost extends Error {}

const service = ({ strapi }: { strapi: Core.Strapi }) => ({
  /** Rows above which a list export is queued (config/imports.json exportJobAboveRows; 0: never). */
  aboveRows: jobAboveRows,

  /** Keeps the request and queues the job; answers the job as the user sees it. */
  async queue(input: QueuedExport) {
    const now = new Date();
    const row = await strapi.db.query(JOB as any).create({
      data: {
        documentId: createId(), source: input.source, kind: input.kind, title: input.title, format: input.format,
        request: { filters: input.filters, action: input.action, path: input.path, query: input.query }, state: 'queued', total: input.total,
        userId: input.user.id, username: input.user.username ?? null, ip: input.ip ?? null, createdAt: now, updatedAt: now, publishedAt: now,
      },
    });
    try {
      await jobQueue(strapi).send(EXPORT_JOB, { id: row.id }, { singletonKey: row.documentId });
    } catch (error) {
      await strapi.db.query(JOB as any).delete({ where: { id: row.id } }).catch(() => undefined);
      throw error;
    }
    return this.present(row);
  },

  /** A job as its user sees it: where to poll, and the file once it is there. */
  present(row: any) {
    const ready = row.state === 'done' && !row.fileExpiredAt;
    return {
      id: row.documentId, kind: row.kind, format: row.format, state: row.state, total: Number(row.total) || 0, written: Number(row.written) || 0,
      message: row.message ?? null, createdAt: row.createdAt, finishedAt: row.finishedAt ?? null, fileExpiredAt: row.fileExpiredAt ?? null,
      poll: `/api/file-jobs/${row.documentId}`, file: ready ? `/api/file-jobs/${row.documentId}/export` : null,
    };
  },

  /** The caller's own job (another user's, or none: 404). */
  async own(user: any, documentId: string) {
    const row = await strapi.db.query(JOB as any).findOne({ where: { documentId: String(documentId), userId: Number(user?.id) } });
    if (!row) throw new errors.NotFoundError('没有这个导出任务');
    return row;
  },

  async findOne(user: any, documentId: string) {
    return this.present(await this.own(user, documentId));
  },

  /** The finished file, decrypted as it is read. */
  async download(user: any, documentId: string) {
    const row = await this.own(user, documentId);
    if (row.state !== 'done') throw new errors.ValidationError(row.state === 'failed' ? `导出失败：${row.message ?? ''}` : '导出尚未完成，请稍后再下载');
    const file = row.fileName ? path.join(exportDir(), row.fileName) : null;
    if (row.fileExpiredAt || !file || !fs.existsSync(file)) throw new errors.NotFoundError(`导出文件已超过保存期限（${fileHours()} 小时）并已删除，请重新导出`);
    const size = (await fs.promises.stat(file)).size;
    const handle = await fs.promises.open(file, 'r');
    const iv = Buffer.alloc(FILE_IV_BYTES);
    const tag = Buffer.alloc(FILE_TAG_BYTES);
    try {
      await handle.read(iv, 0, FILE_IV_BYTES, 0);
      await handle.read(tag, 0, FILE_TAG_BYTES, size - FILE_TAG_BYTES);
    } finally {
      await handle.close();
    }
    const body = fs.createReadStream(file, { start: FILE_IV_BYTES, end: size - FILE_TAG_BYTES - 1 }).pipe(fileDecipher(iv, tag));
    return { name: `${row.title || row.kind}-${new Date(row.createdAt).toISOString().slice(0, 10)}.${row.format}`, format: row.format, body };
  },

  /**
   * The queue's handler (any instance): claims the job (queued, or running with a stale heartbeat),
   * rebuilds the request for its user, asks the permission again and writes the file.
   */
  async runQueued(data: { id?: number }) {
    const id = Number(data?.id);
    if (!Number.isInteger(id)) return { skipped: 'no job id' };
    const row = await strapi.db.query(JOB as any).findOne({ where: { id } });
    if (!row) return { skipped: 'gone' };
    if (FINAL.includes(row.state)) return { skipped: row.state };
    const now = new Date();
    const attempts = (Number(row.attempts) || 0) + 1;
    const { count } = await strapi.db.query(JOB as any).updateMany({
      where: { id, attempts: row.attempts ?? null, $or: [{ state: 'queued' }, { state: 'running', heartbeatAt: { $lt: new Date(now.getTime() - staleMs()) } }] },
      data: { state: 'running', attempts, written: 0, startedAt: now, heartbeatAt: now, updatedAt: now },
    });
    if (!count) return { skipped: 'claimed elsewhere' };
    // every write of this run holds only while the claim is its own (no other run took it over)
    const mine = { id, attempts, state: 'running' };
    const save = async (fields: Record<string, unknown>) => {
      const { count: held } = await strapi.db.query(JOB as any).updateMany({ where: mine, data: { ...fields, updatedAt: new Date() } });
      if (!held) throw new ClaimLost();
    };
    let lost = false;
    liveRuns.set(id, attempts);
    const heartbeat = setInterval(() => {
      save({ heartbeatAt: new Date() }).catch((error) => { if (error instanceof ClaimLost) lost = true; });
    }, takeoverSettings().heartbeatSeconds * 1000);
    heartbeat.unref();
    fs.mkdirSync(exportDir(), { recursive: true, mode: 0o700 });
    const name = `${row.documentId}-${attempts}.${row.format}.sealed`;
    const final = path.join(exportDir(), name);
    const scratch = `${final}.${process.pid}.tmp`;
    try {
      const request = row.request ?? {};
      const user = await strapi.db.query(USER).findOne({ where: { id: row.userId }, populate: ['role'] });
      if (!user || user.blocked) throw new ExportRefused('导出人的账号已停用，导出未进行');
      if (!(await isAllowed(strapi, user, request.action))) throw new ExportRefused(refusalMessage(request.action));
      const [serviceUid, method] = String(row.source).split(/\.(?=[^.]+$)/);
      const spec: ListExportSpec | undefined = (strapi.service(serviceUid as any) as any)?.[method]?.spec;
      if (!spec) throw new Error(`no exporter ${row.source}`);
      // the request as it came: the reach of its user, its path and query (custom-field filters, replica reads)
      const context: any = {
        method: 'GET', path: request.path, query: request.query ?? {}, headerSent: true, set: () => undefined, get: () => '',
        request: { ip: row.ip, path: request.path, query: request.query ?? {} },
        state: { user, auth: { strategy: { name: 'users-permissions' }, credentials: user } },
      };
      const written = await (strapi.requestContext as any).run(context, async () => {
        let rows = 0;
        const body = await runListExport(strapi, spec, user, {
          format: row.format, filters: request.filters ?? {}, ip: row.ip ?? undefined,
          onPage: async (done) => {
            if (lost) throw new ClaimLost();
            rows = done;
            await save({ written: done, heartbeatAt: new Date() });
          },
        });
        const { iv, cipher } = fileCipher();
        const out = fs.createWriteStream(scratch, { mode: FILE_MODE });
        out.write(iv);
        await pipeline(body, cipher, out);
        await fs.promises.appendFile(scratch, cipher.getAuthTag());
        return rows;
      });
      await fs.promises.rename(scratch, final);
      const bytes = (await fs.promises.stat(final)).size;
      clearInterval(heartbeat);
      try {
        await save({ state: 'done', written, fileName: name, fileBytes: bytes, finishedAt: new Date(), heartbeatAt: new Date() });
      } catch (error) {
        await fs.promises.rm(final, { force: true });
        throw error;
      }
      return { state: 'done', written, attempt: attempts };
    } catch (error: any) {
      await fs.promises.rm(scratch, { force: true });
      if (error instanceof ClaimLost) {
        strapi.log.warn(`export job ${row.documentId}: run ${attempts} was taken over by another instance; it stops`);
        return { skipped: 'taken over', attempt: attempts };
      }
      const message = error instanceof ExportRefused ? error.message : error?.name === 'ValidationError' ? `导出条件不正确：${error.message}` : '导出时发生错误，请稍后重新导出';
      if (!(error instanceof ExportRefused)) strapi.log.error(`export job ${row.documentId} failed: ${error?.message ?? error}`);
      await save({ state: 'failed', message, finishedAt: new Date() }).catch(() => undefined);
      return { state: 'failed', attempt: attempts };
    } finally {
      clearInterval(heartbeat);
      liveRuns.delete(id);
    }
  },

  /**
   * The sweep every instance runs every heartbeatSeconds (and at start): a running job whose
   * heartbeat is older than staleSeconds and that no run of this process holds belongs to a dead
   * instance. Queued again (any instance's worker takes it; a key of its own per attempt, as the
   * dead run's delivery is still active in pg-boss until its expiry) while it has run fewer than
   * maxAttempts times, else failed with the reason. Each update re-checks state, attempt and
   * heartbeat in its WHERE: a run that revived, or another instance's sweep, wins once. Returns
   * the jobs queued again or failed.
   */
  async takeOverStale(now = new Date()): Promise<number> {
    const { maxAttempts } = takeoverSettings();
    const cutoff = new Date(now.getTime() - staleMs());
    const stale = await strapi.db.query(JOB as any).findMany({
      where: { state: 'running', heartbeatAt: { $lt: cutoff } },
      select: ['id', 'documentId', 'attempts'], limit: 100,
    });
    let changed = 0;
    for (const job of stale) {
      const attempts = Number(job.attempts) || 0;
      if (liveRuns.get(job.id) === attempts) continue;
      const unchanged = { id: job.id, state: 'running', attempts: job.attempts, heartbeatAt: { $lt: cutoff } };
      const again = attempts < maxAttempts;
      const { count } = await strapi.db.query(JOB as any).updateMany({
        where: unchanged,
        data: again ? { state: 'queued', message: TAKEN_OVER_MESSAGE, updatedAt: now } : { state: 'failed', message: INTERRUPTED_EXPORT_MESSAGE, finishedAt: now, updatedAt: now },
      });
      if (!count) continue;
      changed += 1;
      strapi.log.warn(`export job ${job.documentId}: run ${attempts} stopped sending its heartbeat (instance gone): ${again ? 'queued again' : `failed after ${attempts} runs`}`);
      if (again) {
        await jobQueue(strapi).send(EXPORT_JOB, { id: job.id }, { singletonKey: `${job.documentId}:run${attempts + 1}` })
          .catch((error: Error) => strapi.log.warn(`export job ${job.documentId}: not queued again (${error.message}); the clean-up fails it if it stays queued`));
      }
    }
    return changed;
  },

  /**
   * Clean-up (the scheduled import-report-cleanup job): files older than exportFileHours deleted
   * (the job says so), and jobs left queued or running by instances that died, beyond every retry
   * of the queue, failed with the reason. Returns how many files were deleted.
   */
  async expire(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - fileHours() * 3600_000);
    const old = await strapi.db.query(JOB as any).findMany({ where: { state: 'done', fileExpiredAt: null, finishedAt: { $lt: cutoff } }, select: ['id', 'fileName'] });
    for (const row of old) {
      if (row.fileName) await fs.promises.rm(path.join(exportDir(), row.fileName), { force: true });
      await strapi.db.query(JOB as any).update({ where: { id: row.id }, data: { fileExpiredAt: now, updatedAt: now } });
    }
    const { expireInMinutes, retryLimit, retryDelaySeconds } = jobSettings(EXPORT_JOB);
    const abandoned = new Date(now.getTime() - ((retryLimit + 1) * (expireInMinutes * 60 + retryDelaySeconds) * 1000 + staleMs()));
    await strapi.db.query(JOB as any).updateMany({
      where: { state: { $in: ['queued', 'running'] }, updatedAt: { $lt: abandoned } },
      data: { state: 'failed', message: '导出因服务重启而中断，请重新导出', finishedAt: now, updatedAt: now },
    });
    return old.length;
  },
});

export type ExportJobService = ReturnType<typeof service>;

let sweep: PeriodicSweep | undefined;

/** At start, and every heartbeatSeconds on every instance: export runs of dead instances taken over. */
export async function watchStaleExports(strapi: Core.Strapi): Promise<void> {
  const exports = () => strapi.service('api::export-job.export-job') as unknown as ExportJobService;
  await exports().takeOverStale().catch((error: Error) => strapi.log.warn(`export jobs sweep: ${error.message}`));
  await stopWatchingExports();
  sweep = periodicSweep(() => exports().takeOverStale(), (error: any) => strapi.log.debug(`export jobs sweep: ${error?.message ?? error}`));
  sweep.start(takeoverSettings().heartbeatSeconds * 1000);
}

/** Stops the sweep and waits for one under way (before the database closes). */
export async function stopWatchingExports(): Promise<void> {
  await sweep?.stop();
  sweep = undefined;
}
export default service;
