import net from 'node:net';

/**
 * The client's address (ctx.request.ip: rate limits, audit trail, exports' records) behind nginx.
 * X-Forwarded-For is believed only when the connection comes from a proxy named in TRUSTED_PROXIES
 * (comma-separated addresses, e.g. 127.0.0.1 for the nginx of deploy/nginx.conf on the same machine);
 * the client is then the right-most address of the header that is not itself a trusted proxy. From
 * anyone else the header is ignored: a client cannot choose the address it is counted under.
 * (Koa's own `proxy` option would believe the header from anyone.)
 */
const normalize = (address: string) => address.trim().replace(/^::ffff:/, '');

export function trustedProxies(value = process.env.TRUSTED_PROXIES ?? ''): Set<string> {
  return new Set(value.split(',').map(normalize).filter((address) => net.isIP(address)));
}

/** The client's address from the peer's address and the X-Forwarded-For header. */
export function clientAddress(peer: string, forwardedFor: string | undefined, trusted: Set<string>): string {
  let client = normalize(peer);
  if (!trusted.has(client) || !forwardedFor) return client;
  const hops = forwardedFor.split(',').map(normalize).filter(Boolean);
  while (hops.length) {
    const hop = hops.pop()!;
    if (!net.isIP(hop)) return client;
    client = hop;
    if (!trusted.has(hop)) return client;
  }
  return client;
}

export default () => {
  const trusted = trustedProxies();
  // no trusted proxy: the peer's address is the client's (koa's own ctx.request.ip), nothing to do per request
  if (!trusted.size) return (_ctx: any, next: () => Promise<unknown>) => next();
  return async (ctx: any, next: () => Promise<unknown>) => {
    ctx.request.ip = clientAddress(ctx.req.socket?.remoteAddress ?? '', ctx.get('X-Forwarded-For') || undefined, trusted);
    return next();
  };
};
