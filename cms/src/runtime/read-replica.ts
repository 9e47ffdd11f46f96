import type { Core } from '@strapi/strapi';
import { AsyncLocalStorage } from 'node:async_hooks';
import { readDomainConfig } from './paths';
import { clusterBus } from './cluster-bus';
import { onEveryWrite } from './on-every-write';

/**
 * Reads that may be a little behind, sent to a PostgreSQL streaming replica (hot standby) when
 * DATABASE_REPLICA_URL is set: the statistics behind the dashboards, chart pages, statistics pages
 * and their exports (cms/src/api/statistics/services/statistics.ts); and the lists named in
 * config/cluster.json `replica.lists` (the children's lists and list exports) for the levels of
 * `replica.listLevels`: the same document service, scope and filters (plugins/access-scope), only its
 * SELECTs sent to the replica's connection (`replicaReadsMiddleware`, `db.getConnection` while such a
 * read runs outside a transaction). Everything else reads the primary.
 * The primary is read instead:
 * - while the replica is down or its replay lags more than `maxLagSeconds` (measured every
 *   `checkEverySeconds`: a lost replica costs at most that long of failing reads, then none);
 * - for `readYourWritesSeconds` after the user of the request wrote data the statistics count
 *   (children, kindergartens, classes, staff, population): the user sees their own write. Every
 *   instance learns of the write through the cluster bus (cms/src/runtime/cluster-bus.ts), as the
 *   user's next request may go to any of them.
 * A computation whose result is kept for everyone (the dashboards' county figures,
 * `sharedComputation`) is nobody's own read: it reads the replica whenever the replica is healthy, so
 * those figures may lag the latest write by the replica's lag (at most `maxLagSeconds`) on top of the
 * one computation they may lag by already (cms/src/api/statistics/services/statistics.ts).
 * Settings: config/cluster.json `replica`. The lag is shown by GET /api/health.
 */
type ReplicaConfig = {
  maxLagSeconds: number; readYourWritesSeconds: number; checkEverySeconds: number;
  /** Content type → the GET paths whose reads of it go to the replica (`*` at the end: any path under). */
  lists?: Record<string, string[]>;
  listLevels?: string[];
};
const config = (): ReplicaConfig => readDomainConfig<{ replica: ReplicaConfig }>('cluster.json').replica;

/** The data the replica's readers count: a user who writes one reads the primary for a while. */
const COUNTED = ['api::kindergarten.kindergarten', 'api::school-class.school-class', 'api::child.child', 'api::population.population', 'api::staff.staff'];
const RYW_TOPIC = 'read-your-writes';

type State = {
  knex: any;
  healthy: boolean;
  lagSeconds: number | null;
  checkedAt: number;
  error: string | null;
  timer?: NodeJS.Timeout;
  checking?: Promise<void>;
  recentWriters: Map<number, number>;
  reads: { replica: number; primary: number };
  /** Statements run on the replica for readers (the lag measurement left out). */
  statements: number;
};
let state: State | undefined;
/** Set while a listed read of the document service runs: its SELECTs take the replica's connection. */
const replicaReads = new AsyncLocalStorage<boolean>();
let restoreConnection: (() => void) | undefined;
const READ_ACTIONS = new Set(['findMany', 'count', 'findFirst']);

export function replicaConfigured(): boolean {
  return Boolean(process.env.DATABASE_REPLICA_URL);
}

async function measure(strapi: Core.Strapi): Promise<void> {
  if (!state) return;
  try {
    const result = await state.knex.raw(`SELECT pg_is_in_recovery() AS standby,
      CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
           ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END AS lag`);
    const row = result.rows[0];
    state.lagSeconds = Number(row.lag);
    state.healthy = state.lagSeconds <= config().maxLagSeconds;
    state.error = state.healthy ? null : `lag ${state.lagSeconds.toFixed(1)} s above ${config().maxLagSeconds} s`;
  } catch (error: any) {
    if (state.healthy) strapi.log.warn(`read replica unreachable, reading the primary: ${error?.message ?? error}`);
    state.healthy = false;
    state.lagSeconds = null;
    state.error = String(error?.message ?? error);
  }
  state.checkedAt = Date.now();
}

/** A connection to the replica broke: the primary is read until a lag check finds the replica again. */
function replicaLost(strapi: Core.Strapi, error: Error): void {
  if (!state?.healthy) return;
  strapi.log.warn(`read replica connection lost, reading the primary: ${error?.message ?? error}`);
  state.healthy = false;
  state.lagSeconds = null;
  state.error = String(error?.message ?? error);
}

/** Connects to the replica (when configured) and keeps measuring its lag; records who writes. */
export async function startReadReplica(strapi: Core.Strapi): Promise<void> {
  if (!replicaConfigured() || strapi.db.dialect.client !== 'postgres') return;
  const schema = String((strapi.db as any).getSchemaName?.() ?? 'public');
  const knex = require('knex')({
    client: 'pg',
    connection: { connectionString: process.env.DATABASE_REPLICA_URL, application_name: 'preschool-reads', statement_timeout: 120_000, options: '-c jit=off' }, // as the primary's (cms/config/database.ts)
    searchPath: [schema],
    pool: {
      min: 0, max: Number(process.env.DATABASE_REPLICA_POOL_MAX) || 5,
      // a replica that goes away (stopped, crashed) ends its idle connections at once: reads go to the
      // primary from that moment, not only after the next lag check (a read in between would fail)
      afterCreate: (connection: any, done: (error: Error | null, connection: any) => void) => {
        connection.on('error', (error: Error) => replicaLost(strapi, error));
        done(null, connection);
      },
    },
    acquireConnectionTimeout: 5_000,
  });
  state = { knex, healthy: false, lagSeconds: null, checkedAt: 0, error: null, recentWriters: new Map(), reads: { replica: 0, primary: 0 }, statements: 0 };
  knex.on('query', (query: any) => { if (state && !String(query?.sql ?? '').includes('pg_is_in_recovery')) state.statements += 1; });
  await measure(strapi);
  strapi.log.info(`read replica: ${state.healthy ? `in use (lag ${state.lagSeconds} s)` : `not used now (${state.error})`}`);
  state.timer = setInterval(() => {
    if (!state || state.checking) return;
    state.checking = measure(strapi).finally(() => { if (state) state.checking = undefined; });
  }, config().checkEverySeconds * 1000);
  state.timer.unref();

  // the query engine's connection, swapped for the replica's inside a listed read (never in a transaction)
  const db: any = strapi.db;
  const getConnection = db.getConnection;
  db.getConnection = function replicaOrPrimary(this: any, tableName?: string) {
    if (!replicaReads.getStore() || !state?.healthy || db.inTransaction()) return getConnection.call(db, tableName);
    const connection = tableName ? state.knex(tableName) : state.knex;
    return schema ? connection.withSchema(schema) : connection;
  };
  restoreConnection = () => { db.getConnection = getConnection; };

  const bus = clusterBus(strapi);
  const remember = (id: unknown) => {
    const user = Number(id);
    if (!Number.isInteger(user) || !state) return;
    state.recentWriters.set(user, Date.now());
    if (state.recentWriters.size > 50_000) {
      const cutoff = Date.now() - config().readYourWritesSeconds * 1000;
      for (const [key, at] of state.recentWriters) if (at < cutoff) state.recentWriters.delete(key);
    }
  };
  bus.on(RYW_TOPIC, (message) => message.ids?.forEach(remember));
  onEveryWrite(strapi, COUNTED, (event) => {
    if (event.remote) return;
    const user = (strapi.requestContext.get() as any)?.state?.user?.id;
    if (user === undefined) return;
    remember(user);
    bus.publish(RYW_TOPIC, [user]);
  });
}

export async function stopReadReplica(): Promise<void> {
  if (!state) return;
  if (state.timer) clearInterval(state.timer);
  restoreConnection?.();
  restoreConnection = undefined;
  await state.checking;
  const { knex } = state;
  state = undefined;
  await knex.destroy().catch(() => undefined);
}

/**
 * The knex to read statistics with, in a request: the replica's when it is configured, healthy and
 * the request's user has not just written; else (and outside requests) the primary's (Strapi's own connection). Marks the answer
 * (header X-Read-From: replica | primary).
 */
export function statisticsReader(strapi: Core.Strapi): any {
  const ctx: any = strapi.requestContext.get();
  // work outside a request (the monthly snapshot, jobs) reads the primary: what it saves must be exact
  if (!state || !ctx) return strapi.db.connection;
  return chooseReplica(strapi, ctx) ? state.knex : strapi.db.connection;
}

/**
 * Whether a read of this request goes to the replica: configured, healthy, the user has not just
 * written, not inside a transaction. Counts the read and marks the answer (X-Read-From).
 */
function chooseReplica(strapi: Core.Strapi, ctx: any): boolean {
  if (!state) return false;
  const window = config().readYourWritesSeconds * 1000;
  let recentWrite = false;
  if (!shared.getStore()) {
    const user = Number(ctx?.state?.user?.id);
    const wroteAt = Number.isInteger(user) ? state.recentWriters.get(user) : undefined;
    recentWrite = wroteAt !== undefined && Date.now() - wroteAt < window;
  }
  const replica = state.healthy && !recentWrite && !strapi.db.inTransaction();
  state.reads[replica ? 'replica' : 'primary'] += 1;
  if (ctx?.set && !ctx.headerSent) ctx.set('X-Read-From', replica ? 'replica' : 'primary');
  return replica;
}

function listed(uid: string, ctx: any): boolean {
  const { lists = {}, listLevels = [] } = config();
  const paths = lists[uid];
  if (!paths || ctx?.method !== 'GET' || !listLevels.includes(ctx?.state?.user?.level)) return false;
  const path = String(ctx.path ?? '');
  return paths.some((entry) => (entry.endsWith('*') ? path.startsWith(entry.slice(0, -1)) : path === entry));
}

/**
 * Document-service middleware: a read (findMany, count, findFirst) of a listed content type, in a
 * listed GET request of a listed level, runs on the replica when `chooseReplica` says so. Only the
 * read runs in that context: what the request writes (the export record, the audit trail) goes to
 * the primary. The scope and the filters are the document service's own.
 */
export function replicaReadsMiddleware(strapi: Core.Strapi) {
  return (context: any, next: () => Promise<unknown>) => {
    if (!state || !READ_ACTIONS.has(context?.action) || replicaReads.getStore()) return next();
    const ctx: any = strapi.requestContext.get();
    if (!ctx || !listed(String(context?.uid), ctx) || !chooseReplica(strapi, ctx)) return next();
    return replicaReads.run(true, next);
  };
}

const shared = new AsyncLocalStorage<boolean>();
/** Runs a computation whose result is kept for every user (statisticsReader ignores who asked for it). */
export function sharedComputation<T>(fn: () => Promise<T>): Promise<T> {
  return shared.run(true, fn);
}

/** What GET /api/health shows of the replica. */
export function replicaStatus(): Record<string, unknown> | undefined {
  if (!state) return undefined;
  return {
    used: state.healthy,
    lagSeconds: state.lagSeconds === null ? null : Math.round(state.lagSeconds * 10) / 10,
    maxLagSeconds: config().maxLagSeconds,
    checkedAt: state.checkedAt ? new Date(state.checkedAt).toISOString() : null,
    problem: state.error,
    reads: { ...state.reads },
    statementsOnReplica: state.statements,
  };
}
