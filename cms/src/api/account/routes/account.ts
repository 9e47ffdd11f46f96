export default {
  routes: [
    { method: 'GET', path: '/accounts', handler: 'account.find' },
    { method: 'GET', path: '/accounts/:id', handler: 'account.findOne' },
    { method: 'POST', path: '/accounts', handler: 'account.create' },
    { method: 'PUT', path: '/accounts/:id', handler: 'account.update' },
    { method: 'POST', path: '/accounts/:id/reset-password', handler: 'account.resetPassword' },
  ],
};
