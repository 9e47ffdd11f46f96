export default {
  routes: [
    { method: 'GET', path: '/safety-inspections', handler: 'safety-inspection.find' },
    { method: 'GET', path: '/safety-inspections/coverage', handler: 'safety-inspection.coverage' },
    { method: 'GET', path: '/safety-inspections/:id', handler: 'safety-inspection.findOne' },
    { method: 'POST', path: '/safety-inspections', handler: 'safety-inspection.create' },
  ],
};
