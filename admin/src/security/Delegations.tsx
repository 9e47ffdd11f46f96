import { Button } from '@mui/material';
import {
    Create, Datagrid, DateTimeInput, FunctionField, List, SimpleForm, TextField, TextInput, required, useNotify, usePermissions, useRecordContext, useRefresh, useTranslate,
} from 'react-admin';
import { httpClient } from '../providers/http';
import { formatDateTime } from '../i18n';

/** Approve / reject (system administrator) or revoke (delegator, administrator) one delegation. */
const Actions = () => {
    const record = useRecordContext<any>();
    const { permissions } = usePermissions();
    const notify = useNotify();
    const refresh = useRefresh();
    const translate = useTranslate();
    if (!record) return null;
    const act = (action: string) => async (event: React.MouseEvent) => {
        event.stopPropagation();
        try {
            await httpClient(`/api/delegations/${record.id}/${action}`, { method: 'POST', body: '{}' });
            notify('ra.notification.updated', { type: 'success', messageArgs: { smart_count: 1 } });
            refresh();
        } catch (error: any) {
            notify(error?.message || 'ra.notification.http_error', { type: 'error' });
        }
    };
    const admin = permissions === 'sysadmin';
    return (
        <>
            {admin && record.state === 'requested' && <Button size="small" onClick={act('approve')}>{translate('app.security.delegation.approve')}</Button>}
            {admin && record.state === 'requested' && <Button size="small" onClick={act('reject')}>{translate('app.security.delegation.reject')}</Button>}
            {['requested', 'approved'].includes(record.state) && <Button size="small" color="error" onClick={act('revoke')}>{translate('app.security.delegation.revoke')}</Button>}
        </>
    );
};

export const DelegationList = () => (
    <List exporter={false} pagination={false} sort={{ field: 'startsAt', order: 'DESC' }}>
        <Datagrid bulkActionButtons={false} rowClick={false}>
            <TextField source="delegator" />
            <TextField source="delegate" />
            <FunctionField source="startsAt" render={(r: any) => formatDateTime(r.startsAt)} />
            <FunctionField source="endsAt" render={(r: any) => formatDateTime(r.endsAt)} />
            <TextField source="reason" />
            <FunctionField source="state" render={(r: any) => <StateLabel state={r.state} />} />
            <TextField source="decidedBy" />
            <Actions />
        </Datagrid>
    </List>
);

const StateLabel = ({ state }: { state: string }) => {
    const translate = useTranslate();
    return <>{translate(`app.security.delegation.states.${state}`, { _: state })}</>;
};

/** Asking that a colleague act for me for a bounded time (instead of lending my password). */
export const DelegationCreate = () => (
    <Create redirect="list">
        <SimpleForm>
            <TextInput source="delegate" validate={required()} helperText="app.security.delegation.delegate_help" />
            <DateTimeInput source="startsAt" />
            <DateTimeInput source="endsAt" validate={required()} />
            <TextInput source="reason" validate={required()} multiline fullWidth />
        </SimpleForm>
    </Create>
);

export const delegations = { list: DelegationList, create: DelegationCreate };
