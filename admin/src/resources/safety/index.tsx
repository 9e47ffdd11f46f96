import { CustomFieldInputs, CustomFieldValues } from '../../components/CustomFieldInputs';
import HealthAndSafetyIcon from '@mui/icons-material/HealthAndSafety';
import ReportIcon from '@mui/icons-material/Report';
import BuildIcon from '@mui/icons-material/Build';
import MenuBookIcon from '@mui/icons-material/MenuBook';
import { useState } from 'react';
import { Alert, Box, Button as MuiButton, Chip, Dialog, DialogActions, DialogContent, DialogTitle, Table, TableBody, TableCell, TableHead, TableRow, TextField as MuiTextField, Typography } from '@mui/material';
import {
    Button, Create, Datagrid, DateField, DateInput, DateTimeInput, Edit, FormDataConsumer, FunctionField, List, ListActions, NumberField, NumberInput, RadioButtonGroupInput,
    SelectField, SelectInput, Show, SimpleForm, SimpleShowLayout, TextField, TextInput, TopToolbar, minValue, required, useLocaleState, useNotify,
    usePermissions, useRecordContext, useRefresh, useTranslate, Title,
} from 'react-admin';
import { stateChoices } from '../../providers/vocabulary';
import { serverFacts } from '../../providers/useServerFacts';
import { ImportButtons } from '../imports/ImportButtons';
import { httpClient } from '../../providers/http';
import { useApi } from '../../providers/useApi';
import type { SafetyFacts } from '../../providers/session';

/**
 * 安全管理 and 玩教具与图书 (docs/safety-and-resources.md). The checklist, severities, incident types
 * and toy categories come from the server (GET /api/me facts.safety); the buttons a record shows
 * come from its `actions` (the transition engine); the server decides every write.
 */
const facts = (): SafetyFacts => serverFacts().safety ?? ({ checklist: [], severities: [], rectificationWorkingDays: {}, inspectionKinds: [], incidentTypes: [], incidentSeverities: [], reportWithinHours: 24, books: { name: '', nameEn: '', unit: '', perChild: 0 }, toyCategories: [] } as SafetyFacts);
const useName = () => {
    const [locale] = useLocaleState();
    return (entry?: { name: string; nameEn: string }) => (entry ? (locale?.startsWith('en') ? entry.nameEn : entry.name) : '—');
};
const items = () => facts().checklist.flatMap((section) => section.items.map((item) => ({ ...item, section })));
const choicesOf = (list: { code: string; name: string; nameEn: string }[], name: (e: any) => string) => list.map((e) => ({ id: e.code, name: name(e) }));

/* ─────────────── inspections ─────────────── */

/** The list's own actions and the Excel import (shown when the server's matrix grants the import). */
const ImportListActions = ({ record }: { record: 'inspections' | 'incidents' }) => (
    <Box sx={{ display: 'flex', alignItems: 'center' }}>
        <ListActions />
        <ImportButtons base="/api/safety-import" record={record} resource="safety-imports" />
    </Box>
);

const InspectionList = () => {
    const { permissions: level } = usePermissions();
    return (
        <List sort={{ field: 'inspectedOn', order: 'DESC' }} filters={[<SelectInput key="kind" source="kind" choices={stateChoices('safety-inspections.kind')} alwaysOn />]} actions={<ImportListActions record="inspections" />}>
            <Datagrid rowClick="show" bulkActionButtons={false}>
                {level !== 'institution' && <TextField source="kindergartenName" />}
                <SelectField source="kind" choices={stateChoices('safety-inspections.kind')} />
                <DateField source="inspectedOn" locales="zh-CN" />
                <TextField source="period" />
                <TextField source="inspectorName" />
                <NumberField source="failedCount" />
            </Datagrid>
        </List>
    );
};

const InspectionResults = () => {
    const record = useRecordContext();
    const name = useName();
    const translate = useTranslate();
    if (!record) return null;
    return (
        <Table size="small">
            <TableBody>
                {items().map((item) => (
                    <TableRow key={item.key}>
                        <TableCell>{name(item.section)}</TableCell>
                        <TableCell>{name(item)}</TableCell>
                        <TableCell>{translate(`app.safety.result.${record.results?.[item.key] ?? 'na'}`)}</TableCell>
                    </TableRow>
                ))}
            </TableBody>
        </Table>
    );
};

const InspectionShow = () => (
    <Show>
        <SimpleShowLayout>
            <TextField source="kindergartenName" />
            <SelectField source="kind" choices={stateChoices('safety-inspections.kind')} />
            <DateField source="inspectedOn" locales="zh-CN" />
            <TextField source="period" />
            <TextField source="inspectorName" />
            <TextField source="summary" emptyText="—" />
            <CustomFieldValues entity="safety-inspection" />
            <InspectionResults />
        </SimpleShowLayout>
    </Show>
);

/** The checklist as a form: each item 合格 / 不合格 / 不适用; a failed item asks for the hazard's description. */
const InspectionCreate = () => {
    const { permissions: level } = usePermissions();
    const name = useName();
    const translate = useTranslate();
    const kind = facts().inspectionKinds.find((k) => k.level === level)?.code ?? 'self';
    const resultChoices = ['pass', 'fail', 'na'].map((id) => ({ id, name: translate(`app.safety.result.${id}`) }));
    const transform = (data: Record<string, any>) => ({
        kind, kindergarten: data.kindergarten, inspectedOn: data.inspectedOn, inspectorName: data.inspectorName, summary: data.summary, results: data.results,
        ...(data.customFields ? { customFields: data.customFields } : {}),
        findings: items().filter((item) => data.results?.[item.key] === 'fail').map((item) => ({ itemKey: item.key, description: data.findingText?.[item.key] ?? '' })),
    });
    const defaults = { results: Object.fromEntries(items().map((item) => [item.key, 'pass'])) };
    return (
        <Create redirect="show" transform={transform}>
            <SimpleForm defaultValues={defaults}>
                {kind === 'county' && <TextInput source="kindergarten" label="resources.safety-inspections.fields.kindergarten" validate={required()} helperText="app.safety.kindergarten_code" />}
                <DateInput source="inspectedOn" validate={required()} />
                <TextInput source="inspectorName" validate={required()} />
                {facts().checklist.map((section) => (
                    <Box key={section.key} sx={{ width: '100%' }}>
                        <Typography variant="subtitle1" sx={{ mt: 2 }}>{name(section)}</Typography>
                        {section.items.map((item) => (
                            <Box key={item.key}>
                                <RadioButtonGroupInput source={`results.${item.key}`} label={name(item)} choices={resultChoices} row />
                                <FormDataConsumer>
                                    {({ formData }) => formData.results?.[item.key] === 'fail' && <TextInput source={`findingText.${item.key}`} label="app.safety.finding_description" validate={required()} fullWidth multiline />}
                                </FormDataConsumer>
                            </Box>
                        ))}
                    </Box>
                ))}
                <TextInput source="summary" fullWidth multiline />
                <CustomFieldInputs entity="safety-inspection" />
            </SimpleForm>
        </Create>
    );
};

export const safetyInspections = { list: InspectionList, show: InspectionShow, create: InspectionCreate, icon: HealthAndSafetyIcon, recordRepresentation: 'kindergartenName' };

/* ─────────────── findings and rectification ─────────────── */

const ItemName = () => {
    const record = useRecordContext();
    const name = useName();
    return <span>{name(items().find((item) => item.key === record?.itemKey))}</span>;
};
const SeverityName = ({ list = 'severities' }: { list?: 'severities' | 'incidentSeverities' }) => {
    const record = useRecordContext();
    const name = useName();
    return <span>{name((facts()[list] as any[]).find((s) => s.code === record?.severity))}</span>;
};
const Overdue = () => {
    const record = useRecordContext();
    const translate = useTranslate();
    return record?.overdue ? <Chip size="small" color="error" label={translate('app.safety.overdue')} /> : null;
};

const FindingList = () => {
    const { permissions: level } = usePermissions();
    return (
        <List sort={{ field: 'deadline', order: 'ASC' }} filters={[<SelectInput key="state" source="state" choices={stateChoices('safety-findings.state')} alwaysOn />]}>
            <Datagrid rowClick="show" bulkActionButtons={false}>
                {level !== 'institution' && <TextField source="kindergartenName" />}
                <FunctionField source="itemKey" render={() => <ItemName />} />
                <FunctionField source="severity" render={() => <SeverityName />} />
                <TextField source="description" />
                <SelectField source="state" choices={stateChoices('safety-findings.state')} />
                <DateField source="deadline" locales="zh-CN" emptyText="—" />
                <FunctionField label="app.safety.overdue" render={() => <Overdue />} />
            </Datagrid>
        </List>
    );
};

/** A dialog asking for a text, then POSTing `{ data }` built from it (the engine's moves). */
const MoveButton = ({ label, field, post, withPhotos }: { label: string; field: string; post: (text: string) => { url: string; data: Record<string, unknown> }; withPhotos?: boolean }) => {
    const record = useRecordContext();
    const translate = useTranslate();
    const notify = useNotify();
    const refresh = useRefresh();
    const [open, setOpen] = useState(false);
    const [text, setText] = useState('');
    const [files, setFiles] = useState<FileList | null>(null);
    const [error, setError] = useState<string | null>(null);
    if (!record) return null;
    const submit = async () => {
        try {
            if (withPhotos && files?.length) {
                const form = new FormData();
                form.append('purpose', 'rectification');
                for (const file of Array.from(files)) form.append('files', file);
                await httpClient(`/api/safety-findings/${record.id}/photos`, { method: 'POST', body: form });
            }
            const { url, data } = post(text);
            await httpClient(url, { method: 'POST', body: JSON.stringify({ data }) });
            setOpen(false);
            notify('app.safety.done', { type: 'success' });
            refresh();
        } catch (failure: any) {
            setError(failure?.body?.errors?.[field] ?? failure?.body?.errors?.rectificationPhotos ?? failure?.body?.errors?.files ?? failure.message);
        }
    };
    return (
        <>
            <Button label={label} onClick={() => setOpen(true)} />
            <Dialog open={open} onClose={() => setOpen(false)} maxWidth="sm" fullWidth>
                <DialogTitle>{translate(label)}</DialogTitle>
                <DialogContent sx={{ display: 'grid', gap: 2, pt: '8px !important' }}>
                    <MuiTextField name={field} multiline minRows={3} label={translate(`app.safety.fields.${field}`)} value={text} onChange={(e) => setText(e.target.value)} error={Boolean(error)} helperText={error ?? ' '} />
                    {withPhotos && (
                        <Box>
                            <Typography variant="body2">{translate('app.safety.photos_help')}</Typography>
                            <input type="file" name="files" accept="image/*" multiple onChange={(e) => setFiles(e.target.files)} />
                        </Box>
                    )}
                </DialogContent>
                <DialogActions>
                    <MuiButton onClick={() => setOpen(false)}>{translate('ra.action.cancel')}</MuiButton>
                    <MuiButton variant="contained" onClick={submit}>{translate('ra.action.confirm')}</MuiButton>
                </DialogActions>
            </Dialog>
        </>
    );
};

const FindingActions = () => {
    const record = useRecordContext();
    const may = (action: string) => Array.isArray(record?.actions) && record.actions.includes(action);
    if (!record) return <TopToolbar />;
    return (
        <TopToolbar>
            {may('rectify') && <MoveButton label="app.safety.actions.rectify" field="rectification" withPhotos post={(text) => ({ url: `/api/safety-findings/${record.id}/rectify`, data: { rectification: text } })} />}
            {may('verify') && <MoveButton label="app.safety.actions.verify" field="comment" post={(text) => ({ url: `/api/safety-findings/${record.id}/review`, data: { decision: 'verify', comment: text } })} />}
            {may('return') && <MoveButton label="app.safety.actions.return" field="comment" post={(text) => ({ url: `/api/safety-findings/${record.id}/review`, data: { decision: 'return', comment: text } })} />}
        </TopToolbar>
    );
};

const Photos = ({ source }: { source: string }) => {
    const record = useRecordContext();
    const list: any[] = record?.[source] ?? [];
    if (!list.length) return <span>—</span>;
    return <Box sx={{ display: 'flex', gap: 1 }}>{list.map((photo) => <a key={photo.id} href={photo.url} target="_blank" rel="noreferrer"><img src={photo.url} alt={photo.name} style={{ height: 80 }} /></a>)}</Box>;
};

const FindingShow = () => (
    <Show actions={<FindingActions />}>
        <SimpleShowLayout>
            <TextField source="kindergartenName" />
            <FunctionField source="itemKey" render={() => <ItemName />} />
            <FunctionField source="severity" render={() => <SeverityName />} />
            <TextField source="description" />
            <FunctionField source="photos" render={() => <Photos source="photos" />} />
            <SelectField source="state" choices={stateChoices('safety-findings.state')} />
            <DateField source="deadline" locales="zh-CN" emptyText="—" />
            <FunctionField label="app.safety.overdue" render={() => <Overdue />} />
            <TextField source="rectification" emptyText="—" />
            <FunctionField source="rectificationPhotos" render={() => <Photos source="rectificationPhotos" />} />
            <TextField source="reviewComment" emptyText="—" />
            <TextField source="reviewedByName" emptyText="—" />
        </SimpleShowLayout>
    </Show>
);

export const safetyFindings = { list: FindingList, show: FindingShow, icon: BuildIcon, recordRepresentation: 'description' };

/* ─────────────── incidents ─────────────── */

const TypeName = () => {
    const record = useRecordContext();
    const name = useName();
    return <span>{name(facts().incidentTypes.find((t) => t.code === record?.type))}</span>;
};
const Late = () => {
    const record = useRecordContext();
    const translate = useTranslate();
    return record?.late ? <Chip size="small" color="warning" label={translate('app.safety.late')} /> : null;
};

const IncidentList = () => {
    const { permissions: level } = usePermissions();
    return (
        <List sort={{ field: 'occurredAt', order: 'DESC' }} filters={[<SelectInput key="state" source="state" choices={stateChoices('incidents.state')} alwaysOn />]} actions={<ImportListActions record="incidents" />}>
            <Datagrid rowClick="show" bulkActionButtons={false}>
                {level !== 'institution' && <TextField source="kindergartenName" />}
                <DateField source="occurredAt" showTime locales="zh-CN" />
                <FunctionField source="type" render={() => <TypeName />} />
                <FunctionField source="severity" render={() => <SeverityName list="incidentSeverities" />} />
                <NumberField source="injured" />
                <SelectField source="state" choices={stateChoices('incidents.state')} />
                <FunctionField label="app.safety.late" render={() => <Late />} />
            </Datagrid>
        </List>
    );
};

const IncidentActions = () => {
    const record = useRecordContext();
    const may = (action: string) => Array.isArray(record?.actions) && record.actions.includes(action);
    if (!record) return <TopToolbar />;
    return (
        <TopToolbar>
            {may('review') && <MoveButton label="app.safety.actions.approve" field="comment" post={(text) => ({ url: `/api/incidents/${record.id}/review`, data: { decision: 'approve', comment: text } })} />}
            {may('return') && <MoveButton label="app.safety.actions.return_incident" field="comment" post={(text) => ({ url: `/api/incidents/${record.id}/review`, data: { decision: 'return', comment: text } })} />}
            {may('resubmit') && <MoveButton label="app.safety.actions.resubmit" field="measures" post={(text) => ({ url: `/api/incidents/${record.id}/resubmit`, data: text ? { measures: text } : {} })} />}
        </TopToolbar>
    );
};

const IncidentShow = () => (
    <Show actions={<IncidentActions />}>
        <SimpleShowLayout>
            <TextField source="kindergartenName" />
            <DateField source="occurredAt" showTime locales="zh-CN" />
            <DateField source="reportedAt" showTime locales="zh-CN" />
            <FunctionField label="app.safety.late" render={() => <Late />} />
            <FunctionField source="type" render={() => <TypeName />} />
            <FunctionField source="severity" render={() => <SeverityName list="incidentSeverities" />} />
            <TextField source="place" emptyText="—" />
            <TextField source="description" />
            <NumberField source="injured" />
            <TextField source="measures" emptyText="—" />
            <SelectField source="state" choices={stateChoices('incidents.state')} />
            <TextField source="reviewComment" emptyText="—" />
            <CustomFieldValues entity="incident" />
        </SimpleShowLayout>
    </Show>
);

const IncidentCreate = () => {
    const name = useName();
    const translate = useTranslate();
    return (
        <Create redirect="show">
            <SimpleForm>
                <Alert severity="info">{translate('app.safety.report_within', { hours: facts().reportWithinHours })}</Alert>
                <DateTimeInput source="occurredAt" validate={required()} />
                <SelectInput source="type" choices={choicesOf(facts().incidentTypes, name)} validate={required()} />
                <SelectInput source="severity" choices={choicesOf(facts().incidentSeverities, name)} validate={required()} />
                <TextInput source="place" fullWidth />
                <TextInput source="description" validate={required()} fullWidth multiline />
                <NumberInput source="injured" validate={minValue(0)} defaultValue={0} />
                <TextInput source="measures" fullWidth multiline />
                <CustomFieldInputs entity="incident" />
            </SimpleForm>
        </Create>
    );
};

export const incidents = { list: IncidentList, show: IncidentShow, create: IncidentCreate, icon: ReportIcon, recordRepresentation: 'description' };

/* ─────────────── toys and books ─────────────── */

const InventoryList = () => {
    const { permissions: level } = usePermissions();
    return (
        <List sort={{ field: 'schoolYear', order: 'DESC' }}>
            <Datagrid rowClick={level === 'institution' ? 'edit' : false} bulkActionButtons={false}>
                {level !== 'institution' && <TextField source="kindergartenName" />}
                <TextField source="schoolYear" />
                <NumberField source="books" />
                {facts().toyCategories.map((c) => <FunctionField key={c.key} label={c.name} render={(r: any) => r?.toys?.[c.key] ?? 0} />)}
            </Datagrid>
        </List>
    );
};

const InventoryFields = ({ creating }: { creating?: boolean }) => {
    const name = useName();
    return (
        <>
            <TextInput source="schoolYear" validate={required()} disabled={!creating} helperText="app.safety.school_year_help" />
            <NumberInput source="books" validate={[required(), minValue(0)]} />
            {facts().toyCategories.map((c) => <NumberInput key={c.key} source={`toys.${c.key}`} label={`${name(c)}（${c.unit}）`} validate={minValue(0)} />)}
            <TextInput source="notes" fullWidth multiline />
        </>
    );
};
const pickInventory = ({ schoolYear, books, toys, notes }: Record<string, any>) => ({ schoolYear, books, toys, notes });
const InventoryCreate = () => <Create redirect="list" transform={pickInventory}><SimpleForm><InventoryFields creating /></SimpleForm></Create>;
const InventoryEdit = () => <Edit mutationMode="pessimistic" transform={({ books, toys, notes }: Record<string, any>) => ({ books, toys, notes })}><SimpleForm><InventoryFields /></SimpleForm></Edit>;

export const resourceInventories = { list: InventoryList, create: InventoryCreate, edit: InventoryEdit, icon: MenuBookIcon, recordRepresentation: 'schoolYear' };

/** 配备缺口: per county the sums, per kindergarten each line (GET /api/resource-inventories/shortfalls). */
export const ResourceShortfalls = () => {
    const translate = useTranslate();
    const { data } = useApi<any>('/api/resource-inventories/shortfalls');
    return (
        <Box sx={{ p: 2 }}>
            <Title title="app.safety.shortfalls.title" />
            <Typography variant="h6">{translate('app.safety.shortfalls.title')} {data?.schoolYear ?? ''}</Typography>
            <Table size="small">
                <TableHead>
                    <TableRow>
                        <TableCell>{translate('app.safety.shortfalls.county')}</TableCell>
                        <TableCell>{translate('app.safety.shortfalls.kindergartens')}</TableCell>
                        <TableCell>{translate('app.safety.shortfalls.reported')}</TableCell>
                        <TableCell>{translate('app.safety.shortfalls.flagged')}</TableCell>
                        <TableCell>{translate('app.safety.shortfalls.children')}</TableCell>
                        <TableCell>{translate('app.safety.shortfalls.books_short')}</TableCell>
                    </TableRow>
                </TableHead>
                <TableBody>
                    {(data?.counties ?? []).map((c: any) => (
                        <TableRow key={c.countyCode}>
                            <TableCell>{c.countyName}</TableCell>
                            <TableCell>{c.kindergartens}</TableCell>
                            <TableCell>{c.reported}</TableCell>
                            <TableCell>{c.flagged}</TableCell>
                            <TableCell>{c.children}</TableCell>
                            <TableCell>{c.lines?.books?.shortfall ?? 0}</TableCell>
                        </TableRow>
                    ))}
                </TableBody>
            </Table>
            <Typography variant="subtitle1" sx={{ mt: 2 }}>{translate('app.safety.shortfalls.flagged_list')}</Typography>
            <Table size="small">
                <TableBody>
                    {(data?.kindergartens ?? []).filter((k: any) => k.flagged).map((k: any) => (
                        <TableRow key={k.code}>
                            <TableCell>{k.name}</TableCell>
                            <TableCell>{k.reported ? k.lines.filter((l: any) => l.shortfall > 0).map((l: any) => `${l.name} ${translate('app.safety.shortfalls.short')} ${l.shortfall}${l.unit}`).join('；') : translate('app.safety.shortfalls.not_reported')}</TableCell>
                        </TableRow>
                    ))}
                </TableBody>
            </Table>
        </Box>
    );
};
