import type { Core } from '@strapi/strapi';
import { openBroker, type Broker } from './broker';
import { applyOnce } from './inbox';
import { applyNationalEvent, reportSnapshots, reportStatusSteps } from './province';
import { applyProvinceEvent } from './national';
import { relayOnce } from './relay';
import { reportTransferSteps, useTransferSettings } from './transfers';
import { downSubject, exchangeSettings, type ExchangeSettings } from './settings';
import type { ExchangeEvent } from './outbox';

let running: { broker: Broker | null; timer: NodeJS.Timeout | null; stopped: boolean } | null = null;

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
 * Starts the relay and the consumer of a province or national deployment. A broker that cannot be
 * reached does not stop the start: the deployment keeps working, its outbox grows, and the
 * connection is retried in the background.
 */
export async function startExchange(strapi: Core.Strapi): Promise<void> {
  const current = currentExchangeSettings();
  if (current.role === 'single') return;
  const state: { broker: Broker | null; timer: NodeJS.Timeout | null; stopped: boolean } = { broker: null, timer: null, stopped: false };
  running = state;
  const source = current.role === 'province' ? current.province! : 'national';
  const connect = async () => {
    while (!state.stopped && !state.broker) {
      try {
        const broker = await openBroker(strapi, current);
        if (state.stopped) { await broker.close(); return; }
        state.broker = broker;
        const handle = async (message: any) => {
          const event = message.json() as ExchangeEvent;
          await applyOnce(strapi, event, () => (current.role === 'national' ? applyProvinceEvent(strapi, current, event) : applyNationalEvent(strapi, event)));
        };
        if (current.role === 'national') await broker.consume('national', `${current.subjectPrefix}.up.>`, handle);
        else await broker.consume(`province-${current.province}`, downSubject(current, current.province!), handle);
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
  await state.broker?.close().catch(() => undefined);
}
