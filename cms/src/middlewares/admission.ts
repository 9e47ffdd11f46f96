import { readDomainConfig } from '../runtime/paths';
import { routeIdentity } from '../security/route-identity';

/**
 * How many requests one server process works on at once (config/cluster.json `server.admission`).
 *
 * Node interleaves every request it has accepted: with 50 users at once, each request's steps (the
 * middlewares, the statement, the answer) wait behind the steps of the 49 others, so every answer
 * takes about as long as fifty, and the slowest much longer. Here at most `concurrent` requests are
 * worked on; the others wait in arrival order before any work is done for them (first come, first
 * served), so a request's time is its wait in line plus its own work among a few. When the line is
 * full (`queue`), or a request has waited `queueSeconds`, the answer is 503 with Retry-After: an
 * overloaded instance says so at once instead of answering everyone late.
 *
 * A request's place is held until its handler has answered (a file streamed afterwards no longer
 * holds it); a client that hangs up while waiting leaves the line. Placed after the body parser in
 * cms/config/middlewares.ts, so that a slow upload does not hold a place while its bytes arrive.
 * `GET /api/health` is never held back: it shows how the instance is.
 */
export type AdmissionSettings = { concurrent: number; queue: number; queueSeconds: number };

const BUSY_MESSAGE = '服务器繁忙，请稍后重试';
const UNLIMITED: AdmissionSettings = { concurrent: 0, queue: 0, queueSeconds: 0 };

export function admissionSettings(): AdmissionSettings {
  const server = readDomainConfig<{ server?: { admission?: AdmissionSettings } }>('cluster.json').server;
  return server?.admission ?? UNLIMITED;
}

type Waiting = { state: 'waiting' | 'admitted' | 'refused'; resolve: (admitted: boolean) => void; timer?: NodeJS.Timeout };

/** A first-come-first-served gate of `concurrent` places with a line of at most `queue`. */
export class AdmissionGate {
  private working = 0;
  private line: Waiting[] = [];
  private head = 0;
  private queued = 0;

  constructor(private readonly settings: AdmissionSettings) {}

  /** Requests being worked on. */
  get active() {
    return this.working;
  }

  /** Requests waiting for a place. */
  get waiting() {
    return this.queued;
  }

  /**
   * True (at once or later) when the request may proceed — then `leave` must be called once —, false
   * when it is refused: the line full, its wait too long, or `onAbandon`'s callback called first.
   */
  enter(onAbandon?: (abandon: () => void) => void): Promise<boolean> | boolean {
    if (this.working < this.settings.concurrent) {
      this.working += 1;
      return true;
    }
    if (this.queued >= this.settings.queue) return false;
    return new Promise<boolean>((resolve) => {
      const entry: Waiting = { state: 'waiting', resolve };
      const refuse = () => {
        if (entry.state !== 'waiting') return;
        entry.state = 'refused';
        this.queued -= 1;
        clearTimeout(entry.timer);
        resolve(false);
      };
      entry.timer = setTimeout(refuse, this.settings.queueSeconds * 1000);
      this.line.push(entry);
      this.queued += 1;
      onAbandon?.(refuse);
    });
  }

  /** A place freed: handed to the first one still waiting, or given back. */
  leave() {
    while (this.head < this.line.length) {
      const next = this.line[this.head];
      this.head += 1;
      if (this.head === this.line.length) {
        this.line = [];
        this.head = 0;
      } else if (this.head >= 1024 && this.head * 2 >= this.line.length) {
        this.line = this.line.slice(this.head);
        this.head = 0;
      }
      if (next.state !== 'waiting') continue;
      next.state = 'admitted';
      this.queued -= 1;
      clearTimeout(next.timer);
      next.resolve(true);
      return;
    }
    this.working -= 1;
  }
}

export default (config: Partial<AdmissionSettings> = {}) => {
  const settings = { ...admissionSettings(), ...config };
  if (!settings.concurrent) return async (_ctx: any, next: () => Promise<unknown>) => next();
  const gate = new AdmissionGate(settings);
  return async (ctx: any, next: () => Promise<unknown>) => {
    // the path in its one spelling (cms/src/security/route-identity.ts), as every guard compares it
    if (routeIdentity(ctx) === '/api/health') return next();
    const admitted = await gate.enter((abandon) => ctx.res.once('close', abandon));
    if (!admitted) {
      ctx.status = 503;
      ctx.set('Retry-After', '1');
      // the shape of Strapi's error answers (its errors middleware), with a code as the project's other refusals have
      ctx.body = { data: null, error: { status: 503, name: 'ServiceUnavailableError', message: BUSY_MESSAGE, details: { code: 'SERVER_BUSY' } } };
      return;
    }
    try {
      await next();
    } finally {
      gate.leave();
    }
  };
};
