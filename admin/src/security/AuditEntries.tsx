import { Datagrid, DateTimeInput, FunctionField, List, SelectInput, TextField, TextInput, useTranslate } from 'react-admin';
import { Box, Typography } from '@mui/material';
import { formatDateTime } from '../i18n';

const filters = [
    <TextInput key="q" source="q" alwaysOn />,
    <TextInput key="actorUsername" source="actorUsername" />,
    <TextInput key="action" source="action" />,
    <SelectInput key="outcome" source="outcome" choices={[{ id: 'ok', name: 'ok' }, { id: 'failed', name: 'failed' }, { id: 'refused', name: 'refused' }]} />,
    <DateTimeInput key="from" source="from" label="app.security.audit.from" />,
    <DateTimeInput key="to" source="to" label="app.security.audit.to" />,
];

const Details = ({ record }: { record?: any }) => {
    const translate = useTranslate();
    return (
        <Box sx={{ p: 1 }}>
            <Typography variant="subtitle2">{translate('app.security.audit.details')}</Typography>
            <pre style={{ whiteSpace: 'pre-wrap', margin: 0, fontSize: 12 }}>{JSON.stringify(record?.details ?? null, null, 2)}</pre>
        </Box>
    );
};

/** The audit trail, read-only, for the audit administrator (GET /api/audit-entries). */
export const AuditEntryList = () => (
    <List filters={filters} sort={{ field: 'at', order: 'DESC' }} perPage={25} exporter={false}>
        <Datagrid bulkActionButtons={false} rowClick="expand" expand={<Details />}>
            <FunctionField source="at" render={(record: any) => formatDateTime(record.at)} />
            <TextField source="actorUsername" />
            <TextField source="actorLevel" />
            <TextField source="onBehalfOfUsername" />
            <TextField source="ip" />
            <TextField source="action" />
            <TextField source="targetType" />
            <TextField source="targetId" />
            <TextField source="outcome" />
        </Datagrid>
    </List>
);

export const auditEntries = { list: AuditEntryList };
