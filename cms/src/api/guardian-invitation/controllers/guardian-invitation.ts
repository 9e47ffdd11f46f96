import type { Core } from '@strapi/strapi';
import type { GuardianInvitationService } from '../services/guardian-invitation';
import { issueGuardianToken, readGuardianToken, type GuardianGrant } from '../../../domain/guardians';
import { bearerOf } from '../../../security/sessions';
import { unauthorized } from '../../../security/errors';

const service = (strapi: Core.Strapi) => strapi.service('api::guardian-invitation.guardian-invitation') as unknown as GuardianInvitationService;
const body = (ctx: any) => ctx.request.body?.data ?? ctx.request.body ?? {};

/** The grants of the request's guardian token; none or an invalid one: 401 (a staff token is not a guardian token). */
function grantsOf(ctx: any, required = true): GuardianGrant[] {
  const token = readGuardianToken(bearerOf(ctx));
  if (!token) {
    if (required) throw unauthorized('家长会话无效或已过期，请重新输入邀请码', { code: 'GUARDIAN_SESSION_INVALID' });
    return [];
  }
  ctx.state.guardian = token;
  return token.grants;
}

/** Thin: the invitation service decides. */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async find(ctx) {
    ctx.body = await service(strapi).list(ctx.state.user, ctx.query);
  },
  async progress(ctx) {
    ctx.body = { data: await service(strapi).progress(ctx.state.user) };
  },
  async reminders(ctx) {
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = await service(strapi).reminders(ctx.state.user, typeof ctx.query.classId === 'string' ? ctx.query.classId : undefined);
  },
  async issue(ctx) {
    ctx.status = 201;
    ctx.body = { data: await service(strapi).issue(ctx.state.user, body(ctx)) };
  },
  async revoke(ctx) {
    ctx.body = { data: await service(strapi).revoke(ctx.state.user, ctx.params.id) };
  },
  async redeem(ctx) {
    // a guardian with a session adds another child's invitation to it
    const grants = await service(strapi).redeem(body(ctx), grantsOf(ctx, false));
    const { token, expiresIn } = issueGuardianToken(grants);
    ctx.body = { token, expiresIn, children: await service(strapi).childrenOf(grants) };
  },
  async guardianChildren(ctx) {
    ctx.body = { data: await service(strapi).childrenOf(grantsOf(ctx)) };
  },
  async guardianForm(ctx) {
    ctx.body = { data: await service(strapi).form(grantsOf(ctx), ctx.params.id) };
  },
  async guardianPropose(ctx) {
    ctx.status = 201;
    ctx.body = { data: await service(strapi).propose(grantsOf(ctx), ctx.params.id, body(ctx)) };
  },
  async guardianProof(ctx) {
    ctx.body = { data: await service(strapi).proof(grantsOf(ctx), ctx.params.id, ctx.params.requestId, ctx.request.files?.files) };
  },
  async guardianConfirm(ctx) {
    ctx.body = { data: await service(strapi).confirm(grantsOf(ctx), ctx.params.id, body(ctx)) };
  },
});
