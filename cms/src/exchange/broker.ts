import type { Core } from '@strapi/strapi';
import { connect } from '@nats-io/transport-node';
import { AckPolicy, jetstream, jetstreamManager, type JetStreamClient, type JsMsg } from '@nats-io/jetstream';
import type { ExchangeSettings } from './settings';

/**
 * The broker between the levels: NATS JetStream (docs/two-level-deployment.md says why). One
 * durable stream holds every subject of the exchange, kept EXCHANGE_STREAM_MAX_AGE_DAYS and at most
 * EXCHANGE_STREAM_MAX_GB (the oldest dropped first; the inbox and outbox tables are the records of what
 * was applied); the publisher sets the event id as the message id, so a re-sent event inside the
 * stream's duplicate window is stored once, and each deployment reads through durable consumers of
 * its own, acknowledging events only after the transaction that applied them committed.
 */
export type Broker = {
  publish(subject: string, payload: unknown, messageId: string): Promise<void>;
  /**
   * Reads `filterSubject` through the durable consumer `durable` and hands its messages to `handle`
   * in stream order, up to `batch` at a time (as many as are waiting, never waiting to fill a batch).
   * A batch handled is acknowledged; a batch that throws is handed again message by message, each
   * acknowledged when handled and redelivered later (2 s) when it throws, so that one bad event does
   * not hold back the others.
   */
  consume(durable: string, filterSubject: string, batch: number, handle: (messages: JsMsg[]) => Promise<void>): Promise<void>;
  /** The subjects under `filter` that hold at least one message (the provinces that ever sent). */
  subjects(filter: string): Promise<string[]>;
  deleteConsumer(durable: string): Promise<boolean>;
  close(): Promise<void>;
  connected(): boolean;
};

type NatsConnection = Awaited<ReturnType<typeof connect>>;

const DUPLICATE_WINDOW_NS = 10 * 60 * 1e9;
/** Unacknowledged messages a consumer may hold at once: bounds what waits in memory for a batch. */
const MAX_ACK_PENDING = 2000;

export async function openBroker(strapi: Core.Strapi, settings: ExchangeSettings): Promise<Broker> {
  const connection: NatsConnection = await connect({ servers: settings.servers, name: `preschool-${settings.role}-${settings.province ?? 'nation'}`, maxReconnectAttempts: -1, reconnectTimeWait: 500 });
  const manager = await jetstreamManager(connection);
  const subjects = [`${settings.subjectPrefix}.>`];
  const retention = { max_age: settings.streamMaxAgeDays * 86_400 * 1e9, max_bytes: Math.round(settings.streamMaxGb * 1024 ** 3) };
  try {
    const info = await manager.streams.info(settings.stream);
    // a stream made before its retention was set (or with other limits) takes the configured ones
    if (info.config.max_age !== retention.max_age || info.config.max_bytes !== retention.max_bytes) {
      await manager.streams.update(settings.stream, retention).catch((error) => strapi.log.warn(`exchange: retention of stream ${settings.stream} not updated: ${error?.message ?? error}`));
    }
  } catch {
    try {
      await manager.streams.add({ name: settings.stream, subjects, duplicate_window: DUPLICATE_WINDOW_NS, ...retention });
    } catch (error) {
      // another deployment created it meanwhile
      await manager.streams.info(settings.stream).catch(() => { throw error; });
    }
  }
  const client: JetStreamClient = jetstream(connection);
  const stops: (() => void)[] = [];
  let closed = false;
  const settle = async (messages: JsMsg[], handle: (messages: JsMsg[]) => Promise<void>) => {
    try {
      await handle(messages);
      for (const message of messages) message.ack();
      return;
    } catch (error: any) {
      if (messages.length === 1) {
        strapi.log.error(`exchange: ${messages[0].subject} #${messages[0].seq} not applied, retried later: ${error?.message ?? error}`);
        messages[0].nak(2000);
        return;
      }
    }
    for (const message of messages) await settle([message], handle);
  };
  return {
    connected: () => !connection.isClosed(),
    async publish(subject, payload, messageId) {
      await client.publish(subject, JSON.stringify(payload), { msgID: messageId, timeout: 5000 });
    },
    async subjects(filter) {
      const info = await manager.streams.info(settings.stream, { subjects_filter: filter });
      return Object.keys(info.state.subjects ?? {}).sort();
    },
    async deleteConsumer(durable) {
      return manager.consumers.delete(settings.stream, durable).catch(() => false);
    },
    async consume(durable, filterSubject, batch, handle) {
      try {
        await manager.consumers.info(settings.stream, durable);
      } catch {
        await manager.consumers.add(settings.stream, { durable_name: durable, ack_policy: AckPolicy.Explicit, filter_subject: filterSubject, max_deliver: 50, ack_wait: settings.ackWaitSeconds * 1e9, max_ack_pending: MAX_ACK_PENDING });
      }
      const consumer = await client.consumers.get(settings.stream, durable);
      const loop = async () => {
        while (!closed) {
          try {
            const messages = await consumer.consume({ max_messages: Math.min(MAX_ACK_PENDING, Math.max(100, batch * 2)) });
            stops.push(() => messages.stop());
            // the reader queues what arrives; the applier takes all that waits (up to `batch`) at once
            const queue: JsMsg[] = [];
            let wake: (() => void) | null = null;
            let ended = false;
            let failure: unknown = null;
            const reader = (async () => {
              try {
                for await (const message of messages) {
                  queue.push(message);
                  wake?.();
                }
              } catch (error) {
                failure = error;
              } finally {
                ended = true;
                wake?.();
              }
            })();
            while (!closed) {
              if (!queue.length) {
                if (ended) break;
                await new Promise<void>((resolve) => { wake = resolve; });
                wake = null;
                continue;
              }
              await settle(queue.splice(0, batch), handle);
            }
            await reader;
            if (failure) throw failure;
          } catch (error: any) {
            if (!closed) strapi.log.warn(`exchange: consumer ${durable} interrupted (${error?.message ?? error}), resuming`);
          }
          // what was read and not handled is redelivered after the consumer's ack wait
          if (!closed) await new Promise((resolve) => setTimeout(resolve, 1000));
        }
      };
      void loop();
    },
    async close() {
      closed = true;
      for (const stop of stops) stop();
      await connection.drain().catch(() => connection.close());
    },
  };
}
