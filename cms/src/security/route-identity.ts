/**
 * One identity per request path, for every decision the security layer takes on a path.
 *
 * Strapi's router matches paths case-insensitively, and its static servers (koa-static, behind
 * `strapi::public` and the upload plugin) percent-decode the path and resolve `//`, `/./` and
 * `/x/../` before they look for a file. A guard that compares the raw URL with `'/api/'` or
 * `'/uploads/'` therefore has side doors: `/API/children/1`, `/uploads%2Fx.png`, `/./uploads/x.png`.
 *
 * So the first middleware (cms/src/middlewares/canonical-path.ts) rewrites every request's path to
 * its canonical spelling before anything else reads it — decoded once, dot segments resolved, empty
 * segments and a trailing slash dropped, then re-encoded the one way — so the router, the static
 * servers, the bridge and the guards all see the same path; and every guard compares
 * `routeIdentity(ctx)`, the canonical path in lower case (as the router compares). A path that has
 * no single meaning is refused before any of them: one that does not decode, one that still holds a
 * `%` after decoding (double encoding, which a later decoder would read as another path), a
 * backslash, a control character, or a `..` above the root.
 */

/** Characters a path segment keeps as they are (RFC 3986 pchar, less `%`). */
const PCHAR = /[A-Za-z0-9\-._~!$&'()*+,;=:@]/;

function encodeSegment(segment: string): string {
  let encoded = '';
  for (const character of segment) {
    encoded += PCHAR.test(character) ? character : encodeURIComponent(character);
  }
  return encoded;
}

export type CanonicalPath = { path: string; decoded: string };

/**
 * The canonical form of a raw request path, or null when the path cannot be given one meaning.
 * `path` is re-encoded (what the router and the static servers are given), `decoded` is the same
 * path decoded (what people read).
 */
export function canonicalPath(rawPath: string): CanonicalPath | null {
  if (typeof rawPath !== 'string' || !rawPath.startsWith('/')) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return null;
  }
  // a `%` left after one decoding means the path was encoded twice; `\` is a separator to some servers
  if (/[%\\\u0000-\u001f\u007f]/.test(decoded)) return null;
  const segments: string[] = [];
  for (const segment of decoded.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (!segments.length) return null;
      segments.pop();
      continue;
    }
    segments.push(segment);
  }
  return { path: `/${segments.map(encodeSegment).join('/')}`, decoded: `/${segments.join('/')}` };
}

/**
 * The path as every guard compares it: the canonical path (set by the canonical-path middleware)
 * in lower case. Computed from the current `ctx.path`, so after the bridge's rewrite of `/ra/…` it
 * is the `/api/…` route the request goes on to.
 */
export function routeIdentity(ctx: { path: string; state?: any }): string {
  const path = String(ctx.path ?? '');
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // the canonical-path middleware refused such a path already; compare it as it is
  }
  return decoded.toLowerCase();
}

/** Whether `identity` is `prefix` itself or lies under it (`/api` matches `/api` and `/api/x`, not `/apix`). */
export function isUnder(identity: string, prefix: string): boolean {
  const base = prefix.toLowerCase().replace(/\/+$/, '');
  return identity === base || identity.startsWith(`${base}/`);
}
