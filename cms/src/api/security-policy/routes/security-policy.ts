/**
 * 安全策略 (三员): the security administrator reads and changes the security policy;
 * nobody else (config/roles.json gives these actions to `secadmin` only).
 */
export default {
  routes: [
    { method: 'GET', path: '/security-policy', handler: 'security-policy.find' },
    { method: 'PUT', path: '/security-policy', handler: 'security-policy.update' },
  ],
};
