export default { routes: [{ method: 'GET', path: '/statistics', handler: 'statistics.report' }] };
