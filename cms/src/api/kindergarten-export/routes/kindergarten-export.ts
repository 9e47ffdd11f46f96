export default {
  routes: [
    { method: 'GET', path: '/kindergarten-export', handler: 'kindergarten-export.export' },
  ],
};
