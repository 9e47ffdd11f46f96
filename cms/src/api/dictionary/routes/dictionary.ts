export default { routes: [{ method: 'GET', path: '/dictionaries', handler: 'dictionary.list' }] };
