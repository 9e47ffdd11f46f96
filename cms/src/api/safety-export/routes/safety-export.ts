export default {
  routes: ['inspections', 'findings', 'incidents', 'inventories'].map((list) => ({ method: 'GET', path: `/safety-export/${list}`, handler: `safety-export.${list}` })),
};
