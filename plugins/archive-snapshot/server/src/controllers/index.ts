import snapshot from './snapshot';

export default { snapshot };
