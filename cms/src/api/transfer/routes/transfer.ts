/** 转园 routes (permissions per level: config/roles.json; reach: the transfer service). */
export default {
  routes: [
    { method: 'GET', path: '/transfers', handler: 'transfer.find' },
    { method: 'GET', path: '/transfers/overdue-summary', handler: 'transfer.overdueSummary' },
    { method: 'GET', path: '/transfers/:id', handler: 'transfer.findOne' },
    { method: 'POST', path: '/transfers', handler: 'transfer.create' },
    { method: 'POST', path: '/transfers/:id/agree', handler: 'transfer.agree' },
    { method: 'POST', path: '/transfers/:id/refuse', handler: 'transfer.refuse' },
    { method: 'POST', path: '/transfers/:id/complete', handler: 'transfer.complete' },
    { method: 'POST', path: '/transfers/:id/cancel', handler: 'transfer.cancel' },
  ],
};
