export default {
  routes: [
    { method: 'GET', path: '/statistics', handler: 'statistics.report' },
    { method: 'GET', path: '/statistics/trend', handler: 'statistics.trend' },
    { method: 'GET', path: '/statistics/catalog', handler: 'statistics.catalog' },
    { method: 'POST', path: '/statistics/query', handler: 'statistics.query' },
    { method: 'GET', path: '/statistics/export', handler: 'statistics.export' },
  ],
};
