import AccountTreeIcon from '@mui/icons-material/AccountTree';
import { RegionList } from './RegionList';

/** 行政区划: read-only tree browser (the server loads GB/T 2260 at start). */
export default {
    list: RegionList,
    icon: AccountTreeIcon,
    recordRepresentation: 'name',
};

export { RegionList };
