export default {
  routes: [
    { method: 'GET', path: '/chart-pages', handler: 'chart-page.find' },
    { method: 'GET', path: '/chart-pages/:id', handler: 'chart-page.findOne' },
    { method: 'GET', path: '/chart-pages/:id/data', handler: 'chart-page.pageData' },
    { method: 'GET', path: '/chart-pages/:id/charts/:n/data', handler: 'chart-page.chartData' },
    { method: 'POST', path: '/chart-pages', handler: 'chart-page.create' },
    { method: 'PUT', path: '/chart-pages/:id', handler: 'chart-page.update' },
    { method: 'DELETE', path: '/chart-pages/:id', handler: 'chart-page.delete' },
  ],
};
