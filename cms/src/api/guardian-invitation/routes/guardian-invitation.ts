/**
 * Guardians confirm online (docs/guardians.md). Staff routes (users-permissions, config/roles.json):
 * the kindergarten issues and revokes invitations and prints reminders; every level reads 确认进度.
 * Guardian routes (`/guardian/…`) are `auth: false` for users-permissions: the guardian's own token
 * (cms/src/domain/guardians.ts) is checked by the controller, and reaches only the children of its
 * redeemed invitations.
 */
export default {
  routes: [
    { method: 'GET', path: '/guardian-invitations', handler: 'guardian-invitation.find' },
    { method: 'GET', path: '/guardian-invitations/progress', handler: 'guardian-invitation.progress' },
    { method: 'GET', path: '/guardian-invitations/reminders', handler: 'guardian-invitation.reminders' },
    { method: 'POST', path: '/guardian-invitations', handler: 'guardian-invitation.issue' },
    { method: 'POST', path: '/guardian-invitations/:id/revoke', handler: 'guardian-invitation.revoke' },
    { method: 'POST', path: '/guardian/redeem', handler: 'guardian-invitation.redeem', config: { auth: false } },
    { method: 'GET', path: '/guardian/children', handler: 'guardian-invitation.guardianChildren', config: { auth: false } },
    { method: 'GET', path: '/guardian/children/:id', handler: 'guardian-invitation.guardianForm', config: { auth: false } },
    { method: 'POST', path: '/guardian/children/:id/corrections', handler: 'guardian-invitation.guardianPropose', config: { auth: false } },
    { method: 'POST', path: '/guardian/children/:id/corrections/:requestId/proof', handler: 'guardian-invitation.guardianProof', config: { auth: false } },
    { method: 'POST', path: '/guardian/children/:id/confirm', handler: 'guardian-invitation.guardianConfirm', config: { auth: false } },
  ],
};
