/**
 * The OpenAPI 3 document of the REST API (GET /api/openapi.json), made from the routes the app
 * declares — every API of cms/src/api and every plugin's content-API routes, the custom ones
 * included — so it cannot fall behind them: a new route is in the document at the next start.
 * Each operation says who may call it (public, or a users-permissions action granted by
 * config/roles.json and the 角色权限 screen), and the errors every route can answer: the body
 * `{ data: null, error: { status, name, message, details } }` with, where the app sets one, a
 * `details.code` of ERROR_CODES. tests/api/config-tables.test.ts checks that every route of the
 * router has its entry and every code the server sends is listed.
 */
import type { Core } from '@strapi/strapi';

type RouteInput = { method: string; path: string; handler: unknown; config?: { auth?: false | object; prefix?: string; description?: string } };
type Router = { type?: string; prefix?: string; routes: RouteInput[] };
export type DeclaredRoute = { method: string; path: string; action: string | null; auth: boolean; source: string };

/** The `details.code` values the server sends, and what each means. */
export const ERROR_CODES: Record<string, string> = {
  ACCOUNT_LOCKED: '账号因多次登录失败已锁定，稍后再试或请上级重置',
  ADMIN_REGISTRATION_CLOSED: '不能通过网页注册系统管理员',
  CONFIRM_REQUIRED: '此操作须再次确认',
  DELEGATION_ADMIN_ONLY: '只有三员可以委托',
  DELEGATION_NESTED: '受托的职责不能再委托',
  DELEGATION_NOT_ALLOWED: '该职责不可委托',
  DELEGATION_NOT_IN_FORCE: '委托未生效或已过期',
  DELEGATION_PERSONAL: '委托只能给另一个人',
  DELEGATION_REVOKE: '委托只能由委托人或系统管理员撤销',
  GUARDIAN_INVITATION_ENDED: '家长确认邀请已过期或已撤销',
  GUARDIAN_LOCKED: '核对信息错误次数过多，邀请暂时锁定（Retry-After）',
  GUARDIAN_REDEEM_FAILED: '邀请码或核对信息不正确',
  GUARDIAN_SESSION_INVALID: '家长会话无效或已过期，请重新输入邀请码',
  INSTITUTION_ONLY: '只有幼儿所在园可以执行此操作',
  INVALID_PATH: '路径写法不规范（大小写、编码、// 或 . 段）',
  PERMISSION_MATRIX: '角色权限不能这样修改',
  PERMISSION_NOT_HELD: '只能授予本级拥有的权限',
  RATE_LIMITED: '请求过于频繁，见 Retry-After',
  REGISTERED_CHILD: '已有学籍的幼儿不能这样处理',
  RESTORE_NOT_ALLOWED: '该记录不能恢复',
  ROLE_NOT_EDITABLE: '该角色（三员）的权限不能修改',
  SERVER_BUSY: '服务器繁忙（同时处理的请求已满），见 Retry-After',
  SESSION_UNKNOWN: '会话已结束或不存在，请重新登录',
  STRAPI_ADMIN_DISABLED: 'Strapi 管理后台未开放',
  STRAPI_ADMIN_MODEL_REFUSED: '系统管理后台不能读写含个人信息的数据',
  STRAPI_ADMIN_REFUSED: '此功能不在系统管理后台开放',
  TOTP_ALREADY_ENABLED: '已启用第二认证因素',
  TOTP_INVALID: '动态口令不正确',
  TOTP_REQUIRED: '须输入动态口令（第二认证因素）',
};

const ERRORS: Record<string, string> = {
  400: '输入有误：details.errors 列出每个字段（path）和原因（message），什么也没有写入',
  401: '未登录或会话已结束',
  403: '无权执行此操作，或超出管辖范围',
  404: '没有这条记录（或不在管辖范围内）',
  409: '与现有数据冲突（重复、已被他人处理）',
  429: '请求过于频繁（Retry-After）',
  503: '数据库暂不可用或服务器繁忙（Retry-After），稍后重试',
};

const routerList = (routes: unknown): Router[] => {
  if (!routes) return [];
  if (Array.isArray(routes)) return [{ type: 'admin', routes: routes as RouteInput[] }];
  if (Array.isArray((routes as Router).routes)) return [routes as Router];
  return Object.values(routes as Record<string, Router>).filter((router) => router && Array.isArray(router.routes));
};

/** The action a route's handler names, as users-permissions spells it (api::child.child.find). */
function actionOf(kind: 'api' | 'plugin', name: string, handler: unknown): string | null {
  if (typeof handler !== 'string') return null;
  if (handler.includes('::')) return handler;
  const [controller, method] = handler.split('.');
  return method ? `${kind}::${name}.${controller}.${method}` : null;
}

/**
 * Every content-API route the app declares, with the path it is served at: `/api` + the router's
 * prefix (a plugin's `/<plugin>`, unless the route's `config.prefix` says otherwise) + the path.
 */
export function declaredRoutes(strapi: Core.Strapi): DeclaredRoute[] {
  const rest = String(strapi.config.get('api.rest.prefix', '/api'));
  const list: DeclaredRoute[] = [];
  const add = (kind: 'api' | 'plugin', name: string, routes: unknown) => {
    for (const router of routerList(routes)) {
      const type = router.type ?? (kind === 'api' ? 'content-api' : 'admin');
      if (type !== 'content-api') continue;
      const base = router.prefix ?? (kind === 'plugin' ? `/${name}` : '');
      for (const route of router.routes) {
        const prefix = route.config?.prefix ?? base;
        for (const method of [route.method].flat()) {
          const full = `${rest}${prefix}${route.path}`;
          list.push({ method: String(method).toUpperCase(), path: full.length > 1 ? full.replace(/\/$/, '') : full, action: actionOf(kind, name, route.handler), auth: route.config?.auth !== false, source: `${kind}::${name}` });
        }
      }
    }
  };
  for (const [name, api] of Object.entries((strapi as any).apis ?? {})) add('api', name, (api as any).routes);
  for (const [name, plugin] of Object.entries((strapi as any).plugins ?? {})) add('plugin', name, (plugin as any).routes);
  return list;
}

/** `/children/:id` → `/children/{id}`; a regex-constrained parameter (`:id(\\d+)`) keeps its name. */
export const openApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)(\([^)]*\))?/g, '{$1}');

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

/** The OpenAPI 3.0 document of the declared routes (and the descriptions of the content types they serve). */
export function openApiDocument(strapi: Core.Strapi): Record<string, any> {
  const paths: Record<string, Record<string, any>> = {};
  const contentTypes = (strapi as any).contentTypes ?? {};
  for (const route of declaredRoutes(strapi)) {
    const path = openApiPath(route.path);
    const parameters = [...path.matchAll(/\{([^}]+)\}/g)].map(([, name]) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
    const [apiKind, apiName] = route.source.split('::');
    const type = Object.values<any>(contentTypes).find((ct) => ct.apiName === apiName && apiKind === 'api');
    const method = route.method.toLowerCase();
    const responses: Record<string, any> = { '200': { description: '成功（POST 新建时为 201）', content: { 'application/json': { schema: { type: 'object' } } } } };
    if (['POST', 'PUT', 'PATCH'].includes(route.method) || route.method === 'GET') responses['400'] = errorResponse(ERRORS[400]);
    if (route.auth) {
      responses['401'] = errorResponse(ERRORS[401]);
      responses['403'] = errorResponse(ERRORS[403]);
    }
    if (parameters.length) responses['404'] = errorResponse(ERRORS[404]);
    if (route.method !== 'GET') responses['409'] = errorResponse(ERRORS[409]);
    responses['429'] = errorResponse(ERRORS[429]);
    responses['503'] = errorResponse(ERRORS[503]);
    paths[path] ??= {};
    paths[path][method] = {
      operationId: `${method} ${path}`,
      tags: [apiName],
      summary: route.action ?? route.path,
      description: [
        route.auth ? `权限：${route.action ?? '登录用户'}（config/roles.json，可在“角色权限”页面调整）` : '公开（无需登录）',
        type?.info?.description,
      ].filter(Boolean).join('\n\n'),
      ...(parameters.length ? { parameters } : {}),
      ...(['POST', 'PUT', 'PATCH'].includes(route.method) ? { requestBody: { required: false, content: { 'application/json': { schema: { type: 'object', properties: { data: { type: 'object' } } } } } } } : {}),
      responses,
      ...(route.auth ? { security: [{ bearerAuth: [] }] } : { security: [] }),
    };
  }
  return {
    openapi: '3.0.3',
    info: {
      title: '全国学前教育管理信息系统 API',
      version: String((strapi.config.get('info.version', '') as string) || '1'),
      description: '每个路由（含自定义路由）由服务启动时读取的路由声明生成。登录：POST /api/auth/login {identifier, password} → jwt，其后带 Authorization: Bearer <jwt>。'
        + '错误的响应体为 { data: null, error: { status, name, message, details } }；details.errors 逐项列出字段和原因，details.code 见 components.schemas.ErrorCode。',
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        ErrorCode: { type: 'string', enum: Object.keys(ERROR_CODES), description: Object.entries(ERROR_CODES).map(([code, text]) => `${code}：${text}`).join('\n') },
        Error: {
          type: 'object',
          properties: {
            data: { nullable: true },
            error: {
              type: 'object',
              properties: {
                status: { type: 'integer', enum: Object.keys(ERRORS).map(Number) },
                name: { type: 'string', example: 'ValidationError' },
                message: { type: 'string', example: '是否接种疫苗必填' },
                details: {
                  type: 'object',
                  properties: {
                    code: { $ref: '#/components/schemas/ErrorCode' },
                    errors: { type: 'array', items: { type: 'object', properties: { path: { type: 'array', items: { type: 'string' } }, message: { type: 'string' }, name: { type: 'string' } } } },
                  },
                },
              },
            },
          },
        },
      },
    },
  };
}

let cached: Record<string, any> | undefined;

/** The document, made once per process (the routes do not change while it runs). */
export function servedOpenApi(strapi: Core.Strapi): Record<string, any> {
  cached ??= openApiDocument(strapi);
  return cached;
}
