export default {
  routes: [{ method: 'GET', path: '/exchange/national-statistics', handler: 'exchange.nationalStatistics' }],
};
