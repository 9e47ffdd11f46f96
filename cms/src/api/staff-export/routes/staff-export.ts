export default {
  routes: [
    { method: 'GET', path: '/staff-export', handler: 'staff-export.export' },
  ],
};
