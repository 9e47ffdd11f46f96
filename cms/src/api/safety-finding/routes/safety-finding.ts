export default {
  routes: [
    { method: 'GET', path: '/safety-findings', handler: 'safety-finding.find' },
    { method: 'GET', path: '/safety-findings/summary', handler: 'safety-finding.summary' },
    { method: 'GET', path: '/safety-findings/:id', handler: 'safety-finding.findOne' },
    { method: 'POST', path: '/safety-findings/:id/rectify', handler: 'safety-finding.rectify' },
    { method: 'POST', path: '/safety-findings/:id/review', handler: 'safety-finding.review' },
    { method: 'POST', path: '/safety-findings/:id/photos', handler: 'safety-finding.photos' },
  ],
};
