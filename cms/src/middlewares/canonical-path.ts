import { canonicalPath } from '../security/route-identity';

/**
 * First of all middlewares: every request goes on with its path in canonical form, or is refused
 * (400) when the path cannot be given one meaning. See cms/src/security/route-identity.ts.
 */
export default () => async (ctx: any, next: () => Promise<unknown>) => {
  const canonical = canonicalPath(ctx.path);
  if (!canonical) {
    ctx.status = 400;
    ctx.type = 'application/json';
    ctx.body = { data: null, error: { status: 400, name: 'BadRequestError', message: '请求路径无效', details: { code: 'INVALID_PATH' } } };
    return;
  }
  if (canonical.path !== ctx.path) ctx.path = canonical.path;
  return next();
};
