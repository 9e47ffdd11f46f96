import identity from './identity';
import studentNumber from './student-number';

export default { identity, studentNumber };
