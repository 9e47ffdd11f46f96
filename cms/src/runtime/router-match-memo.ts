/**
 * The router's match remembered per path and method. @koa/router (12.x) answers each request by
 * testing the path against the regular expression of every route of every router (Strapi's content
 * API, admin and plugins: hundreds of layers), about 9 % of a list request's CPU in the profile of
 * `node scripts/profile-list.mjs`. Which layers match depends only on the path, the method and the
 * router's routes, so the answer is kept per router for a path and method (at most MAX_PATHS of
 * them, then forgotten at once), and forgotten when the router's routes change. Each request gets
 * arrays of its own (koa-router appends to `ctx.matched`); captures and params are still computed
 * per request by the layers themselves. Installed at register, on the @koa/router Strapi's core loads.
 */
import { createRequire } from 'node:module';

const INSTALLED = Symbol.for('preschool-mis.router-match-memo');
const MAX_PATHS = 5_000;

type Matched = { path: unknown[]; pathAndMethod: unknown[]; route: boolean };

export function installRouterMatchMemo(): void {
  const requireFromCore = createRequire(require.resolve('@strapi/core'));
  const Router = requireFromCore('@koa/router');
  const prototype = Router?.prototype;
  if (!prototype || prototype[INSTALLED] || typeof prototype.match !== 'function') return;
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
      answer = match.call(this, path, method);
      if (memo.answers.size >= MAX_PATHS) memo.answers.clear();
      memo.answers.set(key, { path: [...answer.path], pathAndMethod: [...answer.pathAndMethod], route: answer.route });
      return answer;
    }
    return { path: [...answer.path], pathAndMethod: [...answer.pathAndMethod], route: answer.route };
  };
  prototype[INSTALLED] = true;
}
