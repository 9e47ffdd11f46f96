export default {
  routes: [
    { method: 'GET', path: '/resource-inventories', handler: 'resource-inventory.find' },
    { method: 'GET', path: '/resource-inventories/shortfalls', handler: 'resource-inventory.shortfalls' },
    { method: 'GET', path: '/resource-inventories/:id', handler: 'resource-inventory.findOne' },
    { method: 'POST', path: '/resource-inventories', handler: 'resource-inventory.create' },
    { method: 'POST', path: '/resource-inventories/import', handler: 'resource-inventory.import' },
    { method: 'PUT', path: '/resource-inventories/:id', handler: 'resource-inventory.update' },
  ],
};
