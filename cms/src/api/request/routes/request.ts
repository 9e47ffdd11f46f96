export default {
  routes: [
    { method: 'GET', path: '/requests', handler: 'request.find' },
    { method: 'GET', path: '/requests/overdue-summary', handler: 'request.overdueSummary' },
    { method: 'POST', path: '/requests', handler: 'request.submit' },
    { method: 'POST', path: '/requests/bulk-approve', handler: 'request.bulkApprove' },
    { method: 'GET', path: '/requests/:id', handler: 'request.findOne' },
    { method: 'POST', path: '/requests/:id/approve', handler: 'request.approve' },
    { method: 'POST', path: '/requests/:id/reject', handler: 'request.reject' },
    { method: 'POST', path: '/requests/:id/return', handler: 'request.return' },
    { method: 'POST', path: '/requests/:id/resubmit', handler: 'request.resubmit' },
    { method: 'POST', path: '/requests/:id/evidence', handler: 'request.addEvidence' },
  ],
};
