import { readDomainConfig } from '../runtime/paths';
import { overlayVersion, securityPolicyOverlay } from '../domain/config-overlay';
import { applyPolicyEdits } from './policy';

export type SecurityConfig = {
  password: { minLength: number; minKinds: number; maxAgeDays: number; historySize: number };
  lockout: { maxFailures: number; lockMinutes: number };
  rateLimit: { windowSeconds: number; maxRequests: number; paths: string[] };
  session: { accessTokenMinutes: number; idleMinutes: number; absoluteHours: number; touchSeconds: number; cacheSeconds: number };
  totp: { issuer: string; digits: number; periodSeconds: number; window: number; requiredLevels: string[]; requiredRoles: string[] };
  demo: { passwordChanged: boolean; totpExempt: boolean };
  audit: { retentionDays: number; maskedFields: string[]; routes: { method: string; pattern: string; action: string }[] };
};

let defaults: SecurityConfig | undefined;
let merged: { version: number; config: SecurityConfig } | undefined;

/** config/security.json as written, read once. */
export function defaultSecurityConfig(): SecurityConfig {
  if (!defaults) defaults = readDomainConfig<SecurityConfig>('security.json');
  return defaults;
}

/**
 * The policy in force: config/security.json with the security administrator's edits (安全策略,
 * cms/src/api/security-policy) applied. The edits come from the config overlay (in memory, reloaded
 * at once by the instance that writes and every 5 s by the others), so every check that calls this
 * follows a change without a restart; the merge is redone only when the overlay changes.
 */
export function securityConfig(): SecurityConfig {
  const version = overlayVersion();
  if (merged?.version === version) return merged.config;
  const edits = securityPolicyOverlay();
  const config = edits && Object.keys(edits).length ? applyPolicyEdits(defaultSecurityConfig(), edits) : defaultSecurityConfig();
  merged = { version, config };
  return config;
}
