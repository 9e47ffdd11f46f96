/**
 * The router's match remembered per path and method. @koa/router (12.x) answers each request by
 * testing the path against the regular expression of every route of every router (Strapi's content
 * API, admin and plugins: hundreds of layers), about 9 % of a list request's CPU in the profile of
 * `node scripts/profile-list.mjs`. Which layers match depends only on the path, the method and the
 * router's routes, so the answer is kept per router for a path and method (at most MAX_PATHS of
 * them, then forgotten at once), and forgotten when the router's routes change. Each request gets
 * arrays of its own (koa-router appends to `ctx.matched`); captures and params are still computed
 * per request by the layers themselves. Installed at register, on the @koa/router Strapi's core loads.
 *
 * The same `allowedMethods` once per prefix. Strapi mounts each group of routes as a router of its
 * own with its `allowedMethods()` (405/501 and OPTIONS answers when no route took the request), and
 * @koa/router flattens them into one router: 78 such middlewares matched every `/api/…` request,
 * each run with its captures, params, closure and promise — the largest allocation of a list request
 * (126 KB of its 743, `BENCH_SERVER_NODE_OPTIONS` with the sampling heap profiler, docs/benchmarks.md).
 * Each looks only at the status when the request comes back to it, `ctx.matched` (all routers') and
 * its router's methods, so two with the same prefix and the same methods do the same thing: the
 * first (outermost, its check the last to run) is kept in a match's layers, the others are left out.
 * An `allowedMethods` made with options of its own is never left out.
 */
import { createRequire } from 'node:module';

const INSTALLED = Symbol.for('preschool-mis.router-match-memo');
const ALLOWED_METHODS = Symbol.for('preschool-mis.allowed-methods');
const MAX_PATHS = 5_000;

type Matched = { path: unknown[]; pathAndMethod: unknown[]; route: boolean };

export function installRouterMatchMemo(): void {
  const requireFromCore = createRequire(require.resolve('@strapi/core'));
  const Router = requireFromCore('@koa/router');
  const prototype = Router?.prototype;
  if (!prototype || prototype[INSTALLED] || typeof prototype.match !== 'function') return;
  // each allowedMethods() middleware marked with what it does: its router's methods (no options given)
  const allowedMethods = prototype.allowedMethods;
  if (typeof allowedMethods === 'function') {
    prototype.allowedMethods = function markedAllowedMethods(this: { methods: string[] }, options?: Record<string, unknown>) {
      const middleware = allowedMethods.call(this, options);
      if (!options || !Object.keys(options).length) middleware[ALLOWED_METHODS] = this.methods.join(',');
      return middleware;
    };
  }
  const match: (path: string, method: string) => Matched = prototype.match;
  const memos = new WeakMap<object, { layers: unknown[]; size: number; answers: Map<string, Matched> }>();
  prototype.match = function memoMatch(this: { stack: unknown[] }, path: string, method: string): Matched {
    if (typeof path !== 'string' || typeof method !== 'string') return match.call(this, path, method);
    let memo = memos.get(this);
    // a route added or removed: everything known of this router is forgotten
    if (!memo || memo.layers !== this.stack || memo.size !== this.stack.length) memos.set(this, (memo = { layers: this.stack, size: this.stack.length, answers: new Map() }));
    const key = `${method} ${path}`;
    let answer = memo.answers.get(key);
    if (!answer) {
      const found = match.call(this, path, method);
      answer = { path: withoutRepeatedAllowedMethods(found.path), pathAndMethod: withoutRepeatedAllowedMethods(found.pathAndMethod), route: found.route };
      if (memo.answers.size >= MAX_PATHS) memo.answers.clear();
      memo.answers.set(key, answer);
    }
    return { path: [...answer.path], pathAndMethod: [...answer.pathAndMethod], route: answer.route };
  };
  prototype[INSTALLED] = true;
}

type Layer = { path: string; methods: string[]; stack: Record<symbol, unknown>[] };

/** A match's layers with each marked allowedMethods middleware once per prefix and methods (the first). */
function withoutRepeatedAllowedMethods(layers: unknown[]): unknown[] {
  const seen = new Set<string>();
  return layers.filter((entry) => {
    const layer = entry as Layer;
    const what = layer.methods?.length === 0 && layer.stack?.length === 1 ? layer.stack[0][ALLOWED_METHODS] : undefined;
    if (typeof what !== 'string') return true;
    const key = `${layer.path}\u0000${what}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
