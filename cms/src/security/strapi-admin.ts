import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { securityConfig } from './config';
import { passwordProblem } from './passwords';
import { recordAudit } from './audit';
import { routeIdentity } from './route-identity';

/**
 * Strapi's own admin (its UI at /admin, the admin API of /admin and of its plugins: content manager,
 * upload, users-permissions, …). The system's users work in the react-admin panel at / and the API
 * under /api; Strapi's admin is the system administrator's tool, so:
 * - nobody claims it from the network: `POST /admin/register-admin` is refused (403), always; the first
 *   administrator is created by `npm run admin:create` (scripts/create-admin.mjs) or, once at start,
 *   from ADMIN_BOOTSTRAP_EMAIL / ADMIN_BOOTSTRAP_PASSWORD;
 * - in production it is off (404) unless STRAPI_ADMIN_ENABLED=true;
 * - its content manager reaches only the models of config/security.json `strapiAdmin.contentModels`
 *   (reference data): children, guardians, staff, requests, transfers, problem records, audit entries
 *   and every other model answer 403, at the route (the middleware) and in the document service.
 */

const ADMIN_HELP = '不能通过网页注册系统管理员：请在服务器上运行 npm run admin:create -- --email 邮箱 --password 密码（或在启动时设置 ADMIN_BOOTSTRAP_EMAIL 与 ADMIN_BOOTSTRAP_PASSWORD）创建首个管理员';
const REGISTER_ADMIN = '/admin/register-admin';
const UID = /(?:api|plugin|admin)::[a-z0-9-]+\.[a-z0-9-]+/g;

type AdminConfig = { contentModels: string[]; refusedPrefixes: string[] };

export function strapiAdminConfig(): AdminConfig {
  const config = (securityConfig() as any).strapiAdmin ?? {};
  return { contentModels: config.contentModels ?? [], refusedPrefixes: config.refusedPrefixes ?? [] };
}

/** Whether Strapi's admin is on: STRAPI_ADMIN_ENABLED=true|false decides; otherwise off in production only. */
export function strapiAdminEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.STRAPI_ADMIN_ENABLED === 'true') return true;
  if (env.STRAPI_ADMIN_ENABLED === 'false') return false;
  return env.NODE_ENV !== 'production';
}

/** The path prefixes of Strapi's admin: /admin and each plugin that has admin routes (/content-manager, /upload, …). */
export function adminPrefixes(strapi: Core.Strapi): string[] {
  const plugins = Object.entries((strapi as any).plugins ?? {}) as [string, any][];
  return ['/admin', ...plugins.filter(([, plugin]) => plugin?.routes?.admin).map(([name]) => `/${name}`)];
}

const under = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`);

export type AdminDecision = { status: 403 | 404; message: string; code: string } | null;

/** Whether a path (its one spelling, route-identity.ts) is under one of Strapi's admin prefixes. */
export function isAdminPath(path: string, prefixes: string[]): boolean {
  return prefixes.some((prefix) => under(path, prefix));
}

/**
 * What happens to a request for Strapi's admin (null: it goes on). `path` is the route identity
 * (cms/src/security/route-identity.ts), `query` the decoded query string.
 */

export function adminRequestDecision(
  request: { method: string; path: string; query?: string },
  context: { enabled: boolean; prefixes: string[]; config: AdminConfig },
): AdminDecision {
  const { path } = request;
  if (!isAdminPath(path, context.prefixes)) return null;
  if (!context.enabled) return { status: 404, message: 'Not Found', code: 'STRAPI_ADMIN_DISABLED' };
  if (under(path, REGISTER_ADMIN)) return { status: 403, message: ADMIN_HELP, code: 'ADMIN_REGISTRATION_CLOSED' };
  if (context.config.refusedPrefixes.some((prefix) => under(path, prefix))) {
    return { status: 403, message: '此功能不在系统管理后台开放：文件经由业务功能上传与查看', code: 'STRAPI_ADMIN_REFUSED' };
  }
  const models = `${path} ${(request.query ?? '').toLowerCase()}`.match(UID) ?? [];
  const refused = models.find((uid) => !context.config.contentModels.includes(uid));
  if (refused) return { status: 403, message: `${refused} 含个人信息或业务数据，系统管理后台不能读写：请在系统的管理面板中按权限办理`, code: 'STRAPI_ADMIN_MODEL_REFUSED' };
  return null;
}

/** The HTTP middleware (cms/src/middlewares/strapi-admin.ts). */
export function strapiAdminGuard(strapi: Core.Strapi) {
  let prefixes: string[] | undefined;
  return async (ctx: any, next: () => Promise<unknown>) => {
    prefixes ??= adminPrefixes(strapi);
    const path = routeIdentity(ctx);
    // not a path of Strapi's admin (adminRequestDecision would let it pass): the query is not even decoded
    if (!isAdminPath(path, prefixes)) return next();
    let query = String(ctx.querystring ?? '');
    try {
      query = decodeURIComponent(query);
    } catch {
      // judged as sent
    }
    const decision = adminRequestDecision(
      { method: ctx.method, path, query },
      { enabled: strapiAdminEnabled(), prefixes, config: strapiAdminConfig() },
    );
    if (!decision) return next();
    if (decision.status === 404) throw new errors.NotFoundError('Not Found');
    if (decision.code === 'ADMIN_REGISTRATION_CLOSED') {
      await recordAudit(strapi, { action: 'admin.register-refused', outcome: 'failed', targetType: 'admin::user', details: { path: ctx.path } });
    }
    throw new errors.ForbiddenError(decision.message, { code: decision.code });
  };
}

/** The models whose records the document-service rule guards: the system's own, and its accounts. */
const guardedModel = (uid: string) => uid.startsWith('api::') || uid === 'plugin::users-permissions.user';

/**
 * The same rule in the document service: a call made for a Strapi admin user (its auth strategy is
 * `admin`) on a model of the system outside `strapiAdmin.contentModels` is refused, whichever admin
 * route made it (Strapi's own models, `admin::…`, stay with the admin).
 */
export function strapiAdminDocumentsMiddleware(strapi: Core.Strapi) {
  return async (context: { uid: string; action: string }, next: () => Promise<unknown>) => {
    const state: any = strapi.requestContext.get()?.state;
    if (state?.auth?.strategy?.name === 'admin' && guardedModel(context.uid) && !strapiAdminConfig().contentModels.includes(context.uid)) {
      throw new errors.ForbiddenError(`${context.uid} 含个人信息或业务数据，系统管理后台不能读写：请在系统的管理面板中按权限办理`, { code: 'STRAPI_ADMIN_MODEL_REFUSED' });
    }
    return next();
  };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Why an administrator's e-mail or password is refused (config/security.json password rules); null when fine. */
export function adminInputProblem(input: { email?: string; password?: string }): string | null {
  const email = String(input.email ?? '').trim().toLowerCase();
  if (!EMAIL.test(email)) return '管理员邮箱格式不正确';
  const problem = passwordProblem(input.password, email.split('@')[0]);
  return problem ? `管理员密码不符合安全策略：${problem}` : null;
}

/**
 * Creates the first Strapi administrator (super admin). Refused when one exists already (further
 * administrators are invited from the admin itself) or when the password breaks config/security.json.
 */
export async function createFirstAdmin(
  strapi: Core.Strapi,
  input: { email?: string; password?: string; firstname?: string; lastname?: string },
  source: string,
): Promise<{ id: number; email: string }> {
  const problem = adminInputProblem(input);
  if (problem) throw new Error(problem);
  const email = String(input.email).trim().toLowerCase();
  const users = strapi.service('admin::user') as any;
  if (await users.exists()) throw new Error('系统管理员已存在：其他管理员由现有管理员在系统管理后台邀请');
  const user = await users.createFirstAdmin({ email, password: input.password, firstname: input.firstname || '系统管理员', lastname: input.lastname || undefined });
  await recordAudit(strapi, { action: 'admin.create-first', actor: { username: source }, targetType: 'admin::user', targetId: String(user.id), details: { email } });
  return { id: user.id, email };
}

/**
 * At start: ADMIN_BOOTSTRAP_EMAIL and ADMIN_BOOTSTRAP_PASSWORD create the first administrator when
 * there is none (read once; ignored, with a line in the log, when an administrator exists).
 */
export async function bootstrapFirstAdmin(strapi: Core.Strapi, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const email = env.ADMIN_BOOTSTRAP_EMAIL;
  if (!email) return;
  if (await (strapi.service('admin::user') as any).exists()) {
    strapi.log.info('ADMIN_BOOTSTRAP_EMAIL ignored: a Strapi administrator exists already');
    return;
  }
  const created = await createFirstAdmin(strapi, { email, password: env.ADMIN_BOOTSTRAP_PASSWORD }, 'system:ADMIN_BOOTSTRAP_EMAIL');
  strapi.log.info(`Strapi administrator ${created.email} created from ADMIN_BOOTSTRAP_EMAIL`);
}
