export default {
  'content-api': {
    type: 'content-api',
    routes: [
      { method: 'GET', path: '/snapshots', handler: 'snapshot.find' },
      { method: 'POST', path: '/snapshots/run', handler: 'snapshot.run' },
      { method: 'GET', path: '/snapshots/projects-trend', handler: 'snapshot.projectsTrend' },
      { method: 'GET', path: '/snapshots/:period', handler: 'snapshot.findOne' },
    ],
  },
};
