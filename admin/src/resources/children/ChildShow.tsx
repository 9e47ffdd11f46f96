import PrintIcon from '@mui/icons-material/Print';
import ReportProblemIcon from '@mui/icons-material/ReportProblem';
import { useState } from 'react';
import { Button as MuiButton, Dialog, DialogActions, DialogContent, DialogTitle, MenuItem, TextField as MuiTextField } from '@mui/material';
import {
    ArrayField, Button, Datagrid, DateField, EditButton, Labeled, SelectField, Show, Tab, TabbedShowLayout, TabbedShowLayoutTabs, TextField, TopToolbar,
    useNotify, usePermissions, useRecordContext, useRedirect, useTranslate,
} from 'react-admin';
import { getToken } from '../../providers/session';
import { httpClient } from '../../providers/http';
import { useDictionaries } from './useDictionaries';
import { RegisterButton } from './RegisterButton';
import { CustomFieldValues } from '../../components/CustomFieldInputs';
import { RegionField } from '../../components/RegionField';
import { YesNoField } from '../../components/YesNoField';
import { sexChoices, statusChoices } from './choices';
import { ChildHealthTab } from '../health';

/** 打印确认表: the server's A4 学前教育学籍基础信息确认表, opened for printing (the token stays out of the URL). */
export const PrintConfirmationButton = ({ path, label = 'resources.children.actions.print' }: { path: string; label?: string }) => {
    const notify = useNotify();
    const print = async (event?: React.MouseEvent) => {
        event?.stopPropagation();
        const popup = window.open('', '_blank');
        try {
            const response = await fetch(path, { headers: { Authorization: `Bearer ${getToken()}` } });
            if (!response.ok) throw new Error((await response.json().catch(() => ({})))?.error?.message || response.statusText);
            const html = await response.text();
            if (popup) {
                popup.document.open();
                popup.document.write(html);
                popup.document.close();
                popup.focus();
            }
        } catch (error: any) {
            popup?.close();
            notify(error.message, { type: 'error' });
        }
    };
    return <Button label={label} onClick={print}><PrintIcon /></Button>;
};

const problemKinds = ['wrong-id', 'duplicate-with-id', 'duplicate-without-id'];

/** 标记问题学籍: the county opens a problem record on a child of its county, for the kindergarten to resolve. */
const OpenProblemButton = () => {
    const record = useRecordContext();
    const translate = useTranslate();
    const notify = useNotify();
    const redirect = useRedirect();
    const [open, setOpen] = useState(false);
    const [kind, setKind] = useState('wrong-id');
    const [description, setDescription] = useState('');
    if (!record) return null;
    const submit = async () => {
        try {
            const { json } = await httpClient('/api/problem-records', { method: 'POST', body: JSON.stringify({ data: { child: record.id, kind, description } }) });
            setOpen(false);
            notify('resources.problem-records.opened', { type: 'success' });
            redirect('show', 'problem-records', json.data.documentId);
        } catch (error: any) {
            notify(error.message, { type: 'error' });
        }
    };
    return (
        <>
            <Button label="resources.children.actions.open_problem" onClick={() => setOpen(true)}><ReportProblemIcon /></Button>
            <Dialog open={open} onClose={() => setOpen(false)} maxWidth="sm" fullWidth>
                <DialogTitle>{translate('resources.children.actions.open_problem')}</DialogTitle>
                <DialogContent sx={{ display: 'grid', gap: 2, pt: '8px !important' }}>
                    <MuiTextField select label={translate('resources.problem-records.fields.kind')} value={kind} onChange={(e) => setKind(e.target.value)}>
                        {problemKinds.map((id) => <MenuItem key={id} value={id}>{translate(`resources.problem-records.kind.${id}`)}</MenuItem>)}
                    </MuiTextField>
                    <MuiTextField multiline minRows={3} label={translate('resources.problem-records.fields.description')} value={description} onChange={(e) => setDescription(e.target.value)} />
                </DialogContent>
                <DialogActions>
                    <MuiButton onClick={() => setOpen(false)}>{translate('ra.action.cancel')}</MuiButton>
                    <MuiButton variant="contained" onClick={submit}>{translate('ra.action.confirm')}</MuiButton>
                </DialogActions>
            </Dialog>
        </>
    );
};

const ShowActions = () => {
    const { permissions: level } = usePermissions();
    const record = useRecordContext();
    return (
        <TopToolbar>
            {level === 'institution' && <RegisterButton />}
            {level === 'institution' && <EditButton />}
            {level === 'county' && <OpenProblemButton />}
            {record && ['institution', 'county'].includes(level) && <PrintConfirmationButton path={`/api/children/${record.id}/confirmation`} />}
        </TopToolbar>
    );
};

/** A coded value shown by its name in the code table. */
const CodeField = ({ source, table }: { source: string; table: string; label?: string }) => {
    const dictionary = useDictionaries();
    return <SelectField source={source} choices={dictionary(table)} emptyText="—" />;
};

/** The full number where the server gave it (the child's kindergarten and county), else the masked one. */
const IdNumberField = (_props: { label?: string }) => {
    const record = useRecordContext();
    return <TextField source={record?.idNumber ? 'idNumber' : 'idNumberMasked'} emptyText="—" />;
};

/** The full 学籍号 where the server gave it (as for ID numbers), else the masked one. */
const StudentNumberField = (_props: { label?: string }) => {
    const record = useRecordContext();
    return <TextField source={record?.studentNumber ? 'studentNumber' : 'studentNumberMasked'} emptyText="—" />;
};

/**
 * One child's 学籍 record in tabs. The full ID number appears only for the child's kindergarten and
 * county (the server decides; other levels get the masked number).
 */
export const ChildShow = ({ extraTabs }: { extraTabs?: React.ReactNode }) => (
    <Show actions={<ShowActions />}>
        {/* tabs scroll sideways on a phone (English names are longer) rather than widening the page */}
        <TabbedShowLayout tabs={<TabbedShowLayoutTabs variant="scrollable" scrollButtons="auto" allowScrollButtonsMobile />}>
            <Tab label="resources.children.sections.identity">
                <TextField source="name" />
                <TextField source="formerName" emptyText="—" />
                <StudentNumberField label="resources.children.fields.studentNumber" />
                <SelectField source="status" choices={statusChoices()} />
                <SelectField source="sex" choices={sexChoices} />
                <DateField source="birthDate" locales="zh-CN" />
                <CodeField source="idType" table="idType" />
                <IdNumberField label="resources.children.fields.idNumber" />
                <CodeField source="ethnicity" table="ethnicity" />
                <CodeField source="nationality" table="nationality" />
                <CodeField source="overseasChinese" table="overseasChinese" />
                <CodeField source="health" table="health" />
                <RegionField source="birthPlace" />
                <RegionField source="nativePlace" />
            </Tab>
            <Tab label="resources.children.sections.household" path="household">
                <RegionField source="householdRegion" />
                <CodeField source="householdType" table="householdType" />
                <TextField source="address" />
                <TextField source="phone" />
                <DateField source="enrolledOn" locales="zh-CN" />
                <CodeField source="enrollmentMode" table="enrollmentMode" />
                <YesNoField source="onlyChild" />
                <CodeField source="leftBehind" table="leftBehind" />
                <YesNoField source="migrant" />
                <YesNoField source="orphan" />
                <YesNoField source="martyrChild" />
                <YesNoField source="disabled" />
                <CodeField source="disabilityType" table="disability" />
                <YesNoField source="needsAid" />
                <CustomFieldValues entity="child" />
            </Tab>
            <Tab label="resources.children.sections.guardians" path="guardians">
                <Labeled label="resources.children.fields.guardians" fullWidth>
                    <ArrayField source="guardians">
                        <Datagrid bulkActionButtons={false} rowClick={false}>
                            <TextField source="name" label="resources.children.fields.name" />
                            <CodeField source="relation" table="guardianRelation" label="resources.children.fields.relation" />
                            <IdNumberField label="resources.children.fields.idNumber" />
                            <TextField source="phone" label="resources.children.fields.phone" emptyText="—" />
                        </Datagrid>
                    </ArrayField>
                </Labeled>
            </Tab>
            <Tab label="app.health.tab" path="health">
                <ChildHealthTab />
            </Tab>
            {extraTabs}
        </TabbedShowLayout>
    </Show>
);
