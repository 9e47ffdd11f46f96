export default {
  routes: [
    { method: 'GET', path: '/populations', handler: 'population.find' },
    { method: 'POST', path: '/populations/import', handler: 'population.import' },
    { method: 'GET', path: '/populations/:id', handler: 'population.findOne' },
    { method: 'POST', path: '/populations', handler: 'population.create' },
    { method: 'PUT', path: '/populations/:id', handler: 'population.update' },
    { method: 'DELETE', path: '/populations/:id', handler: 'population.delete' },
  ],
};
