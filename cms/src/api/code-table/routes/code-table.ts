/** 代码表维护: every level reads; the province and the Ministry create tables, add, rename, order, retire and restore codes (config/roles.json). */
export default {
  routes: [
    { method: 'GET', path: '/code-tables', handler: 'code-table.find' },
    { method: 'POST', path: '/code-tables', handler: 'code-table.createTable' },
    { method: 'POST', path: '/code-tables/:table', handler: 'code-table.create' },
    { method: 'PUT', path: '/code-tables/:table/:code', handler: 'code-table.update' },
  ],
};
