export default {
  routes: [
    { method: 'GET', path: '/health', handler: 'health.check', config: { auth: false } },
    // the OpenAPI 3 document of every route (cms/src/runtime/openapi.ts)
    { method: 'GET', path: '/openapi.json', handler: 'health.openapi', config: { auth: false } },
  ],
};
