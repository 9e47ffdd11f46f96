import InsightsIcon from '@mui/icons-material/Insights';
import { ChartPageList } from './ChartPageList';
import { ChartPageCreate, ChartPageEdit } from './ChartPageForm';
import { ChartPageShow } from './ChartPageShow';

/** 图表页: analysts build pages of charts (indicator × dimension × filters × type), saved and shared within their reach. */
export default {
    list: ChartPageList,
    create: ChartPageCreate,
    edit: ChartPageEdit,
    show: ChartPageShow,
    icon: InsightsIcon,
    recordRepresentation: 'title',
};

export { ChartPageList, ChartPageCreate, ChartPageEdit, ChartPageShow };
