import fs from 'node:fs';
import path from 'node:path';
import { panelDistDir } from '../runtime/paths';
import { routeIdentity } from '../security/route-identity';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json',
  '.woff2': 'font/woff2', '.woff': 'font/woff', '.map': 'application/json',
};
const OWNED_BY_STRAPI = /^\/(api|admin|ra|uploads|i18n|content-manager|content-type-builder|upload|users-permissions|_health)(\/|$)/;

/** Whether Strapi's own admin UI is built (scripts/build.mjs builds it only with STRAPI_ADMIN_ENABLED=true). */
const strapiAdminBuilt = (strapi: any) => fs.existsSync(path.join(strapi?.dirs?.dist?.root ?? '', 'build', 'index.html'));

/**
 * Serves the react-admin panel (admin/dist, built by Vite) at `/`, and the guardians' page
 * (admin/guardian.html, docs/guardians.md) at `/guardian`. Strapi keeps `/api`, `/ra` and its own
 * admin at `/admin`. Hashed assets are cached for a year, the pages never.
 * A browser that opens a page of /admin while Strapi's admin UI is not built is sent to the
 * panel's help (#/help), which says in Chinese what /admin is and how it is turned on.
 */
export default (config: { dir?: string } = {}, { strapi }: { strapi?: any } = {}) => {
  const root = path.resolve(config.dir || panelDistDir);
  return async (ctx, next) => {
    if (ctx.method === 'GET' && /^\/admin(\/|$)/.test(routeIdentity(ctx)) && String(ctx.get('accept')).includes('text/html') && !strapiAdminBuilt(strapi)) {
      ctx.redirect('/#/help');
      return;
    }
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || OWNED_BY_STRAPI.test(routeIdentity(ctx))) return next();
    const relative = ctx.path === '/' ? 'index.html' : routeIdentity(ctx) === '/guardian' ? 'guardian.html' : decodeURIComponent(ctx.path).replace(/^\/+/, '');
    const file = path.resolve(root, relative);
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      if (ctx.path === '/') {
        ctx.type = 'text/plain; charset=utf-8';
        ctx.body = 'The panel is not built yet: run `npm run build` (or `npm start`), then reload.';
        ctx.status = 503;
        return;
      }
      return next();
    }
    ctx.type = TYPES[path.extname(file)] ?? 'application/octet-stream';
    ctx.set('Cache-Control', relative.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    ctx.body = fs.createReadStream(file);
  };
};
