/** Read-only routes: a child's history is never written, changed or deleted through the API. */
export default {
  routes: [
    { method: 'GET', path: '/child-events', handler: 'child-event.find' },
    { method: 'GET', path: '/child-events/:id', handler: 'child-event.findOne' },
  ],
};
