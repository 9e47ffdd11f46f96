import path from 'node:path';
import { REPOSITORY_ROOT } from './boot';

/**
 * The auth routes' rate-limit windows are fixed and aligned for every instance
 * (cms/src/security/rate-limit.ts): a sequence of requests that must fall in one window starts with
 * at least `seconds` left in it, waiting for the next window otherwise.
 */
export async function clearOfWindowEdge(windowSeconds: number, seconds: number): Promise<void> {
  const windowMs = windowSeconds * 1000;
  const left = windowMs - (Date.now() % windowMs);
  if (left < seconds * 1000) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

/**
 * Forgets every client's count of the auth routes (cms/src/security/rate-limit.ts resetRateLimits): a
 * test that walks every route, the auth ones among them, is then not refused half-way by the limit.
 */
export async function resetRateLimits(strapi: unknown): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const rateLimit = require(path.join(REPOSITORY_ROOT, 'cms', 'dist', 'src', 'security', 'rate-limit'));
  await rateLimit.resetRateLimits(strapi);
}
