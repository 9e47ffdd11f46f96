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
