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

/** 三员 demo accounts (config/roles.json adminRoles), with the demo password, beside the level accounts. */
export const ADMIN_DEMO_ACCOUNTS = [
  { username: 'demo-sysadmin', role: 'sysadmin', fullName: '系统管理员（演示）' },
  { username: 'demo-secadmin', role: 'secadmin', fullName: '安全管理员（演示）' },
  { username: 'demo-auditadmin', role: 'auditadmin', fullName: '审计管理员（演示）' },
];

export async function seedAdminDemoAccounts(strapi: Core.Strapi, password: string): Promise<void> {
  const users = strapi.plugin('users-permissions').service('user');
  for (const account of ADMIN_DEMO_ACCOUNTS) {
    const role = await strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: account.role } });
    if (!role) continue;
    const existing = await strapi.db.query('plugin::users-permissions.user').findOne({ where: { username: account.username } });
    if (!existing) {
      await users.add({ username: account.username, fullName: account.fullName, email: `${account.username}@accounts.invalid`, provider: 'local', confirmed: true, blocked: false, role: role.id, password });
    } else if (!(await users.validatePassword(password, existing.password))) {
      await users.edit(existing.id, { password });
    }
    await markDemoAccount(strapi, account.username);
  }
}
