export default {
  routes: [
    { method: 'GET', path: '/project-progress-reports', handler: 'project-progress.find' },
    { method: 'GET', path: '/project-progress-reports/:id', handler: 'project-progress.findOne' },
    { method: 'POST', path: '/project-progress-reports', handler: 'project-progress.create' },
  ],
};
