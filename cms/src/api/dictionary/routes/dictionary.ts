export default {
  routes: [
    { method: 'GET', path: '/dictionaries', handler: 'dictionary.list' },
    { method: 'GET', path: '/dictionaries/regions', handler: 'dictionary.regions' },
  ],
};
