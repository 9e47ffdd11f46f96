/** Uploaded files through signed links only (cms/src/security/files.ts); `/uploads` answers 404. */
export default {
  routes: [{ method: 'GET', path: '/files/:name', handler: 'evidence-file.show', config: { auth: false } }],
};
