export default {
  routes: [
    { method: 'GET', path: '/collection-tasks', handler: 'collection-task.find' },
    { method: 'GET', path: '/collection-tasks/:id', handler: 'collection-task.findOne' },
    { method: 'POST', path: '/collection-tasks', handler: 'collection-task.create' },
    { method: 'PUT', path: '/collection-tasks/:id', handler: 'collection-task.update' },
    { method: 'POST', path: '/collection-tasks/:id/publish', handler: 'collection-task.publish' },
    { method: 'POST', path: '/collection-tasks/:id/close', handler: 'collection-task.close' },
    { method: 'POST', path: '/collection-tasks/:id/new-version', handler: 'collection-task.newVersion' },
    { method: 'GET', path: '/collection-tasks/:id/completion', handler: 'collection-task.completion' },
    { method: 'GET', path: '/collection-tasks/:id/export', handler: 'collection-task.export' },
    { method: 'GET', path: '/collection-tasks/:id/figures', handler: 'collection-task.figures' },
  ],
};
