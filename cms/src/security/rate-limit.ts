import { securityConfig } from './config';

/**
 * Per-IP limit on the auth routes, in memory per instance (fixed window). The lockout, which
 * protects each account, is counted in the database and shared by all instances; this limit only
 * slows one address down, so a per-instance count is enough.
 */
const windows = new Map<string, { start: number; count: number }>();

export function rateLimited(ip: string, now = Date.now()): { limited: boolean; retryAfter: number } {
  const { windowSeconds, maxRequests } = securityConfig().rateLimit;
  const windowMs = windowSeconds * 1000;
  let entry = windows.get(ip);
  if (!entry || now - entry.start >= windowMs) {
    entry = { start: now, count: 0 };
    windows.set(ip, entry);
  }
  entry.count += 1;
  if (windows.size > 10_000) {
    for (const [key, value] of windows) if (now - value.start >= windowMs) windows.delete(key);
  }
  const retryAfter = Math.max(1, Math.ceil((entry.start + windowMs - now) / 1000));
  return { limited: entry.count > maxRequests, retryAfter };
}

export function isRateLimitedPath(path: string): boolean {
  return securityConfig().rateLimit.paths.some((prefix) => path.startsWith(prefix));
}

/** For tests and operators: forget the counts. */
export function resetRateLimits(): void {
  windows.clear();
}
