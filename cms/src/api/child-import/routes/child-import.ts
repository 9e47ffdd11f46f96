export default {
  routes: [
    { method: 'GET', path: '/child-import/template', handler: 'child-import.template' },
    { method: 'POST', path: '/child-import', handler: 'child-import.create' },
    { method: 'GET', path: '/child-import', handler: 'child-import.find' },
    { method: 'GET', path: '/child-import/:id', handler: 'child-import.findOne' },
    { method: 'GET', path: '/child-import/:id/report', handler: 'child-import.report' },
  ],
};
