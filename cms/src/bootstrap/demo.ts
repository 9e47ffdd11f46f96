import type { Core } from '@strapi/strapi';
import fs from 'node:fs';
import path from 'node:path';
import { ensureDataDir, readDomainConfig } from '../runtime/paths';
import { temporaryPassword } from '../api/account/services/account';
import { ADMIN_DEMO_ACCOUNTS, demoPasswords, markDemoAccount, seedAdminDemoAccounts } from '../security/demo';

type DemoConfig = {
  classes: { kindergarten: string; name: string; grade: string; schoolYear: string; capacity: number; enrolled: number }[];
  kindergartens: { code: string; name: string; countyCode: string; ownership: string; inclusive: boolean }[];
  accounts: { username: string; level: string; regionCode?: string; institutionCode?: string; fullName: string }[];
};

/**
 * Demo data is made only by the embedded quick start (SQLite, no DATABASE_URL) or when asked with
 * SEED_DEMO=true (`npm run seed:demo`), and never with production settings (NODE_ENV=production).
 */
export function demoWanted(env = process.env): boolean {
  if (env.NODE_ENV === 'production') return false;
  if (env.SEED_DEMO === 'true') return true;
  if (env.SEED_DEMO === 'false') return false;
  return !env.DATABASE_URL;
}

/** DEMO_PASSWORD, or one generated once and kept in the data folder. */
function demoPassword(): { password: string; generated: boolean } {
  if (process.env.DEMO_PASSWORD) return { password: process.env.DEMO_PASSWORD, generated: false };
  const file = path.join(ensureDataDir(), 'demo-password.txt');
  if (fs.existsSync(file)) return { password: fs.readFileSync(file, 'utf8').trim(), generated: true };
  const password = temporaryPassword();
  fs.writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return { password, generated: true };
}

export async function seedDemo(strapi: Core.Strapi): Promise<void> {
  const demo = readDomainConfig<DemoConfig>('demo.json');
  for (const kindergarten of demo.kindergartens) {
    const existing = await strapi.db.query('api::kindergarten.kindergarten').findOne({ where: { code: kindergarten.code } });
    if (!existing) await strapi.documents('api::kindergarten.kindergarten').create({ data: { ...kindergarten, status: 'operating' } as any });
  }
  for (const { kindergarten: code, ...schoolClass } of demo.classes ?? []) {
    const kindergarten = await strapi.db.query('api::kindergarten.kindergarten').findOne({ where: { code } });
    const existing = await strapi.db.query('api::school-class.school-class').findOne({ where: { name: schoolClass.name, kindergarten: kindergarten.id } });
    if (!existing) await strapi.documents('api::school-class.school-class').create({ data: { ...schoolClass, kindergarten: kindergarten.documentId } as any });
  }
  const { password, generated } = demoPassword();
  const passwords = await demoPasswords(strapi, password);
  const accounts = strapi.service('api::account.account') as any;
  for (const account of demo.accounts) {
    const place = account.institutionCode
      ? { institutionCode: account.institutionCode, regionCode: demo.kindergartens.find((k) => k.code === account.institutionCode)?.countyCode }
      : { regionCode: account.regionCode ?? null };
    const findAccount = () => strapi.db.query('plugin::users-permissions.user').findOne({ where: { username: account.username } });
    if (!(await findAccount())) await accounts.createAccount({ ...account, ...place, password });
    await passwords.keep(await findAccount());
    await markDemoAccount(strapi, account.username);
  }
  await seedAdminDemoAccounts(strapi, password, passwords);
  await passwords.save();
  // every demo account, the 三员 (system, security and audit administrators) included
  const rows = [
    ...demo.accounts.map((a) => `  ${a.username.padEnd(22)} ${a.level.padEnd(12)} ${a.fullName}`),
    ...ADMIN_DEMO_ACCOUNTS.map((a) => `  ${a.username.padEnd(22)} ${a.role.padEnd(12)} ${a.fullName}`),
  ].join('\n');
  strapi.log.info(
    `\n演示账号 Demo accounts (password ${generated ? 'generated, kept in data/demo-password.txt' : 'from DEMO_PASSWORD'}):\n${rows}\n  password: ${password}\n`,
  );
}
