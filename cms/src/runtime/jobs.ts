import type { Core } from '@strapi/strapi';
import cron from 'node-cron';
import crypto from 'node:crypto';
import { readDomainConfig } from './paths';

/**
 * Background jobs, one interface, two engines:
 * - PostgreSQL: pg-boss (npm), its tables in a schema of their own next to the app's. Any instance
 *   takes a job (SELECT … FOR UPDATE SKIP LOCKED: one taker), a failed job is retried, a job whose
 *   instance died is expired after `expireInMinutes` and retried or failed by pg-boss's supervisor
 *   (never left active), and a cron schedule sends one job per tick whatever the number of instances.
 *   Why pg-boss and not graphile-worker: see docs/scale-out.md.
 * - SQLite (the quick start, one instance): an in-process runner with the same interface (retries,
 *   one queued job per singleton key, cron through node-cron); nothing survives a restart, and the
 *   jobs themselves are safe to run again (the monthly snapshot claims its period in the database).
 * Settings per job (cron, retries, expiry) in config/cluster.json `jobs`.
 */
export type JobContext = { id: string; name: string; retryCount: number };
export type JobHandler = (data: any, job: JobContext) => Promise<unknown>;
export type JobSettings = {
  cron?: string | null; retryLimit: number; retryDelaySeconds: number; expireInMinutes: number;
  /** Jobs of this name one instance runs at once, and how often an idle instance asks for one. */
  workers?: number; pollSeconds?: number;
};
export type SendOptions = { singletonKey?: string };

export interface JobQueue {
  readonly engine: 'pg-boss' | 'in-process';
  /** Declares a job (before `start`); its settings come from config/cluster.json, then `overrides`. */
  define(name: string, handler: JobHandler, overrides?: Partial<JobSettings>): void;
  start(): Promise<void>;
  /** Queues a job; with a singletonKey, at most one such job waits or runs (null: one already does). */
  send(name: string, data?: object, options?: SendOptions): Promise<string | null>;
  /** A job's state: created, retry, active, completed, failed, cancelled (null: unknown). */
  state(name: string, id: string): Promise<{ state: string; retryCount: number; output?: unknown } | null>;
  stop(): Promise<void>;
}

type ClusterConfig = { jobs: Record<string, Partial<JobSettings>> };
const DEFAULTS: JobSettings = { cron: null, retryLimit: 2, retryDelaySeconds: 30, expireInMinutes: 15 };

const overridden = new Map<string, Partial<JobSettings>>();

export function jobSettings(name: string): JobSettings {
  const jobs = readDomainConfig<ClusterConfig>('cluster.json').jobs ?? {};
  return { ...DEFAULTS, ...(jobs[name] ?? {}), ...(overridden.get(name) ?? {}) };
}

/** Whether cron schedules run in this process (JOB_SCHEDULES=false: tests and one-off scripts). */
const schedulesWanted = () => process.env.JOB_SCHEDULES !== 'false';

/** Strapi has the pg driver hand JSON columns over as text (its own parser reads them): pg-boss's too. */
function json(value: unknown): any {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

class PgBossQueue implements JobQueue {
  readonly engine = 'pg-boss' as const;
  private readonly handlers = new Map<string, JobHandler>();
  private boss: any;
  /** The start under way (its tables made or migrated, the queues and workers set up). */
  private starting: Promise<void> | undefined;

  constructor(private readonly strapi: Core.Strapi) {}

  define(name: string, handler: JobHandler, overrides: Partial<JobSettings> = {}): void {
    this.handlers.set(name, handler);
    overridden.set(name, overrides);
  }

  /** pg-boss's schema: `pgboss` beside `public`, `<schema>_jobs` beside any other schema (tests have one each). */
  private schema(): string {
    const schema = String((this.strapi.db as any).getSchemaName?.() ?? 'public');
    return schema === 'public' ? 'pgboss' : `${schema}_jobs`.slice(0, 63);
  }

  /**
   * Starts in the background (about a second of pg-boss's own set-up the app's start need not wait
   * for); `send`, `state` and `stop` wait for it.
   */
  start(): Promise<void> {
    this.starting = this.setUp();
    this.starting.catch((error) => this.strapi.log.error(`jobs (pg-boss) did not start: ${error?.message ?? error}`));
    return Promise.resolve();
  }

  private async ready(): Promise<void> {
    if (!this.starting) throw new Error('the job queue is not started');
    await this.starting;
  }

  private async setUp(): Promise<void> {
    const PgBoss = require('pg-boss');
    const settings = { ...((this.strapi.db as any).connection?.client?.connectionSettings ?? {}) };
    delete settings.schema;
    this.boss = new PgBoss({
      ...settings,
      schema: this.schema(),
      max: Number(process.env.JOB_POOL_MAX) || 3,
      application_name: 'preschool-jobs',
      // the supervisor expires jobs left active by a dead instance (retried, or failed when out of retries)
      supervise: true,
      schedule: schedulesWanted(),
      maintenanceIntervalSeconds: 60,
    });
    this.boss.on('error', (error: Error) => this.strapi.log.warn(`jobs (pg-boss): ${error.message}`));
    await this.boss.start();
    for (const [name, handler] of this.handlers) {
      const settings = jobSettings(name);
      const queue = {
        policy: 'stately', retryLimit: settings.retryLimit, retryDelay: settings.retryDelaySeconds, retryBackoff: true,
        expireInSeconds: settings.expireInMinutes * 60,
      };
      if (await this.boss.getQueue(name)) await this.boss.updateQueue(name, queue);
      else await this.boss.createQueue(name, queue).catch(async (error: Error) => {
        // another instance created it meanwhile
        if (!(await this.boss.getQueue(name))) throw error;
      });
      if (settings.cron && schedulesWanted()) {
        await this.boss.schedule(name, settings.cron, {}, { tz: readDomainConfig<{ timeZone: string }>('calendar.json').timeZone, singletonKey: 'cron' });
      } else {
        await this.boss.unschedule(name).catch(() => undefined);
      }
      for (let worker = 0; worker < Math.max(1, settings.workers ?? 1); worker += 1) {
        await this.boss.work(name, { batchSize: 1, pollingIntervalSeconds: Math.max(0.5, settings.pollSeconds ?? 2) }, async ([job]: any[]) => {
          return handler(json(job.data) ?? {}, { id: job.id, name, retryCount: job.retryCount ?? 0 });
        });
      }
    }
  }

  async send(name: string, data: object = {}, options: SendOptions = {}): Promise<string | null> {
    await this.ready();
    return this.boss.send(name, data, options.singletonKey ? { singletonKey: options.singletonKey } : {});
  }

  async state(name: string, id: string) {
    await this.ready();
    const job = await this.boss.getJobById(name, id, { includeArchive: true });
    return job ? { state: job.state, retryCount: job.retryCount ?? job.retrycount ?? 0, output: json(job.output) } : null;
  }

  async stop(): Promise<void> {
    await this.starting?.catch(() => undefined);
    // jobs under way get `timeout` to finish; what does not is expired later and retried elsewhere
    await this.boss?.stop({ graceful: true, wait: true, timeout: Number(process.env.JOB_STOP_TIMEOUT_MS) || 10_000 })
      .catch((error: Error) => this.strapi.log.warn(`jobs (pg-boss) stop: ${error.message}`));
    this.boss = undefined;
  }
}

type Local = { id: string; name: string; data: any; state: string; retryCount: number; key?: string; output?: unknown };

class InProcessQueue implements JobQueue {
  readonly engine = 'in-process' as const;
  private readonly handlers = new Map<string, JobHandler>();
  private readonly jobs = new Map<string, Local>();
  private readonly running = new Set<Promise<unknown>>();
  private readonly tasks: Array<{ stop: () => void }> = [];
  private stopped = false;

  constructor(private readonly strapi: Core.Strapi) {}

  define(name: string, handler: JobHandler, overrides: Partial<JobSettings> = {}): void {
    this.handlers.set(name, handler);
    overridden.set(name, overrides);
  }

  async start(): Promise<void> {
    this.stopped = false;
    if (!schedulesWanted()) return;
    const timezone = readDomainConfig<{ timeZone: string }>('calendar.json').timeZone;
    for (const name of this.handlers.keys()) {
      const { cron: expression } = jobSettings(name);
      if (expression) this.tasks.push(cron.schedule(expression, () => { void this.send(name, {}, { singletonKey: 'cron' }); }, { timezone }));
    }
  }

  async send(name: string, data: object = {}, options: SendOptions = {}): Promise<string | null> {
    if (!this.handlers.has(name)) throw new Error(`no job named ${name}`);
    if (this.stopped) return null;
    if (options.singletonKey && [...this.jobs.values()].some((job) => job.name === name && job.key === options.singletonKey && ['created', 'retry', 'active'].includes(job.state))) return null;
    const job: Local = { id: crypto.randomUUID(), name, data, state: 'created', retryCount: 0, key: options.singletonKey };
    this.jobs.set(job.id, job);
    if (this.jobs.size > 1000) for (const [id, old] of this.jobs) if (['completed', 'failed'].includes(old.state) && this.jobs.size > 500) this.jobs.delete(id);
    this.track(this.runJob(job));
    return job.id;
  }

  private track(promise: Promise<unknown>) {
    this.running.add(promise);
    promise.finally(() => this.running.delete(promise));
  }

  private async runJob(job: Local): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    const settings = jobSettings(job.name);
    job.state = 'active';
    try {
      job.output = await this.handlers.get(job.name)!(job.data, { id: job.id, name: job.name, retryCount: job.retryCount });
      job.state = 'completed';
    } catch (error: any) {
      this.strapi.log.warn(`job ${job.name} ${job.id}: ${error?.message ?? error}`);
      if (job.retryCount < settings.retryLimit && !this.stopped) {
        job.retryCount += 1;
        job.state = 'retry';
        const timer = setTimeout(() => this.track(this.runJob(job)), settings.retryDelaySeconds * 1000 * 2 ** (job.retryCount - 1));
        timer.unref();
      } else {
        job.state = 'failed';
        job.output = { message: error?.message ?? String(error) };
      }
    }
  }

  async state(_name: string, id: string) {
    const job = this.jobs.get(id);
    return job ? { state: job.state, retryCount: job.retryCount, output: job.output } : null;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const task of this.tasks.splice(0)) task.stop();
    await Promise.allSettled([...this.running]);
  }
}

const queues = new WeakMap<object, JobQueue>();

/** The job queue of this app instance: pg-boss on PostgreSQL, the in-process runner on SQLite. */
export function jobQueue(strapi: Core.Strapi): JobQueue {
  let queue = queues.get(strapi);
  if (!queue) {
    const postgres = (strapi.db as any)?.dialect?.client === 'postgres';
    queue = postgres ? new PgBossQueue(strapi) : new InProcessQueue(strapi);
    queues.set(strapi, queue);
  }
  return queue;
}
