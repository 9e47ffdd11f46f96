import type { Core } from '@strapi/strapi';
import crypto from 'node:crypto';

/**
 * What app instances on one PostgreSQL database tell each other: "these rows changed, drop what you
 * kept of them". One mechanism, PostgreSQL LISTEN/NOTIFY: each instance keeps one connection that
 * LISTENs on the channel of its schema, and announces its writes with pg_notify after they are
 * committed (a reader elsewhere must not reload the old rows before the commit). Announcements are
 * gathered for FLUSH_MS and sent as one notification, so an import of ten thousand children costs a
 * handful of notifications, not ten thousand. An instance ignores its own.
 *
 * If the listening connection is lost, notifications sent meanwhile are lost too: on reconnecting,
 * every handler is called as for a change of everything (`ids: null`), and the caches' own
 * time-to-live stays as a safety net. On SQLite (one instance, the quick start) there is nothing to
 * listen to: handlers run only for this instance's writes (cms/src/runtime/on-every-write.ts).
 */
export type BusMessage = { topic: string; ids: Array<string | number> | null; resync?: boolean };
type Handler = (message: BusMessage) => unknown;

const FLUSH_MS = 20;
const MAX_IDS = 100;
/** NOTIFY payloads must stay under 8000 bytes. */
const MAX_PAYLOAD = 7000;
const RECONNECT_MS = [500, 1000, 2000, 5000, 10000];

export class ClusterBus {
  readonly instanceId = crypto.randomBytes(8).toString('hex');
  private readonly handlers = new Map<string, Set<Handler>>();
  /** topic → ids to announce (null: all of the topic). */
  private queued = new Map<string, Set<string | number> | null>();
  private timer: NodeJS.Timeout | undefined;
  private client: any;
  private stopped = false;
  private attempts = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private sending: Promise<void> = Promise.resolve();
  /** Whether this instance is listening now (other instances' writes reach it within a second). */
  listening = false;
  /** Counters for operators (GET /api/cluster/status). */
  readonly counters = { sent: 0, received: 0, reconnects: 0 };

  constructor(private readonly strapi: Core.Strapi) {}

  get postgres(): boolean {
    return (this.strapi.db as any)?.dialect?.client === 'postgres' || this.strapi.db?.config?.connection?.client === 'postgres';
  }

  /** The channel: one per database schema, so test schemas (and deployments sharing a database) do not hear each other. */
  channel(): string {
    const schema = String((this.strapi.db as any).getSchemaName?.() ?? 'public');
    return `preschool_bus_${schema.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`.slice(0, 63);
  }

  /** Calls `handler` for every announcement of `topic` by another instance. */
  on(topic: string, handler: Handler): void {
    if (!this.handlers.has(topic)) this.handlers.set(topic, new Set());
    this.handlers.get(topic)!.add(handler);
  }

  /** Announces to the other instances that `topic` changed (the rows `ids`, or all of it). Sent within FLUSH_MS. */
  publish(topic: string, ids?: Array<string | number> | null): void {
    if (!this.postgres || this.stopped) return;
    const known = this.queued.get(topic);
    if (this.queued.has(topic) && known === null) {
      // already "all of it"
    } else if (!ids || ids.length === 0) {
      this.queued.set(topic, null);
    } else {
      const set = known ?? new Set<string | number>();
      for (const id of ids) set.add(id);
      this.queued.set(topic, set.size > MAX_IDS ? null : set);
    }
    if (!this.timer) {
      this.timer = setTimeout(() => { this.timer = undefined; void this.flush(); }, FLUSH_MS);
      this.timer.unref?.();
    }
  }

  /** Sends what is queued now (one notification, or a few when it is large). */
  flush(): Promise<void> {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    const messages: BusMessage[] = [...this.queued].map(([topic, ids]) => ({ topic, ids: ids ? [...ids] : null }));
    this.queued = new Map();
    if (!messages.length) return this.sending;
    const payloads: string[] = [];
    let batch: BusMessage[] = [];
    const encode = (list: BusMessage[]) => JSON.stringify({ from: this.instanceId, messages: list });
    for (const message of messages) {
      const next = encode([...batch, message]);
      if (next.length <= MAX_PAYLOAD) { batch.push(message); continue; }
      if (batch.length) payloads.push(encode(batch));
      const alone = encode([message]);
      batch = [alone.length <= MAX_PAYLOAD ? message : { topic: message.topic, ids: null }];
    }
    if (batch.length) payloads.push(encode(batch));
    const channel = this.channel();
    this.sending = this.sending.then(async () => {
      for (const payload of payloads) {
        try {
          await this.strapi.db.connection.raw('select pg_notify(?, ?)', [channel, payload]);
          this.counters.sent += 1;
        } catch (error: any) {
          // the database is unreachable: the others' caches expire on their own (time-to-live)
          this.strapi.log.debug(`cluster bus: announcement not sent: ${error?.message ?? error}`);
        }
      }
    });
    return this.sending;
  }

  /** Opens the listening connection (PostgreSQL only). */
  async start(): Promise<void> {
    if (!this.postgres) return;
    this.stopped = false;
    await this.connect();
  }

  private async connect(): Promise<void> {
    const { Client } = require('pg');
    const settings = { ...((this.strapi.db as any).connection?.client?.connectionSettings ?? {}) };
    delete settings.schema;
    const client = new Client({ ...settings, keepAlive: true, application_name: 'preschool-cluster-bus' });
    this.client = client;
    const lost = (error?: Error) => {
      if (this.client !== client) return;
      this.listening = false;
      this.client = undefined;
      client.removeAllListeners();
      client.on('error', () => undefined);
      client.end().catch(() => undefined);
      if (!this.stopped) {
        this.strapi.log.warn(`cluster bus: listening connection lost (${error?.message ?? 'ended'}); reconnecting`);
        this.scheduleReconnect();
      }
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (notification: { channel: string; payload?: string }) => this.receive(notification.payload));
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel()}"`);
    } catch (error: any) {
      lost(error);
      return;
    }
    const reconnected = this.attempts > 0 || this.counters.reconnects > 0;
    this.listening = true;
    this.attempts = 0;
    if (reconnected) {
      // what was announced while we were not listening is lost: everything may have changed
      this.counters.reconnects += 1;
      for (const topic of this.handlers.keys()) this.dispatch({ topic, ids: null, resync: true });
    }
  }

  private scheduleReconnect(): void {
    if (this.reconnectTimer || this.stopped) return;
    const delay = RECONNECT_MS[Math.min(this.attempts, RECONNECT_MS.length - 1)];
    this.attempts += 1;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.stopped) void this.connect();
    }, delay);
    this.reconnectTimer.unref?.();
  }

  private receive(payload: string | undefined): void {
    let parsed: { from?: string; messages?: BusMessage[] };
    try {
      parsed = JSON.parse(payload ?? '');
    } catch {
      return;
    }
    if (!parsed || parsed.from === this.instanceId || !Array.isArray(parsed.messages)) return;
    this.counters.received += 1;
    for (const message of parsed.messages) {
      if (message && typeof message.topic === 'string') this.dispatch({ topic: message.topic, ids: Array.isArray(message.ids) ? message.ids : null });
    }
  }

  private dispatch(message: BusMessage): void {
    for (const handler of this.handlers.get(message.topic) ?? []) {
      try {
        Promise.resolve(handler(message)).catch((error) => this.strapi.log.warn(`cluster bus: ${message.topic}: ${error?.message ?? error}`));
      } catch (error: any) {
        this.strapi.log.warn(`cluster bus: ${message.topic}: ${error?.message ?? error}`);
      }
    }
  }

  /** Sends what is queued and closes the listening connection (Strapi's destroy, before the database closes). */
  async stop(): Promise<void> {
    await this.flush();
    this.stopped = true;
    this.listening = false;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const client = this.client;
    this.client = undefined;
    if (client) {
      client.removeAllListeners();
      client.on('error', () => undefined);
      await client.end().catch(() => undefined);
    }
  }
}

const buses = new WeakMap<object, ClusterBus>();

/** The bus of this app instance (made on first use; listening once `start` ran at bootstrap). */
export function clusterBus(strapi: Core.Strapi): ClusterBus {
  let bus = buses.get(strapi);
  if (!bus) {
    bus = new ClusterBus(strapi);
    buses.set(strapi, bus);
  }
  return bus;
}

/**
 * Runs `fn` once the current database transaction commits (at once when there is none). Strapi
 * keeps the transaction in an async context: a nested `transaction` call reaches its commit callbacks.
 */
export async function afterCommit(strapi: Core.Strapi, fn: () => void): Promise<void> {
  if (!strapi.db.inTransaction()) {
    fn();
    return;
  }
  await strapi.db.transaction(async ({ onCommit }: any) => {
    onCommit(fn);
  });
}
