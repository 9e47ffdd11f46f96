/** 校历与期限: every level reads; the province and the Ministry edit. */
export default {
  routes: [
    { method: 'GET', path: '/calendar-settings', handler: 'calendar-setting.find' },
    { method: 'PUT', path: '/calendar-settings', handler: 'calendar-setting.update' },
  ],
};
