/** 角色权限: the matrix of every role; changes by the security administrator and the levels above (config/permission-matrix.json). */
export default {
  routes: [
    { method: 'GET', path: '/permission-matrix', handler: 'permission-matrix.find' },
    { method: 'PUT', path: '/permission-matrix', handler: 'permission-matrix.update' },
  ],
};
