import { readDomainConfig } from '../runtime/paths';

export type SecurityConfig = {
  password: { minLength: number; minKinds: number; maxAgeDays: number; historySize: number };
  lockout: { maxFailures: number; lockMinutes: number };
  rateLimit: { windowSeconds: number; maxRequests: number; paths: string[] };
  session: { accessTokenMinutes: number; idleMinutes: number; absoluteHours: number; touchSeconds: number; cacheSeconds: number };
  totp: { issuer: string; digits: number; periodSeconds: number; window: number; requiredLevels: string[]; requiredRoles: string[] };
  demo: { passwordChanged: boolean; totpExempt: boolean };
  audit: { retentionDays: number; maskedFields: string[]; routes: { method: string; pattern: string; action: string }[] };
};

let cached: SecurityConfig | undefined;

/** config/security.json, read once. */
export function securityConfig(): SecurityConfig {
  if (!cached) cached = readDomainConfig<SecurityConfig>('security.json');
  return cached;
}
