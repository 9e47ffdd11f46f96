export default {
  routes: [
    { method: 'GET', path: '/incidents', handler: 'incident.find' },
    { method: 'GET', path: '/incidents/summary', handler: 'incident.summary' },
    { method: 'GET', path: '/incidents/:id', handler: 'incident.findOne' },
    { method: 'POST', path: '/incidents', handler: 'incident.create' },
    { method: 'POST', path: '/incidents/:id/review', handler: 'incident.review' },
    { method: 'POST', path: '/incidents/:id/resubmit', handler: 'incident.resubmit' },
  ],
};
