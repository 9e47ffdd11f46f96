import {
    BooleanInput, Datagrid, DateField, List, SelectInput, TextField, TextInput, usePermissions, useTranslate,
} from 'react-admin';
import { StateField } from './StateField';
import { BulkApproveButton } from './BulkApproveButton';

const STATES = ['submitted', 'resubmitted', 'returned', 'approved', 'rejected'];
const TYPES = ['kindergarten-key-change', 'kindergarten-registration', 'annual-report', 'declaration', 'problem-evidence', 'arbitration', 'staff-correction', 'aid-application'];

/** 待审核 / 我的申请: requests in the user's reach (the server scopes them); overdue ones flagged. */
export const RequestList = () => {
    const { permissions: level } = usePermissions();
    const translate = useTranslate();
    const filters = [
        <TextInput key="q" source="q" label="resources.requests.fields.q" alwaysOn />,
        <SelectInput key="state" source="state" label="resources.requests.fields.state" choices={STATES.map((id) => ({ id, name: translate(`resources.requests.state.${id}`) }))} />,
        <SelectInput key="type" source="type" label="resources.requests.fields.type" choices={TYPES.map((id) => ({ id, name: translate(`resources.requests.type.${id}`) }))} />,
        <BooleanInput key="overdue" source="overdue" label="resources.requests.overdue" />,
    ];
    const reviewer = level === 'county';
    return (
        <List
            filters={filters}
            filterDefaultValues={reviewer ? { state: ['submitted', 'resubmitted'] } : {}}
            sort={{ field: 'submittedAt', order: 'DESC' }}
        >
            <Datagrid rowClick="show" bulkActionButtons={reviewer ? <BulkApproveButton /> : false}>
                <TextField source="typeName" label="resources.requests.fields.type" sortable={false} />
                <TextField source="subjectName" label="resources.requests.fields.subjectName" />
                <StateField label="resources.requests.fields.state" />
                <DateField source="dueAt" label="resources.requests.fields.dueAt" locales="zh-CN" />
                <TextField source="submittedByName" label="resources.requests.fields.submittedByName" sortable={false} />
                <DateField source="submittedAt" label="resources.requests.fields.submittedAt" showTime locales="zh-CN" />
            </Datagrid>
        </List>
    );
};
