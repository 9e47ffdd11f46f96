export default {
  routes: [
    { method: 'GET', path: '/projects', handler: 'project.find' },
    { method: 'GET', path: '/project-rollup', handler: 'project.rollup' },
    { method: 'GET', path: '/project-reporting', handler: 'project.reporting' },
    { method: 'GET', path: '/projects/:id', handler: 'project.findOne' },
    { method: 'POST', path: '/projects', handler: 'project.create' },
    { method: 'PUT', path: '/projects/:id', handler: 'project.update' },
    { method: 'DELETE', path: '/projects/:id', handler: 'project.delete' },
    { method: 'POST', path: '/projects/:id/submit', handler: 'project.submit' },
    { method: 'POST', path: '/projects/:id/review', handler: 'project.review' },
    { method: 'POST', path: '/projects/:id/attachments', handler: 'project.addAttachments' },
    { method: 'POST', path: '/project-progress-reports/:id/review', handler: 'project.reviewProgress' },
  ],
};
