import {
    BooleanInput, Datagrid, DateField, List, SelectInput, SimpleList, TextField, TextInput, usePermissions, useTranslate,
} from 'react-admin';
import { useMediaQuery, type Theme } from '@mui/material';
import { StateField } from './StateField';
import { BulkApproveButton } from './BulkApproveButton';
import { useAllowed, useFactName, useServerFacts } from '../../providers/useServerFacts';

/** 待审核 / 我的申请: requests in the user's reach (the server scopes them); overdue ones flagged. */
export const RequestList = () => {
    const { permissions: level } = usePermissions();
    const translate = useTranslate();
    // states and workflows as the server declares them (config/workflows.json, the request type), never a copy
    const { requestStates, reviewableStates, workflows } = useServerFacts();
    const factName = useFactName();
    const mayApprove = useAllowed()('requests', 'approve');
    const filters = [
        <TextInput key="q" source="q" label="resources.requests.fields.q" alwaysOn />,
        <SelectInput key="state" source="state" label="resources.requests.fields.state" choices={requestStates.map((id) => ({ id, name: translate(`resources.requests.state.${id}`, { _: id }) }))} />,
        <SelectInput key="type" source="type" label="resources.requests.fields.type" choices={workflows.map((wf) => ({ id: wf.key, name: factName(wf) }))} />,
        <BooleanInput key="overdue" source="overdue" label="resources.requests.overdue" />,
    ];
    // a level that only reviews (it submits no workflow) opens on what waits for it
    const reviewer = mayApprove && workflows.some((wf) => wf.reviewer === level) && !workflows.some((wf) => wf.submitters.includes(level));
    // a phone: one line per request — what, about whom, its state (and 逾期), when submitted
    const phone = useMediaQuery((theme: Theme) => theme.breakpoints.down('sm'));
    return (
        <List
            filters={filters}
            filterDefaultValues={reviewer ? { state: reviewableStates } : {}}
            sort={{ field: 'submittedAt', order: 'DESC' }}
        >
            {phone ? (
                <SimpleList
                    data-testid="requests-phone-list"
                    rowClick="show"
                    primaryText={(record) => `${record.typeName ?? ''}${record.subjectName ? `：${record.subjectName}` : ''}`}
                    secondaryText={<StateField />}
                    tertiaryText={(record) => (record.submittedAt ? new Date(record.submittedAt).toLocaleDateString('zh-CN') : '')}
                />
            ) : (
            <Datagrid rowClick="show" bulkActionButtons={reviewer ? <BulkApproveButton /> : false}>
                <TextField source="typeName" label="resources.requests.fields.type" sortable={false} />
                <TextField source="subjectName" label="resources.requests.fields.subjectName" />
                <StateField label="resources.requests.fields.state" />
                <DateField source="dueAt" label="resources.requests.fields.dueAt" locales="zh-CN" />
                <TextField source="submittedByName" label="resources.requests.fields.submittedByName" sortable={false} />
                <DateField source="submittedAt" label="resources.requests.fields.submittedAt" showTime locales="zh-CN" />
            </Datagrid>
            )}
        </List>
    );
};
