import { stateChoices } from '../../providers/vocabulary';

/** Fixed choices of the child record (not code tables: these are the system's own states). */
export const sexChoices = [{ id: 'male', name: 'resources.children.sex.male' }, { id: 'female', name: 'resources.children.sex.female' }];
/** The child's 学籍 states, as the server's content type declares them (through /api/me). */
export const statusChoices = () => stateChoices('children.status');
