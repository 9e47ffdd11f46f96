import { useState } from 'react';
import AccountBalanceIcon from '@mui/icons-material/AccountBalance';
import EventNoteIcon from '@mui/icons-material/EventNote';
import { Alert, Box, Button, Card, CardContent, Chip, Table, TableBody, TableCell, TableHead, TableRow, TextField as MuiTextField, ToggleButton, ToggleButtonGroup, Typography } from '@mui/material';
import {
    Create, Datagrid, DateField, Edit, EditButton, FunctionField, List, Loading, NumberField, NumberInput, SelectField, SelectInput, Show,
    SimpleForm, SimpleShowLayout, TextField, TextInput, Title, TopToolbar, maxValue, minValue, required, useGetList, useNotify, usePermissions,
    useRecordContext, useRefresh, useTranslate,
} from 'react-admin';
import { useApi } from '../../providers/useApi';
import { httpClient } from '../../providers/http';
import { useMe } from '../../providers/useMe';
import { useDictionaries } from '../children/useDictionaries';
import { regionLevelOf, useRegionLevels, useServerFacts, useThisMonth } from '../../providers/useServerFacts';

const FIELDS = ['name', 'type', 'year', 'regionCode', 'budget', 'sources', 'allocated', 'spent', 'overspendReason', 'progress', 'description'];
const pick = (data: Record<string, any>) => Object.fromEntries(FIELDS.filter((f) => f in data).map((f) => [f, data[f] === '' ? null : data[f]]));
const stateColor: Record<string, 'default' | 'warning' | 'success' | 'error'> = { draft: 'default', submitted: 'warning', approved: 'success', returned: 'error' };

const StateChip = ({ source }: { source: string; label?: string }) => {
    const record = useRecordContext();
    const translate = useTranslate();
    return record ? <Chip size="small" color={stateColor[record[source]] ?? 'default'} label={translate(`resources.projects.state.${record[source]}`, { _: record[source] })} /> : null;
};

const ProjectList = () => {
    const codes = useDictionaries();
    return (
        <List sort={{ field: 'regionCode', order: 'ASC' }} filters={[<TextInput key="q" source="name_containsi" label="resources.projects.fields.name" alwaysOn />, <SelectInput key="t" source="type" choices={codes('projectType')} />]}>
            <Datagrid rowClick="show" bulkActionButtons={false}>
                <TextField source="name" />
                <SelectField source="type" choices={codes('projectType')} />
                <NumberField source="year" options={{ useGrouping: false }} />
                <TextField source="regionCode" />
                <NumberField source="allocated" />
                <FunctionField source="spent" render={(r: any) => <Box component="span" sx={{ color: Number(r.spent) > Number(r.allocated) ? 'error.main' : undefined }}>{r.spent}</Box>} />
                <NumberField source="progress" />
                <StateChip source="reviewState" label="resources.projects.fields.reviewState" />
            </Datagrid>
        </List>
    );
};

const ProjectForm = ({ creating }: { creating?: boolean }) => {
    const codes = useDictionaries();
    const { me } = useMe();
    return (
        <SimpleForm sx={{ maxWidth: 640 }} defaultValues={creating ? { year: new Date().getFullYear(), regionCode: me?.regionCode ?? '', type: me?.level === 'ministry' ? 'central' : 'provincial' } : undefined}>
            <TextInput source="name" validate={required()} fullWidth />
            <SelectInput source="type" choices={codes('projectType')} validate={required()} fullWidth />
            <NumberInput source="year" validate={required()} fullWidth />
            {creating && <TextInput source="regionCode" validate={required()} helperText="350000 省 · 350500 地市 · 350502 区县" fullWidth />}
            <NumberInput source="budget" validate={minValue(0)} fullWidth />
            <NumberInput source="sources.central" validate={minValue(0)} fullWidth />
            <NumberInput source="sources.provincial" validate={minValue(0)} fullWidth />
            <NumberInput source="sources.local" validate={minValue(0)} fullWidth />
            <NumberInput source="allocated" validate={minValue(0)} fullWidth />
            <NumberInput source="spent" validate={minValue(0)} fullWidth />
            <TextInput source="overspendReason" multiline fullWidth />
            <NumberInput source="progress" validate={[minValue(0), maxValue(100)]} fullWidth />
            <TextInput source="description" multiline minRows={2} fullWidth />
        </SimpleForm>
    );
};

const ProjectCreate = () => (
    <Create redirect="show" transform={pick}>
        <ProjectForm creating />
    </Create>
);

const ProjectEdit = () => (
    <Edit mutationMode="pessimistic" redirect="show" transform={({ regionCode, ...data }: any) => pick(data)}>
        <ProjectForm />
    </Edit>
);

const post = async (url: string, data: Record<string, unknown> = {}) => httpClient(url, { method: 'POST', body: JSON.stringify({ data }) });

/** Submit (owner) / approve, return (level above) buttons: the transitions the server says the caller may take now (record.actions). */
const ReviewActions = ({ base }: { base: string }) => {
    const record = useRecordContext();
    const { me } = useMe();
    const translate = useTranslate();
    const notify = useNotify();
    const refresh = useRefresh();
    const [comment, setComment] = useState('');
    if (!record || !me) return null;
    const may = (action: string) => Array.isArray(record.actions) && record.actions.includes(action);
    const run = async (path: string, data: Record<string, unknown> = {}) => {
        try {
            await post(`${base}/${record.id}${path}`, data);
            notify('app.funds.projects.reviewed', { type: 'success' });
            refresh();
        } catch (e: any) {
            notify(e?.message ?? 'ra.notification.http_error', { type: 'error' });
        }
    };
    if (base === '/api/projects' && may('submit')) {
        return <Button variant="outlined" size="small" onClick={() => run('/submit')}>{translate('app.funds.projects.submit')}</Button>;
    }
    if (may('approve') || may('return')) {
        return (
            <Box sx={{ display: 'flex', gap: 1, alignItems: 'center' }}>
                <MuiTextField size="small" fullWidth={false} label={translate('app.funds.projects.comment')} value={comment} onChange={(e) => setComment(e.target.value)} />
                {may('approve') && <Button variant="contained" size="small" onClick={() => run('/review', { decision: 'approve', comment })}>{translate('app.funds.projects.approve')}</Button>}
                {may('return') && <Button color="error" size="small" onClick={() => run('/review', { decision: 'return', comment })}>{translate('app.funds.projects.return')}</Button>}
            </Box>
        );
    }
    return null;
};


/** The project's monthly reports, and the owner's form for this month's. */
const Reports = () => {
    const thisMonth = useThisMonth();
    const record = useRecordContext();
    const { me } = useMe();
    const translate = useTranslate();
    const notify = useNotify();
    const [values, setValues] = useState({ month: thisMonth(), progress: '', spentToDate: '', note: '' });
    const { data = [], refetch } = useGetList('project-progress-reports', { filter: { projectId: record?.id }, sort: { field: 'month', order: 'DESC' }, pagination: { page: 1, perPage: 60 } }, { enabled: Boolean(record) });
    if (!record) return null;
    const own = me?.level === regionLevelOf(record.regionCode) && me?.regionCode === record.regionCode;
    const file = async () => {
        try {
            await post('/api/project-progress-reports', { projectId: record.id, month: values.month, progress: Number(values.progress), spentToDate: values.spentToDate === '' ? null : Number(values.spentToDate), note: values.note });
            notify('app.funds.projects.submitted', { type: 'success' });
            refetch();
        } catch (e: any) {
            notify(e?.message ?? 'ra.notification.http_error', { type: 'error' });
        }
    };
    return (
        <Card variant="outlined" sx={{ mt: 2 }}><CardContent>
            <Typography variant="h6">{translate('app.funds.projects.reports')}</Typography>
            <Table size="small">
                <TableHead><TableRow>{['month', 'progress', 'spentToDate', 'note', 'submittedAt', 'state'].map((f) => <TableCell key={f}>{translate(`resources.project-progress-reports.fields.${f}`)}</TableCell>)}</TableRow></TableHead>
                <TableBody>
                    {data.map((r: any) => (
                        <TableRow key={r.id}>
                            <TableCell>{r.month} {r.late && <Chip size="small" color="error" label={translate('app.funds.projects.late')} />}</TableCell>
                            <TableCell>{r.progress}</TableCell><TableCell>{r.spentToDate ?? '—'}</TableCell><TableCell>{r.note ?? '—'}</TableCell>
                            <TableCell>{r.submittedAt?.slice(0, 10)}</TableCell>
                            <TableCell>{translate(`resources.projects.state.${r.state}`, { _: r.state })}</TableCell>
                        </TableRow>
                    ))}
                </TableBody>
            </Table>
            {own && (
                <Box sx={{ display: 'flex', gap: 1, mt: 2, flexWrap: 'wrap' }}>
                    <MuiTextField size="small" fullWidth={false} type="month" label={translate('resources.project-progress-reports.fields.month')} value={values.month} onChange={(e) => setValues({ ...values, month: e.target.value })} />
                    <MuiTextField size="small" fullWidth={false} type="number" label={translate('resources.project-progress-reports.fields.progress')} value={values.progress} onChange={(e) => setValues({ ...values, progress: e.target.value })} />
                    <MuiTextField size="small" fullWidth={false} type="number" label={translate('resources.project-progress-reports.fields.spentToDate')} value={values.spentToDate} onChange={(e) => setValues({ ...values, spentToDate: e.target.value })} />
                    <MuiTextField size="small" fullWidth={false} label={translate('resources.project-progress-reports.fields.note')} value={values.note} onChange={(e) => setValues({ ...values, note: e.target.value })} />
                    <Button variant="contained" onClick={file} disabled={values.progress === ''}>{translate('app.funds.projects.report')}</Button>
                </Box>
            )}
        </CardContent></Card>
    );
};

const ShowActions = () => (
    <TopToolbar sx={{ alignItems: 'center' }}>
        <ReviewActions base="/api/projects" />
        <EditButton />
    </TopToolbar>
);

const ProjectShow = () => {
    const codes = useDictionaries();
    return (
        <Show actions={<ShowActions />}>
            <SimpleShowLayout>
                <TextField source="name" />
                <SelectField source="type" choices={codes('projectType')} />
                <NumberField source="year" options={{ useGrouping: false }} />
                <TextField source="regionCode" />
                <NumberField source="budget" />
                <FunctionField source="sources" render={(r: any) => Object.entries(r.sources ?? {}).map(([k, v]) => `${codes('fundingSource').find((c) => c.id === k)?.name ?? k} ${v}`).join('；') || '—'} />
                <NumberField source="allocated" />
                <NumberField source="spent" />
                <TextField source="overspendReason" emptyText="—" />
                <NumberField source="progress" />
                <TextField source="description" emptyText="—" />
                <StateChip source="reviewState" label="resources.projects.fields.reviewState" />
                <TextField source="reviewComment" emptyText="—" />
                <TextField source="reviewedByName" emptyText="—" />
                <Reports />
            </SimpleShowLayout>
        </Show>
    );
};

const LateChip = () => {
    const translate = useTranslate();
    return <Chip size="small" color="error" label={translate('app.funds.projects.late')} />;
};

/** 项目进展月报: reports in reach; the level above approves or returns the submitted ones. */
const ProgressList = () => (
    <List sort={{ field: 'month', order: 'DESC' }} filters={[<TextInput key="m" source="month" alwaysOn />]}>
        <Datagrid bulkActionButtons={false} rowClick={false}>
            <TextField source="projectName" />
            <TextField source="month" />
            <NumberField source="progress" />
            <NumberField source="spentToDate" emptyText="—" />
            <DateField source="submittedAt" />
            <FunctionField source="late" render={(r: any) => (r.late ? <LateChip /> : '—')} />
            <StateChip source="state" label="resources.project-progress-reports.fields.state" />
            <ReviewActions base="/api/project-progress-reports" />
        </Datagrid>
    </List>
);

type Sums = { code: string; name: string; projects: number; budget: number; allocated: number; spent: number; overspent: number };
type Reporting = { month: string; dueOn: string; rows: { projectId: string; name: string; regionCode: string; state: string; late: boolean }[] };

/** 项目汇总: allocations and spending by level and region, and who has (not) reported a month. */
export const ProjectRollup = () => {
    const thisMonth = useThisMonth();
    const regionLevels = useRegionLevels();
    const translate = useTranslate();
    const [groupBy, setGroupBy] = useState('level');
    const [month, setMonth] = useState(thisMonth());
    const rollup = useApi<{ rows: Sums[]; total: Sums }>(`/api/project-rollup?groupBy=${groupBy}`);
    const reporting = useApi<Reporting>(`/api/project-reporting?month=${month}`);
    return (
        <Box sx={{ mt: 2, display: 'grid', gap: 2 }}>
            <Title title="app.funds.projects.rollup_title" />
            <Card><CardContent>
                <ToggleButtonGroup size="small" exclusive value={groupBy} onChange={(_e, v) => v && setGroupBy(v)} sx={{ mb: 2 }}>
                    <ToggleButton value="level">{translate('app.funds.projects.level')}</ToggleButton>
                    {regionLevels.map((g) => <ToggleButton key={g} value={g}>{translate(`app.funds.analysis.${g}`)}</ToggleButton>)}
                </ToggleButtonGroup>
                {rollup.isPending ? <Loading /> : rollup.error ? <Alert severity="error">{rollup.error.message}</Alert> : rollup.data && (
                    <Table size="small">
                        <TableHead><TableRow>
                            <TableCell>{translate('app.funds.analysis.region')}</TableCell>
                            <TableCell align="right">{translate('app.funds.projects.projects')}</TableCell>
                            <TableCell align="right">{translate('resources.projects.fields.budget')}</TableCell>
                            <TableCell align="right">{translate('resources.projects.fields.allocated')}</TableCell>
                            <TableCell align="right">{translate('resources.projects.fields.spent')}</TableCell>
                            <TableCell align="right">{translate('app.funds.projects.overspent')}</TableCell>
                        </TableRow></TableHead>
                        <TableBody>
                            {[...rollup.data.rows, rollup.data.total].map((r) => (
                                <TableRow key={r.code + r.name} sx={r === rollup.data!.total ? { '& td': { fontWeight: 700 } } : undefined}>
                                    <TableCell>{r.name}</TableCell><TableCell align="right">{r.projects}</TableCell><TableCell align="right">{r.budget}</TableCell>
                                    <TableCell align="right">{r.allocated}</TableCell><TableCell align="right">{r.spent}</TableCell>
                                    <TableCell align="right" sx={{ color: r.overspent ? 'error.main' : undefined }}>{r.overspent}</TableCell>
                                </TableRow>
                            ))}
                        </TableBody>
                    </Table>
                )}
            </CardContent></Card>
            <Card><CardContent>
                <Box sx={{ display: 'flex', gap: 2, alignItems: 'center' }}>
                    <Typography variant="h6" sx={{ whiteSpace: "nowrap" }}>{translate("app.funds.projects.reporting_title")}</Typography>
                    <MuiTextField type="month" size="small" fullWidth={false} value={month} onChange={(e) => setMonth(e.target.value)} label={translate('app.funds.projects.month')} />
                    {reporting.data && <Typography variant="body2" color="text.secondary">{translate('app.funds.projects.due', { due: reporting.data.dueOn })}</Typography>}
                </Box>
                {reporting.isPending ? <Loading /> : reporting.error ? <Alert severity="error">{reporting.error.message}</Alert> : reporting.data && (
                    <Table size="small">
                        <TableBody>
                            {reporting.data.rows.map((r) => (
                                <TableRow key={r.projectId}>
                                    <TableCell>{r.name}</TableCell><TableCell>{r.regionCode}</TableCell>
                                    <TableCell>{r.state === 'missing' ? translate('app.funds.projects.missing') : translate(`resources.projects.state.${r.state}`, { _: r.state })}</TableCell>
                                    <TableCell>{r.late ? <Chip size="small" color="error" label={translate('app.funds.projects.late')} /> : translate('app.funds.projects.on_time')}</TableCell>
                                </TableRow>
                            ))}
                        </TableBody>
                    </Table>
                )}
            </CardContent></Card>
        </Box>
    );
};

export const projects = { list: ProjectList, show: ProjectShow, create: ProjectCreate, edit: ProjectEdit, icon: AccountBalanceIcon, recordRepresentation: 'name' };
export const progressReports = { list: ProgressList, icon: EventNoteIcon };
