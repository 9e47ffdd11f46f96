import { errors } from '@strapi/utils';
import { loginService } from './login';
import { verifyToken } from './sessions';

/**
 * The security side of the users-permissions plugin, applied by its extension
 * (cms/src/extensions/users-permissions/strapi-server.ts):
 * - the account's security state, all private attributes (never in an answer);
 * - every login path follows the same rules (lockout, second factor, password duties, sessions):
 *   Strapi's own `POST /api/auth/local` is answered by the system's login; passwords change only
 *   through `POST /api/auth/change-password` (rules, history) or a reset by the level above.
 */
export function extendUsersPermissions(plugin: any) {
  Object.assign(plugin.contentTypes.user.schema.attributes, {
    failedLogins: { type: 'integer', default: 0, private: true, configurable: false },
    lockedUntil: { type: 'datetime', private: true, configurable: false },
    passwordChangedAt: { type: 'datetime', private: true, configurable: false },
    mustChangePassword: { type: 'boolean', default: false, private: true, configurable: false },
    passwordHistory: { type: 'json', private: true, configurable: false },
    totpSecret: { type: 'string', private: true, configurable: false },
    totpEnabled: { type: 'boolean', default: false, private: true, configurable: false },
    totpExempt: { type: 'boolean', default: false, private: true, configurable: false },
  });
  const authController = plugin.controllers.auth;
  plugin.controllers.auth = (deps: any) => {
    const original = authController(deps);
    const refused = async () => {
      throw new errors.PolicyError('密码由上级账号管理员重置 (passwords are reset by the level above)');
    };
    return {
      ...original,
      async callback(ctx: any) {
        if ((ctx.params?.provider || 'local') !== 'local') return refused();
        ctx.body = await loginService(deps.strapi).login(ctx, ctx.request.body ?? {});
      },
      changePassword: refused,
      forgotPassword: refused,
      resetPassword: refused,
    };
  };
  // token verification with the secret as a KeyObject made once, a good token remembered (cms/src/security/sessions.ts verifyToken); same answers
  const jwtService = plugin.services.jwt;
  plugin.services.jwt = (deps: any) => {
    const original = jwtService(deps);
    return {
      ...original,
      async verify(token: string) {
        const { strapi } = deps;
        if (strapi.config.get('plugin::users-permissions.jwtManagement', 'legacy-support') === 'refresh') return original.verify(token);
        const algorithm = strapi.config.get('plugin::users-permissions.jwt', {})?.algorithm || 'HS256';
        try {
          return verifyToken(token, strapi.config.get('plugin::users-permissions.jwtSecret'), algorithm);
        } catch {
          throw new Error('Invalid token.');
        }
      },
    };
  };
  return plugin;
}
