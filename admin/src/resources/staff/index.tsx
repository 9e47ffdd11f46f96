import BadgeIcon from '@mui/icons-material/Badge';
import { useState } from 'react';
import { Alert, Button, Card, CardContent, Dialog, DialogActions, DialogContent, DialogTitle, Table, TableBody, TableCell, TableHead, TableRow, TextField as MuiTextField, Typography } from '@mui/material';
import {
    Create, Datagrid, DateField, DateInput, Edit, EditButton, FunctionField, List, SelectField, SelectInput, Show, SimpleForm, SimpleShowLayout,
    TextField, TextInput, TopToolbar, required, useGetList, useNotify, usePermissions, useRecordContext, useTranslate,
} from 'react-admin';
import { httpClient } from '../../providers/http';
import { useDictionaries } from '../children/useDictionaries';
import { CustomFieldInputs, useCustomColumns, useCustomFilters } from '../../components/CustomFieldInputs';
import { ExportListActions } from '../imports';
import { ListPagination } from '../../components/ListPagination';

/** The editable fields of a staff record (the server sets kindergarten, county, masked number and key). */
const FIELDS = ['name', 'post', 'idType', 'idNumber', 'sex', 'birthDate', 'ethnicity', 'degree', 'major', 'certificateType', 'certificateNumber', 'title', 'establishment', 'hiredOn', 'employmentStatus', 'phone', 'customFields'];
const pick = (data: Record<string, any>) => Object.fromEntries(FIELDS.filter((f) => f in data).map((f) => [f, data[f] === '' ? null : data[f]]));
const sexChoices = [{ id: 'male', name: '男' }, { id: 'female', name: '女' }];

const StaffFilters = () => {
    const codes = useDictionaries();
    const customFilters = useCustomFilters('staff');
    return [
        <TextInput key="q" source="name_containsi" alwaysOn />,
        <SelectInput key="post" source="post" choices={codes('staffPost')} />,
        <SelectInput key="status" source="employmentStatus" choices={codes('employmentStatus')} />,
        ...customFilters,
    ];
};

export const StaffList = () => {
    const codes = useDictionaries();
    const { permissions: level } = usePermissions();
    const customColumns = useCustomColumns('staff');
    const filters = StaffFilters();
    return (
        <List filters={filters} sort={{ field: 'name', order: 'ASC' }} pagination={<ListPagination />} actions={<ExportListActions path="/api/staff-export" fileName="教职工" />}>
            <Datagrid rowClick="show" bulkActionButtons={false}>
                <TextField source="name" />
                <SelectField source="post" choices={codes('staffPost')} />
                <TextField source="idNumberMasked" />
                <SelectField source="degree" choices={codes('degree')} />
                <SelectField source="title" choices={codes('staffTitle')} />
                <SelectField source="certificateType" choices={codes('teacherCertificate')} emptyText="—" />
                <SelectField source="establishment" choices={codes('establishment')} />
                <SelectField source="employmentStatus" choices={codes('employmentStatus')} />
                {level !== 'institution' && <TextField source="institutionCode" />}
                {customColumns}
            </Datagrid>
        </List>
    );
};

const StaffForm = () => {
    const codes = useDictionaries();
    return (
        <SimpleForm sx={{ maxWidth: 720 }} defaultValues={{ idType: '1', employmentStatus: 'active' }}>
            <TextInput source="name" validate={required()} fullWidth />
            <SelectInput source="post" choices={codes('staffPost')} validate={required()} fullWidth />
            <SelectInput source="idType" choices={codes('idType')} validate={required()} fullWidth />
            <TextInput source="idNumber" validate={required()} fullWidth />
            <SelectInput source="sex" choices={sexChoices} fullWidth />
            <DateInput source="birthDate" fullWidth />
            <SelectInput source="ethnicity" choices={codes('ethnicity')} fullWidth />
            <SelectInput source="degree" choices={codes('degree')} fullWidth />
            <TextInput source="major" fullWidth />
            <SelectInput source="certificateType" choices={codes('teacherCertificate')} fullWidth />
            <TextInput source="certificateNumber" fullWidth />
            <SelectInput source="title" choices={codes('staffTitle')} fullWidth />
            <SelectInput source="establishment" choices={codes('establishment')} fullWidth />
            <DateInput source="hiredOn" fullWidth />
            <SelectInput source="employmentStatus" choices={codes('employmentStatus')} fullWidth />
            <TextInput source="phone" fullWidth />
            <CustomFieldInputs entity="staff" />
        </SimpleForm>
    );
};

export const StaffCreate = () => (
    <Create redirect="show" transform={pick}>
        <StaffForm />
    </Create>
);

export const StaffEdit = () => (
    <Edit mutationMode="pessimistic" redirect="show" transform={pick}>
        <StaffForm />
    </Edit>
);

/** The staff member's training history (training-records of this person). */
export const Trainings = ({ staffId }: { staffId: string }) => {
    const translate = useTranslate();
    const { data = [] } = useGetList('training-records', { filter: { staff: { documentId: staffId } }, sort: { field: 'startDate', order: 'DESC' }, pagination: { page: 1, perPage: 100 } });
    return (
        <Table size="small">
            <TableHead><TableRow>
                {['course', 'hours', 'credits', 'startDate', 'endDate', 'provider'].map((f) => <TableCell key={f}>{translate(`resources.training-records.fields.${f}`)}</TableCell>)}
            </TableRow></TableHead>
            <TableBody>
                {data.map((t: any) => (
                    <TableRow key={t.id}><TableCell>{t.course}</TableCell><TableCell>{t.hours}</TableCell><TableCell>{t.credits ?? '—'}</TableCell><TableCell>{t.startDate}</TableCell><TableCell>{t.endDate}</TableCell><TableCell>{t.provider ?? '—'}</TableCell></TableRow>
                ))}
                {data.length === 0 && <TableRow><TableCell colSpan={6}>{translate('app.funds.my.none')}</TableCell></TableRow>}
            </TableBody>
        </Table>
    );
};

const ShowTrainings = () => {
    const record = useRecordContext();
    const translate = useTranslate();
    return record ? (
        <Card variant="outlined" sx={{ mt: 2 }}><CardContent>
            <Typography variant="h6">{translate('app.funds.my.trainings')}</Typography>
            <Trainings staffId={String(record.id)} />
        </CardContent></Card>
    ) : null;
};

/** 开通教师账号: the kindergarten opens the staff member's own account; the temporary password is shown once. */
const TeacherAccountButton = () => {
    const record = useRecordContext();
    const translate = useTranslate();
    const notify = useNotify();
    const [open, setOpen] = useState(false);
    const [username, setUsername] = useState('');
    const [created, setCreated] = useState<{ username: string; temporaryPassword: string } | null>(null);
    if (!record) return null;
    const save = async () => {
        try {
            const { json } = await httpClient(`/api/staff-members/${record.id}/teacher-account`, { method: 'POST', body: JSON.stringify({ data: { username } }) });
            setCreated(json.data);
        } catch (e: any) {
            notify(e?.message ?? 'ra.notification.http_error', { type: 'error' });
        }
    };
    return (
        <>
            <Button size="small" onClick={() => setOpen(true)}>{translate('app.funds.my.open_account')}</Button>
            <Dialog open={open} onClose={() => { setOpen(false); setCreated(null); }}>
                <DialogTitle>{translate('app.funds.my.open_account')} · {record.name}</DialogTitle>
                <DialogContent sx={{ pt: '8px !important', minWidth: 360 }}>
                    {created ? (
                        <Alert severity="success">{translate('app.funds.my.account_created', { username: created.username, password: created.temporaryPassword })}</Alert>
                    ) : (
                        <MuiTextField size="small" fullWidth label={translate('app.funds.my.username')} value={username} onChange={(e) => setUsername(e.target.value.trim())} />
                    )}
                </DialogContent>
                <DialogActions>
                    <Button onClick={() => { setOpen(false); setCreated(null); }}>{translate('ra.action.close')}</Button>
                    {!created && <Button variant="contained" onClick={save} disabled={username.length < 3}>{translate('ra.action.save')}</Button>}
                </DialogActions>
            </Dialog>
        </>
    );
};

const ShowActions = () => {
    const { permissions: level } = usePermissions();
    return <TopToolbar>{level === 'institution' && <><TeacherAccountButton /><EditButton /></>}</TopToolbar>;
};

export const StaffShow = () => {
    const codes = useDictionaries();
    return (
        <Show actions={<ShowActions />}>
            <SimpleShowLayout>
                <TextField source="name" />
                <SelectField source="post" choices={codes('staffPost')} />
                <FunctionField source="idNumber" render={(r: any) => r.idNumber ?? r.idNumberMasked ?? '—'} />
                <SelectField source="sex" choices={sexChoices} />
                <DateField source="birthDate" />
                <SelectField source="degree" choices={codes('degree')} />
                <TextField source="major" emptyText="—" />
                <SelectField source="certificateType" choices={codes('teacherCertificate')} emptyText="—" />
                <TextField source="certificateNumber" emptyText="—" />
                <SelectField source="title" choices={codes('staffTitle')} />
                <SelectField source="establishment" choices={codes('establishment')} />
                <DateField source="hiredOn" />
                <SelectField source="employmentStatus" choices={codes('employmentStatus')} />
                <TextField source="institutionCode" />
                <ShowTrainings />
            </SimpleShowLayout>
        </Show>
    );
};

export default { list: StaffList, show: StaffShow, icon: BadgeIcon, recordRepresentation: 'name' };
export { StaffingCheck, StaffAnalysis, MyStaff } from './pages';
