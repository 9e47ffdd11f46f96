/** The 学籍 lifecycle's domain actions (permissions per level: config/roles.json). */
export default {
  routes: [
    { method: 'GET', path: '/children/:id/history', handler: 'lifecycle.history' },
    { method: 'POST', path: '/children/:id/place', handler: 'lifecycle.place' },
    { method: 'POST', path: '/children/:id/move', handler: 'lifecycle.place' },
    { method: 'POST', path: '/children/:id/leave', handler: 'lifecycle.leave' },
    { method: 'POST', path: '/children/:id/accidental-leave', handler: 'lifecycle.accidentalLeave' },
    { method: 'POST', path: '/children/:id/key-change', handler: 'lifecycle.keyChange' },
    { method: 'POST', path: '/children/:id/restore', handler: 'lifecycle.restore' },
    { method: 'GET', path: '/kindergartens/:id/lifecycle', handler: 'lifecycle.preview' },
    { method: 'POST', path: '/kindergartens/:id/promote', handler: 'lifecycle.promote' },
    { method: 'POST', path: '/kindergartens/:id/graduate', handler: 'lifecycle.graduate' },
  ],
};
