export default {
  routes: [
    { method: 'GET', path: '/children', handler: 'child.find' },
    { method: 'POST', path: '/children/check-duplicates', handler: 'child.checkDuplicates' },
    { method: 'GET', path: '/children/class-confirmation/:classId', handler: 'child.classConfirmation' },
    { method: 'GET', path: '/children/:id', handler: 'child.findOne' },
    { method: 'GET', path: '/children/:id/confirmation', handler: 'child.confirmation' },
    { method: 'POST', path: '/children', handler: 'child.create' },
    { method: 'PUT', path: '/children/:id', handler: 'child.update' },
    { method: 'DELETE', path: '/children/:id', handler: 'child.delete' },
    { method: 'POST', path: '/children/:id/register', handler: 'child.register' },
  ],
};
