export default {
  routes: [
    { method: 'GET', path: '/aid-disbursements', handler: 'aid-disbursement.find' },
    { method: 'GET', path: '/aid-disbursements/:id', handler: 'aid-disbursement.findOne' },
    { method: 'POST', path: '/aid-disbursements', handler: 'aid-disbursement.create' },
    { method: 'GET', path: '/aid-totals', handler: 'aid-disbursement.totals' },
  ],
};
