export default {
  routes: [
    { method: 'GET', path: '/child-export', handler: 'child-export.export' },
    { method: 'GET', path: '/child-export/graduates', handler: 'child-export.graduates' },
  ],
};
