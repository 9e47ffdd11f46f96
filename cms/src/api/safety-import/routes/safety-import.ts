export default {
  routes: [
    // :record is inspections (安全自查) or incidents (意外事故): cms/src/domain/import/safety-import.ts
    { method: 'GET', path: '/safety-import/:record/template', handler: 'safety-import.template' },
    { method: 'POST', path: '/safety-import/:record', handler: 'safety-import.create' },
    { method: 'POST', path: '/safety-import/:record/report', handler: 'safety-import.report' },
  ],
};
