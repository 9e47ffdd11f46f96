import schema from './snapshot/schema.json';

export default { snapshot: { schema } };
