import FactCheckIcon from '@mui/icons-material/FactCheck';
import { RequestList } from './RequestList';
import { RequestShow } from './RequestShow';
import { KeyChangeCreate } from './KeyChangeCreate';
import { AnnualReportCreate, DeclarationCreate } from './ReportCreate';

/** 申请: the inbox of reviewers and the kindergarten's own requests; kindergartens create key changes. */
export default {
    list: RequestList,
    show: RequestShow,
    icon: FactCheckIcon,
    recordRepresentation: 'typeName',
};

export { RequestList, RequestShow, KeyChangeCreate, AnnualReportCreate, DeclarationCreate };
