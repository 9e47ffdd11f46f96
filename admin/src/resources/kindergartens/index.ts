import SchoolIcon from '@mui/icons-material/School';
import { KindergartenList } from './KindergartenList';
import { KindergartenShow } from './KindergartenShow';
import { KindergartenEdit } from './KindergartenEdit';
import { KindergartenCreate } from './KindergartenCreate';

/** Regional levels: list/show/edit; county level also creates. */
export default {
    list: KindergartenList,
    show: KindergartenShow,
    edit: KindergartenEdit,
    create: KindergartenCreate,
    icon: SchoolIcon,
    recordRepresentation: 'name',
};

/** Institution level: its own kindergarten only (reached through 本园信息). */
export const institutionKindergarten = {
    show: KindergartenShow,
    edit: KindergartenEdit,
    icon: SchoolIcon,
    recordRepresentation: 'name',
};

export { KindergartenList, KindergartenShow, KindergartenEdit, KindergartenCreate };
