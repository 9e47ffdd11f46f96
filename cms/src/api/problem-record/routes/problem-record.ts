export default {
  routes: [
    { method: 'GET', path: '/problem-records', handler: 'problem-record.find' },
    { method: 'GET', path: '/problem-records/summary', handler: 'problem-record.summary' },
    { method: 'GET', path: '/problem-records/:id', handler: 'problem-record.findOne' },
    { method: 'POST', path: '/problem-records', handler: 'problem-record.create' },
  ],
};
