export default {
  routes: [
    { method: 'GET', path: '/file-jobs/:id', handler: 'export-job.findOne' },
    // the download: "export" in the path puts it in the audit trail as an export (config/security.json)
    { method: 'GET', path: '/file-jobs/:id/export', handler: 'export-job.download' },
  ],
};
