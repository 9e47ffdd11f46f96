import { useState } from 'react';
import VolunteerActivismIcon from '@mui/icons-material/VolunteerActivism';
import PaymentsIcon from '@mui/icons-material/Payments';
import { Alert, Box, Button, Card, CardContent, Dialog, DialogActions, DialogContent, DialogTitle, MenuItem, Table, TableBody, TableCell, TableHead, TableRow, TextField as MuiTextField, ToggleButton, ToggleButtonGroup } from '@mui/material';
import {
    AutocompleteInput, Create, Datagrid, DateField, List, Loading, NumberField, NumberInput, ReferenceInput, SelectField, SelectInput, SimpleForm,
    TextField, TextInput, Title, minValue, regex, required, useNotify, usePermissions, useRecordContext, useRefresh, useTranslate,
} from 'react-admin';
import { useApi } from '../../providers/useApi';
import { httpClient } from '../../providers/http';
import { useDictionaries } from '../children/useDictionaries';
import { useRegionLevels } from '../../providers/useServerFacts';

const term = [required(), regex(/^\d{4}-[12]$/, '格式 YYYY-1（春季）或 YYYY-2（秋季）')];

/** 资助申请: a kindergarten applies for a child (workflow aid-application, reviewed by the county). */
export const AidApply = () => {
    const translate = useTranslate();
    const codes = useDictionaries();
    const transform = ({ child, reason, ...changes }: Record<string, any>) => ({ type: 'aid-application', subjectId: child, reason, changes });
    return (
        <Create resource="requests" transform={transform} redirect="show" title="app.funds.aid.apply_title">
            <SimpleForm sx={{ maxWidth: 560 }}>
                <Alert severity="info" sx={{ mb: 2 }}>{translate('app.funds.aid.apply_help')}</Alert>
                <ReferenceInput source="child" reference="children" filter={{ needsAid: true }}>
                    <AutocompleteInput label="app.funds.aid.child" optionText="name" validate={required()} fullWidth />
                </ReferenceInput>
                <SelectInput source="category" label="resources.aid-grants.fields.category" choices={codes('aidCategory')} validate={required()} fullWidth />
                <TextInput source="term" label="resources.aid-grants.fields.term" validate={term} helperText="2026-2" fullWidth />
                <NumberInput source="amount" label="resources.aid-grants.fields.amount" validate={[required(), minValue(1)]} fullWidth />
                <TextInput source="note" label="resources.aid-grants.fields.note" fullWidth />
                <TextInput source="reason" label="app.funds.aid.reason" validate={required()} multiline minRows={2} fullWidth />
            </SimpleForm>
        </Create>
    );
};

/** 登记发放 (county): a payment against a grant; the server refuses overshoot and double payment. */
const DisburseButton = () => {
    const record = useRecordContext();
    const translate = useTranslate();
    const notify = useNotify();
    const refresh = useRefresh();
    const codes = useDictionaries();
    const [open, setOpen] = useState(false);
    const [values, setValues] = useState({ source: 'central', amount: '', paidOn: new Date().toISOString().slice(0, 10) });
    if (!record || record.disbursedAmount >= record.approvedAmount) return null;
    const save = async () => {
        try {
            await httpClient('/api/aid-disbursements', { method: 'POST', body: JSON.stringify({ data: { grant: record.id, ...values, amount: Number(values.amount) } }) });
            notify('app.funds.aid.disbursed', { type: 'success' });
            setOpen(false);
            refresh();
        } catch (e: any) {
            notify(e?.message ?? 'ra.notification.http_error', { type: 'error' });
        }
    };
    return (
        <>
            <Button size="small" onClick={(e) => { e.stopPropagation(); setOpen(true); }}>{translate('app.funds.aid.disburse')}</Button>
            <Dialog open={open} onClose={() => setOpen(false)} onClick={(e) => e.stopPropagation()}>
                <DialogTitle>{translate('app.funds.aid.disburse')} · {record.childName} · {record.term}</DialogTitle>
                <DialogContent sx={{ display: 'grid', gap: 2, pt: '8px !important', minWidth: 360 }}>
                    <MuiTextField select size="small" label={translate('resources.aid-grants.fields.source')} value={values.source} onChange={(e) => setValues({ ...values, source: e.target.value })}>
                        {codes('fundingSource').map((c) => <MenuItem key={c.id} value={c.id}>{c.name}</MenuItem>)}
                    </MuiTextField>
                    <MuiTextField size="small" type="number" label={translate('resources.aid-disbursements.fields.amount')} value={values.amount} onChange={(e) => setValues({ ...values, amount: e.target.value })}
                        helperText={`≤ ${record.approvedAmount - record.disbursedAmount}`} />
                    <MuiTextField size="small" type="date" label={translate('resources.aid-grants.fields.paidOn')} value={values.paidOn} onChange={(e) => setValues({ ...values, paidOn: e.target.value })} />
                </DialogContent>
                <DialogActions>
                    <Button onClick={() => setOpen(false)}>{translate('ra.action.cancel')}</Button>
                    <Button variant="contained" onClick={save} disabled={!Number(values.amount)}>{translate('ra.action.save')}</Button>
                </DialogActions>
            </Dialog>
        </>
    );
};

export const AidGrantList = () => {
    const codes = useDictionaries();
    const { permissions: level } = usePermissions();
    return (
        <List sort={{ field: 'approvedAt', order: 'DESC' }} filters={[<TextInput key="t" source="term" />, <SelectInput key="c" source="category" choices={codes('aidCategory')} />]}>
            <Datagrid bulkActionButtons={false} rowClick={false}>
                <TextField source="childName" />
                <SelectField source="category" choices={codes('aidCategory')} />
                <TextField source="term" />
                <NumberField source="approvedAmount" />
                <NumberField source="disbursedAmount" />
                <TextField source="institutionCode" />
                <DateField source="approvedAt" />
                {level === 'county' && <DisburseButton />}
            </Datagrid>
        </List>
    );
};

export const AidDisbursementList = () => {
    const codes = useDictionaries();
    return (
        <List sort={{ field: 'paidOn', order: 'DESC' }} filters={[<TextInput key="t" source="term" />, <SelectInput key="s" source="source" choices={codes('fundingSource')} />]}>
            <Datagrid bulkActionButtons={false} rowClick={false}>
                <TextField source="childName" />
                <SelectField source="category" choices={codes('aidCategory')} />
                <TextField source="term" />
                <SelectField source="source" choices={codes('fundingSource')} />
                <NumberField source="amount" />
                <DateField source="paidOn" />
                <TextField source="recordedByName" />
                <TextField source="institutionCode" />
            </Datagrid>
        </List>
    );
};

type Totals = { code: string; name: string; approved: number; disbursed: number; grants: number; payments: number; bySource: Record<string, number>; byCategory: Record<string, number> };

/** 资助统计: approved and paid per region, per source and per category. */
export const AidTotals = () => {
    const regionLevels = useRegionLevels();
    const translate = useTranslate();
    const codes = useDictionaries();
    const [groupBy, setGroupBy] = useState('county');
    const { data, error, isPending } = useApi<{ rows: Totals[]; total: Totals }>(`/api/aid-totals?groupBy=${groupBy}`);
    const sources = codes('fundingSource');
    const categories = codes('aidCategory');
    return (
        <Box sx={{ mt: 2 }}>
            <Title title="app.funds.aid.totals_title" />
            <ToggleButtonGroup size="small" exclusive value={groupBy} onChange={(_e, v) => v && setGroupBy(v)} sx={{ mb: 2 }}>
                {[...regionLevels].reverse().map((g) => <ToggleButton key={g} value={g}>{translate(`app.funds.analysis.${g}`)}</ToggleButton>)}
            </ToggleButtonGroup>
            {isPending ? <Loading /> : error ? <Alert severity="error">{error.message}</Alert> : data && (
                <Card sx={{ overflowX: 'auto' }}><CardContent>
                    <Table size="small" sx={{ '& th, & td': { whiteSpace: 'nowrap' } }}>
                        <TableHead>
                            <TableRow>
                                <TableCell rowSpan={2}>{translate('app.funds.analysis.region')}</TableCell>
                                <TableCell rowSpan={2} align="right">{translate('app.funds.aid.grants')}</TableCell>
                                <TableCell rowSpan={2} align="right">{translate('app.funds.aid.approved')}</TableCell>
                                <TableCell rowSpan={2} align="right">{translate('app.funds.aid.paid')}</TableCell>
                                <TableCell colSpan={sources.length} align="center">{translate('app.funds.aid.by_source')}</TableCell>
                                <TableCell colSpan={categories.length} align="center">{translate('app.funds.aid.by_category')}</TableCell>
                            </TableRow>
                            <TableRow>{[...sources, ...categories].map((c) => <TableCell key={c.id} align="right">{c.name}</TableCell>)}</TableRow>
                        </TableHead>
                        <TableBody>
                            {[...data.rows, data.total].map((row) => (
                                <TableRow key={row.code + row.name} sx={row === data.total ? { '& td': { fontWeight: 700 } } : undefined}>
                                    <TableCell>{row.name}</TableCell>
                                    <TableCell align="right">{row.grants}</TableCell>
                                    <TableCell align="right">{row.approved}</TableCell>
                                    <TableCell align="right">{row.disbursed}</TableCell>
                                    {sources.map((s) => <TableCell key={s.id} align="right">{row.bySource[s.id] ?? 0}</TableCell>)}
                                    {categories.map((c) => <TableCell key={c.id} align="right">{row.byCategory[c.id] ?? 0}</TableCell>)}
                                </TableRow>
                            ))}
                        </TableBody>
                    </Table>
                </CardContent></Card>
            )}
        </Box>
    );
};

export const aidGrants = { list: AidGrantList, icon: VolunteerActivismIcon, recordRepresentation: 'childName' };
export const aidDisbursements = { list: AidDisbursementList, icon: PaymentsIcon };
