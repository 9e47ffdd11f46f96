#!/usr/bin/env node
// `npm run admin:create -- --email admin@example.cn --password '…' [--firstname 名]`: creates the first
// administrator of Strapi's own admin (/admin) in the configured database (DATABASE_URL, or the
// embedded SQLite file), then exits. Nobody can claim it from the network: POST /admin/register-admin
// is refused (cms/src/security/strapi-admin.ts). The password may come from ADMIN_BOOTSTRAP_PASSWORD
// instead of the command line (which other users of the machine can read in the process list).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { email: { type: 'string' }, password: { type: 'string' }, firstname: { type: 'string' }, lastname: { type: 'string' } },
  strict: true,
});
const password = values.password ?? process.env.ADMIN_BOOTSTRAP_PASSWORD;
if (!values.email || !password) {
  console.error('用法: npm run admin:create -- --email 邮箱 --password 密码 [--firstname 名] [--lastname 姓]\n(or the password in ADMIN_BOOTSTRAP_PASSWORD)');
  process.exit(2);
}
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
if (process.env.ADMIN_CREATE_SKIP_COMPILE !== '1') execFileSync('node', [path.join(root, 'scripts', 'compile.mjs')], { cwd: root, stdio: 'inherit' });
process.env.STRAPI_TELEMETRY_DISABLED ??= 'true';
// this command creates an administrator, nothing else: no demo data, no administrator from the environment
process.env.SEED_DEMO ??= 'false';
delete process.env.ADMIN_BOOTSTRAP_EMAIL;
const appDir = path.join(root, 'cms');
const require = createRequire(path.join(appDir, 'package.json'));
const { createStrapi } = require('@strapi/strapi');
const { adminInputProblem, createFirstAdmin } = require(path.join(appDir, 'dist', 'src', 'security', 'strapi-admin.js'));
// refused before the server is loaded: a bad e-mail or a password the security policy refuses
const problem = adminInputProblem({ email: values.email, password });
if (problem) {
  console.error(`admin:create refused: ${problem}`);
  process.exit(1);
}
const strapi = await createStrapi({ appDir, distDir: path.join(appDir, 'dist'), autoReload: false, serveAdminPanel: false }).load();
let code = 0;
try {
  const created = await createFirstAdmin(strapi, { email: values.email, password, firstname: values.firstname, lastname: values.lastname }, 'system:npm run admin:create');
  console.log(`Strapi administrator ${created.email} created (super admin). Log in at /admin (in production only with STRAPI_ADMIN_ENABLED=true).`);
} catch (error) {
  console.error(`admin:create refused: ${error instanceof Error ? error.message : String(error)}`);
  code = 1;
}
await strapi.destroy();
process.exit(code);
