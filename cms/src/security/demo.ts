import type { Core } from '@strapi/strapi';
import crypto from 'node:crypto';
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

type DemoPasswords = {
  /** Gives the existing account `password` unless it has it already. */
  keep(existing: { id: number; username: string; password: string }): Promise<void>;
  /** Remembers the pairs confirmed by this start. */
  save(): Promise<void>;
};

/**
 * Keeps the demo accounts' password equal to the demo password (DEMO_PASSWORD may change between
 * starts). bcrypt's compare costs about 70 ms an account, on every start: a pair once confirmed
 * (or set) is remembered in the core store as a fingerprint keyed with the app's secret key, so a
 * restart compares again only when the password or the stored hash changed.
 */
export async function demoPasswords(strapi: Core.Strapi, password: string): Promise<DemoPasswords> {
  const users = strapi.plugin('users-permissions').service('user');
  const store = strapi.store({ type: 'core', name: 'demo-accounts', key: 'password-fingerprints' });
  const known: Record<string, string> = { ...(((await store.get({})) as Record<string, string> | null) ?? {}) };
  const secret = String((strapi.config.get('server.app.keys') as string[] | undefined)?.[0] ?? '');
  const fingerprint = (hash: string) => crypto.createHmac('sha256', secret).update(`${password}\n${hash}`).digest('hex');
  let changed = false;
  return {
    async keep(existing) {
      if (known[existing.username] === fingerprint(existing.password)) return;
      let hash = existing.password;
      if (!(await users.validatePassword(password, existing.password))) {
        await users.edit(existing.id, { password });
        hash = (await strapi.db.query('plugin::users-permissions.user').findOne({ where: { id: existing.id }, select: ['password'] }))?.password ?? '';
      }
      known[existing.username] = fingerprint(hash);
      changed = true;
    },
    async save() {
      if (changed) await store.set({ value: known });
    },
  };
}

export async function seedAdminDemoAccounts(strapi: Core.Strapi, password: string, passwords?: DemoPasswords): Promise<void> {
  const users = strapi.plugin('users-permissions').service('user');
  const keeper = passwords ?? (await demoPasswords(strapi, password));
  for (const account of ADMIN_DEMO_ACCOUNTS) {
    const role = await strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: account.role } });
    if (!role) continue;
    const existing = await strapi.db.query('plugin::users-permissions.user').findOne({ where: { username: account.username } });
    if (!existing) await users.add({ username: account.username, fullName: account.fullName, email: `${account.username}@accounts.invalid`, provider: 'local', confirmed: true, blocked: false, role: role.id, password });
    await keeper.keep(existing ?? (await strapi.db.query('plugin::users-permissions.user').findOne({ where: { username: account.username } })));
    await markDemoAccount(strapi, account.username);
  }
  if (!passwords) await keeper.save();
}
