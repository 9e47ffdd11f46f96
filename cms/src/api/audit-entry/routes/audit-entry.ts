/** The audit trail, read-only: no route creates, changes or deletes an entry. */
export default {
  routes: [
    { method: 'GET', path: '/audit-entries', handler: 'audit-entry.find' },
    { method: 'GET', path: '/audit-entries/:id', handler: 'audit-entry.findOne' },
  ],
};
