import type { Core } from '@strapi/strapi';
import { securityConfig } from './config';

/**
 * Demo accounts (quick start, tests; never production): per config/security.json `demo`, their
 * seeded password counts as changed now and they are exempt from the second factor. A real reset
 * (`POST /api/accounts/:id/reset-password`) still forces a change at the next login.
 */
export async function markDemoAccount(strapi: Core.Strapi, username: string): Promise<void> {
  const { passwordChanged, totpExempt } = securityConfig().demo;
  const data: Record<string, unknown> = {};
  if (passwordChanged) Object.assign(data, { mustChangePassword: false, passwordChangedAt: new Date() });
  if (totpExempt) data.totpExempt = true;
  if (Object.keys(data).length) await strapi.db.query('plugin::users-permissions.user').update({ where: { username }, data });
}
