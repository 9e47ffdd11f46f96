import { AdmissionGate } from '../../cms/src/middlewares/admission';

/** Collects the order in which waiting requests were let in or refused. */
const waitFor = async (gate: AdmissionGate, name: string, log: string[], onAbandon?: (abandon: () => void) => void) => {
  const admitted = await gate.enter(onAbandon);
  log.push(`${name}:${admitted ? 'in' : 'refused'}`);
  return admitted;
};

test('at most `concurrent` at once; the others let in first come, first served as places free', async () => {
  const gate = new AdmissionGate({ concurrent: 2, queue: 10, queueSeconds: 60 });
  expect(gate.enter()).toBe(true);
  expect(gate.enter()).toBe(true);
  const log: string[] = [];
  const waiting = ['c', 'd', 'e'].map((name) => waitFor(gate, name, log));
  await Promise.resolve();
  expect(gate.active).toBe(2);
  expect(gate.waiting).toBe(3);
  expect(log).toEqual([]);
  gate.leave();
  await new Promise((resolve) => setImmediate(resolve));
  expect(log).toEqual(['c:in']);
  gate.leave();
  gate.leave();
  await Promise.all(waiting);
  expect(log).toEqual(['c:in', 'd:in', 'e:in']);
  // the places handed on, never more than two at once
  expect(gate.active).toBe(2);
  gate.leave();
  gate.leave();
  expect(gate.active).toBe(0);
  expect(gate.waiting).toBe(0);
});

test('a full line is refused at once; a request that waited too long or whose client left is refused and loses its place', async () => {
  jest.useFakeTimers();
  try {
    const gate = new AdmissionGate({ concurrent: 1, queue: 2, queueSeconds: 5 });
    expect(gate.enter()).toBe(true);
    const log: string[] = [];
    let hangUp: () => void = () => undefined;
    const gone = waitFor(gate, 'gone', log, (abandon) => { hangUp = abandon; });
    const slow = waitFor(gate, 'slow', log);
    // the line holds two: a third is refused without waiting
    expect(gate.enter()).toBe(false);
    hangUp();
    await gone;
    expect(log).toEqual(['gone:refused']);
    expect(gate.waiting).toBe(1);
    jest.advanceTimersByTime(5000);
    await slow;
    expect(log).toEqual(['gone:refused', 'slow:refused']);
    // the place freed goes back to the gate (no one waits): the next request is let in at once
    gate.leave();
    expect(gate.active).toBe(0);
    expect(gate.enter()).toBe(true);
  } finally {
    jest.useRealTimers();
  }
});

describe('the middleware', () => {
  // cms/src/middlewares/admission.ts as Strapi calls it, with a context like Koa's
  const admission = require('../../cms/src/middlewares/admission').default;
  const { EventEmitter } = require('node:events');
  const context = (path = '/api/children') => {
    const headers: Record<string, string> = {};
    return { path, res: new EventEmitter(), status: 404, body: undefined as any, headers, set: (name: string, value: string) => { headers[name] = value; } };
  };

  test('beyond the places and the line: 503 at once with Retry-After and a message in Chinese; the next request after an answer goes through', async () => {
    const middleware = admission({ concurrent: 1, queue: 0, queueSeconds: 5 });
    let finish: () => void = () => undefined;
    const first = context();
    const working = middleware(first, () => new Promise<void>((resolve) => { finish = () => { first.status = 200; resolve(); }; }));
    await Promise.resolve();
    const second = context();
    let reached = false;
    await middleware(second, async () => { reached = true; });
    expect(reached).toBe(false);
    expect(second.status).toBe(503);
    expect(second.headers['Retry-After']).toBe('1');
    expect(second.body.error).toEqual({ status: 503, name: 'ServiceUnavailableError', message: '服务器繁忙，请稍后重试', details: { code: 'SERVER_BUSY' } });
    // the health check is never held back
    for (const spelling of ['/api/health', '/API/Health', '/api/%68ealth']) {
      let checked = false;
      await middleware(context(spelling), async () => { checked = true; });
      expect(checked).toBe(true);
    }
    finish();
    await working;
    const third = context();
    await middleware(third, async () => { third.status = 200; });
    expect(third.status).toBe(200);
  });

  test('a handler that throws gives its place back', async () => {
    const middleware = admission({ concurrent: 1, queue: 0, queueSeconds: 5 });
    await expect(middleware(context(), async () => { throw new Error('handler failed'); })).rejects.toThrow('handler failed');
    const next = context();
    await middleware(next, async () => { next.status = 200; });
    expect(next.status).toBe(200);
  });

  test('concurrent 0: no limit', async () => {
    const middleware = admission({ concurrent: 0, queue: 0, queueSeconds: 5 });
    const pending: Array<() => void> = [];
    const all = Array.from({ length: 20 }, () => middleware(context(), () => new Promise<void>((resolve) => pending.push(resolve))));
    await Promise.resolve();
    expect(pending).toHaveLength(20);
    pending.forEach((resolve) => resolve());
    await Promise.all(all);
  });
});
