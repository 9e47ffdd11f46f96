export default {
  routes: [
    { method: 'GET', path: '/task-submissions', handler: 'task-submission.find' },
    { method: 'GET', path: '/task-submissions/:id', handler: 'task-submission.findOne' },
    { method: 'PUT', path: '/task-submissions/:id', handler: 'task-submission.update' },
    { method: 'POST', path: '/task-submissions/:id/submit', handler: 'task-submission.submit' },
    { method: 'POST', path: '/task-submissions/:id/review', handler: 'task-submission.review' },
    { method: 'GET', path: '/task-submissions/:id/template', handler: 'task-submission.template' },
    { method: 'POST', path: '/task-submissions/:id/import', handler: 'task-submission.import' },
  ],
};
