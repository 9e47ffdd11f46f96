export default {
  routes: [
    { method: 'GET', path: '/delegations', handler: 'delegation.find' },
    { method: 'POST', path: '/delegations', handler: 'delegation.create' },
    { method: 'POST', path: '/delegations/:id/approve', handler: 'delegation.approve' },
    { method: 'POST', path: '/delegations/:id/reject', handler: 'delegation.reject' },
    { method: 'POST', path: '/delegations/:id/revoke', handler: 'delegation.revoke' },
  ],
};
