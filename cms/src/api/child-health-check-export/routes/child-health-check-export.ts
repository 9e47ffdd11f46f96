export default {
  routes: [
    { method: 'GET', path: '/child-health-check-export', handler: 'child-health-check-export.export' },
  ],
};
