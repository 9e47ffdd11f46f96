export default {
  routes: [
    { method: 'GET', path: '/custom-fields/applicable', handler: 'custom-field.applicable' },
    // the named formats a field may take (config/field-formats.json)
    { method: 'GET', path: '/custom-fields/formats', handler: 'custom-field.formats' },
    { method: 'GET', path: '/custom-fields', handler: 'custom-field.find' },
    { method: 'GET', path: '/custom-fields/:id', handler: 'custom-field.findOne' },
    { method: 'POST', path: '/custom-fields', handler: 'custom-field.create' },
    { method: 'PUT', path: '/custom-fields/:id', handler: 'custom-field.update' },
    { method: 'POST', path: '/custom-fields/:id/retire', handler: 'custom-field.retire' },
  ],
};
