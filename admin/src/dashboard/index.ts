export { Dashboard } from './Dashboard';
export { Dashboard as default } from './Dashboard';
