export default {
  routes: [
    // :record is checks (体检记录) or vaccinations (接种证查验): cms/src/domain/import/health-import.ts
    { method: 'GET', path: '/health-import/:record/template', handler: 'health-import.template' },
    { method: 'POST', path: '/health-import/:record', handler: 'health-import.create' },
    { method: 'POST', path: '/health-import/:record/report', handler: 'health-import.report' },
  ],
};
