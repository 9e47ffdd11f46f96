export default {
  routes: [
    { method: 'GET', path: '/staff-members', handler: 'staff.find' },
    { method: 'GET', path: '/staff-members/:id', handler: 'staff.findOne' },
    { method: 'POST', path: '/staff-members', handler: 'staff.create' },
    { method: 'PUT', path: '/staff-members/:id', handler: 'staff.update' },
    { method: 'DELETE', path: '/staff-members/:id', handler: 'staff.delete' },
    { method: 'POST', path: '/staff-members/:id/teacher-account', handler: 'staff.teacherAccount' },
    { method: 'GET', path: '/staffing', handler: 'staff.staffing' },
    { method: 'GET', path: '/staff-analysis', handler: 'staff.analysis' },
    { method: 'GET', path: '/me/staff', handler: 'staff.mine' },
    { method: 'POST', path: '/me/staff/corrections', handler: 'staff.correction' },
  ],
};
