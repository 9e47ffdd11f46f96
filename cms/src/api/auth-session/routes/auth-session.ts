/**
 * The login of the system (cms/src/security). All `auth: false`: the security middleware checks
 * the bearer's session itself, and these routes must work while a session has duties pending.
 */
export default {
  routes: [
    { method: 'POST', path: '/auth/login', handler: 'auth-session.login', config: { auth: false } },
    { method: 'POST', path: '/auth/refresh', handler: 'auth-session.refresh', config: { auth: false } },
    { method: 'POST', path: '/auth/logout', handler: 'auth-session.logout', config: { auth: false } },
    { method: 'POST', path: '/auth/change-password', handler: 'auth-session.changePassword', config: { auth: false } },
    { method: 'POST', path: '/auth/totp/setup', handler: 'auth-session.totpSetup', config: { auth: false } },
    { method: 'POST', path: '/auth/totp/enable', handler: 'auth-session.totpEnable', config: { auth: false } },
    // The delegate opens a session as the delegator (api::delegation): body { delegation: id }.
    { method: 'POST', path: '/auth/act-as', handler: 'auth-session.actAs', config: { auth: false } },
    // The password rules in force (not secret): the forced change-password page states them.
    { method: 'GET', path: '/auth/password-rules', handler: 'auth-session.passwordRules', config: { auth: false } },
    // The security policies in force (config/security.json): the security administrator's page.
    { method: 'GET', path: '/security/policy', handler: 'auth-session.policy' },
  ],
};
