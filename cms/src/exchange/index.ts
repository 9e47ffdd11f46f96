import type { Core } from '@strapi/strapi';
import { openBroker, type Broker } from './broker';
import { applyBatch } from './inbox';
import { applyNationalEvent, reportSnapshots, reportStatusSteps } from './province';
import { applyProvinceEvents, lockNationalKeys } from './national';
import { relayOnce } from './relay';
import { reportTransferSteps, useTransferSettings } from './transfers';
import { downSubject, exchangeSettings, type ExchangeSettings } from './settings';
import type { ExchangeEvent } from './outbox';
import type { JsMsg } from '@nats-io/jetstream';

type Running = { broker: Broker | null; timer: NodeJS.Timeout | null; discovery: NodeJS.Timeout | null; stopped: boolean };
let running: Running | null = null;

/** Settings read once at start; a mistake stops the start with a message naming the variable. */
let settings: ExchangeSettings | null = null;
export function currentExchangeSettings(): ExchangeSettings {
  settings ??= exchangeSettings();
  return settings;
}

/** Register-time part: the history subscription must exist before anything writes history. */
export function registerExchange(strapi: Core.Strapi): void {
  const current = currentExchangeSettings();
  reportStatusSteps(strapi, current);
  reportSnapshots(strapi, current);
  useTransferSettings(current);
  reportTransferSteps(strapi, current);
}

/**
 * Starts the relay and the consumers of a province or national deployment. A broker that cannot be
 * reached does not stop the start: the deployment keeps working, its outbox grows, and the
 * connection is retried in the background.
 *
 * The nation reads each province's subject (`up.<province>`) through a durable consumer of its own,
 * all of them concurrently, each applying what waits in batches of up to EXCHANGE_BATCH_SIZE events
 * in one transaction (cms/src/exchange/inbox.ts), acknowledged after the commit. A child's events are
 * all written by its one province, so they are in that province's subject, in its outbox order, and a
 * province's batches apply one after the other: per-child order holds without ordering provinces among
 * themselves. A province sending for the first time is found within EXCHANGE_DISCOVERY_MS.
 * A province reads its one subject (`down.<province>`), one event per transaction.
 */
export async function startExchange(strapi: Core.Strapi): Promise<void> {
  const current = currentExchangeSettings();
  if (current.role === 'single') return;
  const state: Running = { broker: null, timer: null, discovery: null, stopped: false };
  running = state;
  const source = current.role === 'province' ? current.province! : 'national';
  const handler = (apply: Parameters<typeof applyBatch>[2], prepare?: (events: ExchangeEvent[]) => Promise<void>) => async (messages: JsMsg[]) => {
    await applyBatch(strapi, messages.map((message) => message.json() as ExchangeEvent), apply, prepare);
  };
  const consumeProvinces = async (broker: Broker) => {
    const upPrefix = `${current.subjectPrefix}.up.`;
    const started = new Set<string>();
    const handle = handler({ applyAll: (events) => applyProvinceEvents(strapi, current, events) }, (events) => lockNationalKeys(strapi, events));
    // the single consumer of every province that came before one per province: its place is taken by theirs
    if (await broker.deleteConsumer('national')) strapi.log.info('exchange: consumer "national" replaced by one consumer per province');
    const discover = async () => {
      if (state.stopped) return;
      try {
        for (const subject of await broker.subjects(`${upPrefix}*`)) {
          const province = subject.slice(upPrefix.length);
          if (started.has(province) || !/^[1-8]\d$/.test(province)) continue;
          await broker.consume(`national-${province}`, subject, current.batchSize, handle);
          started.add(province);
        }
      } catch (error: any) {
        strapi.log.warn(`exchange: provinces' subjects not listed (${error?.message ?? error}); retrying`);
      }
      if (!state.stopped) state.discovery = setTimeout(discover, current.discoveryMs);
    };
    await discover();
  };
  const connect = async () => {
    while (!state.stopped && !state.broker) {
      try {
        const broker = await openBroker(strapi, current);
        if (state.stopped) { await broker.close(); return; }
        state.broker = broker;
        if (current.role === 'national') await consumeProvinces(broker);
        else await broker.consume(`province-${current.province}`, downSubject(current, current.province!), 1, handler((event) => applyNationalEvent(strapi, event)));
        strapi.log.info(`exchange: ${current.role} ${current.province ?? ''} connected to ${current.servers}`);
      } catch (error: any) {
        strapi.log.warn(`exchange: broker ${current.servers} unreachable (${error?.message ?? error}); retrying, the outbox keeps the events`);
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
    }
  };
  void connect();
  const tick = async () => {
    if (state.stopped) return;
    try {
      if (state.broker) await relayOnce(strapi, state.broker, source);
    } catch (error: any) {
      strapi.log.warn(`exchange relay: ${error?.message ?? error}`);
    }
    if (!state.stopped) state.timer = setTimeout(tick, current.relayIntervalMs);
  };
  state.timer = setTimeout(tick, current.relayIntervalMs);
}

export async function stopExchange(): Promise<void> {
  if (!running) return;
  const state = running;
  running = null;
  state.stopped = true;
  if (state.timer) clearTimeout(state.timer);
  if (state.discovery) clearTimeout(state.discovery);
  await state.broker?.close().catch(() => undefined);
}
