/**
 * The body parser made once, not per request. Strapi's body middleware (`strapi::body`,
 * @strapi/core middlewares/body) calls `koaBody(bodyConfig)(ctx, …)` on every request, and koa-body
 * (6.x) validates its options with zod each time it makes a middleware (about 1 % of a list request's
 * CPU in the profile of `node scripts/profile-list.mjs`). The options object is Strapi's, made once
 * when the middleware is set up, and the middleware koa-body returns keeps no state between requests
 * (it reads the options it closed over), so the one made for an options object is made once and
 * reused for that object. Installed at register, on the koa-body module Strapi's core loads.
 */
import { createRequire } from 'node:module';

const INSTALLED = Symbol.for('preschool-mis.body-parser-memo');

export function installBodyParserMemo(): void {
  // the koa-body that @strapi/core uses
  const requireFromCore = createRequire(require.resolve('@strapi/core'));
  const module = requireFromCore('koa-body');
  if (!module || module[INSTALLED] || typeof module.koaBody !== 'function') return;
  const koaBody = module.koaBody;
  const made = new WeakMap<object, unknown>();
  module.koaBody = (options?: unknown) => {
    if (!options || typeof options !== 'object') return koaBody(options);
    let middleware = made.get(options);
    if (!middleware) made.set(options, (middleware = koaBody(options)));
    return middleware;
  };
  module[INSTALLED] = true;
}
