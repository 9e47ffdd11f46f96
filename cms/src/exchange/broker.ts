import type { Core } from '@strapi/strapi';
import { connect } from '@nats-io/transport-node';
import { AckPolicy, jetstream, jetstreamManager, type JetStreamClient, type JsMsg } from '@nats-io/jetstream';
import type { ExchangeSettings } from './settings';

/**
 * The broker between the levels: NATS JetStream (docs/two-level-deployment.md says why). One
 * durable stream holds every subject of the exchange; the publisher sets the event id as the
 * message id, so a re-sent event inside the stream's duplicate window is stored once, and each
 * deployment reads through a durable consumer of its own, acknowledging an event only after the
 * transaction that applied it committed.
 */
export type Broker = {
  publish(subject: string, payload: unknown, messageId: string): Promise<void>;
  consume(durable: string, filterSubject: string, handle: (message: JsMsg) => Promise<void>): Promise<void>;
  close(): Promise<void>;
  connected(): boolean;
};

type NatsConnection = Awaited<ReturnType<typeof connect>>;

const DUPLICATE_WINDOW_NS = 10 * 60 * 1e9;

export async function openBroker(strapi: Core.Strapi, settings: ExchangeSettings): Promise<Broker> {
  const connection: NatsConnection = await connect({ servers: settings.servers, name: `preschool-${settings.role}-${settings.province ?? 'nation'}`, maxReconnectAttempts: -1, reconnectTimeWait: 500 });
  const manager = await jetstreamManager(connection);
  const subjects = [`${settings.subjectPrefix}.>`];
  try {
    await manager.streams.info(settings.stream);
  } catch {
    try {
      await manager.streams.add({ name: settings.stream, subjects, duplicate_window: DUPLICATE_WINDOW_NS });
    } catch (error) {
      // another deployment created it meanwhile
      await manager.streams.info(settings.stream).catch(() => { throw error; });
    }
  }
  const client: JetStreamClient = jetstream(connection);
  const stops: (() => void)[] = [];
  let closed = false;
  return {
    connected: () => !connection.isClosed(),
    async publish(subject, payload, messageId) {
      await client.publish(subject, JSON.stringify(payload), { msgID: messageId, timeout: 5000 });
    },
    async consume(durable, filterSubject, handle) {
      try {
        await manager.consumers.info(settings.stream, durable);
      } catch {
        await manager.consumers.add(settings.stream, { durable_name: durable, ack_policy: AckPolicy.Explicit, filter_subject: filterSubject, max_deliver: 50, ack_wait: 30 * 1e9 });
      }
      const consumer = await client.consumers.get(settings.stream, durable);
      const loop = async () => {
        while (!closed) {
          try {
            const messages = await consumer.consume({ max_messages: 50 });
            stops.push(() => messages.stop());
            for await (const message of messages) {
              try {
                await handle(message);
                message.ack();
              } catch (error: any) {
                strapi.log.error(`exchange: ${message.subject} #${message.seq} not applied, retried later: ${error?.message ?? error}`);
                message.nak(2000);
              }
            }
          } catch (error: any) {
            if (!closed) strapi.log.warn(`exchange: consumer ${durable} interrupted (${error?.message ?? error}), resuming`);
            await new Promise((resolve) => setTimeout(resolve, 1000));
          }
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
