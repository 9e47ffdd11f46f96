export default {
  routes: [
    { method: 'GET', path: '/custom-fields/applicable', handler: 'custom-field.applicable' },
    { method: 'GET', path: '/custom-fields', handler: 'custom-field.find' },
    { method: 'GET', path: '/custom-fields/:id', handler: 'custom-field.findOne' },
    { method: 'POST', path: '/custom-fields', handler: 'custom-field.create' },
    { method: 'PUT', path: '/custom-fields/:id', handler: 'custom-field.update' },
    { method: 'POST', path: '/custom-fields/:id/retire', handler: 'custom-field.retire' },
  ],
};
