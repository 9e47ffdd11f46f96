export default {
  routes: [
    { method: 'GET', path: '/aid-grants', handler: 'aid-grant.find' },
    { method: 'GET', path: '/aid-grants/:id', handler: 'aid-grant.findOne' },
  ],
};
