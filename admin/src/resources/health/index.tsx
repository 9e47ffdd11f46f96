import HealthAndSafetyIcon from '@mui/icons-material/HealthAndSafety';
import VaccinesIcon from '@mui/icons-material/Vaccines';
import MedicalInformationIcon from '@mui/icons-material/MedicalInformation';
import { Chip, Stack, Typography } from '@mui/material';
import {
    AutocompleteInput, BooleanField, BooleanInput, Create, CreateButton, Datagrid, DateField, DateInput, Edit, List, ListContextProvider, NumberField, NumberInput,
    Link, ReferenceInput, SelectField, SelectInput, Show, SimpleForm, SimpleShowLayout, TextField, TextInput, TopToolbar, required, useCanAccess, useResourceDefinition,
    useGetList, useList, usePermissions, useRecordContext, useTranslate,
} from 'react-admin';
import { useDictionaries } from '../children/useDictionaries';
import { ExportListActions } from '../imports';
import { ImportButtons } from '../imports/ImportButtons';
import { CustomFieldInputs, CustomFieldValues } from '../../components/CustomFieldInputs';

/**
 * 卫生保健 (docs/health.md): health checks, vaccination certificate checks, allergies and chronic
 * conditions. Codes come from GET /api/dictionaries; growth figures and flags are computed by the
 * server at save and only shown here; who may read or write what is the server's answer (GET /api/me).
 */

const CHECK_FIELDS = ['checkType', 'checkDate', 'checkedBy', 'heightCm', 'weightKg', 'visionLeft', 'visionRight', 'haemoglobin', 'conclusion', 'customFields'];
const VACCINATION_FIELDS = ['checkDate', 'status', 'vaccinesToComplete', 'completedOn', 'note'];
const CONDITION_FIELDS = ['conditionType', 'description', 'since', 'careInstructions', 'active'];
const picker = (fields: string[]) => (data: Record<string, any>) => ({
    ...Object.fromEntries(fields.filter((f) => f in data).map((f) => [f, data[f] === '' ? null : data[f]])),
    ...(data.child ? { child: typeof data.child === 'object' ? data.child.id : data.child } : {}),
});

const CodeSelect = ({ source, table, ...rest }: { source: string; table: string; validate?: any; alwaysOn?: boolean; label?: string }) => {
    const dictionary = useDictionaries();
    return <SelectInput source={source} choices={dictionary(table)} fullWidth {...rest} />;
};
const CodeField = ({ source, table }: { source: string; table: string; label?: string; sortable?: boolean }) => {
    const dictionary = useDictionaries();
    return <SelectField source={source} choices={dictionary(table)} emptyText="—" />;
};

/** 低体重 / 消瘦 / 超重 / 肥胖, as the server computed them (config/growth-standards.json). */
export const GrowthFlags = (_props: { label?: string }) => {
    const record = useRecordContext();
    const translate = useTranslate();
    const flags: string[] = Array.isArray(record?.growthFlags) ? record.growthFlags : [];
    if (!record) return null;
    if (record.bmiZ === null || record.bmiZ === undefined) return <Typography variant="body2">—</Typography>;
    if (!flags.length) return <Chip size="small" color="success" label={translate('app.health.flags.normal')} />;
    return (
        <Stack direction="row" spacing={0.5}>
            {flags.map((flag) => <Chip key={flag} size="small" color="warning" label={translate(`app.health.flags.${flag}`)} />)}
        </Stack>
    );
};

const ChildInput = () => (
    <ReferenceInput source="child" reference="children">
        <AutocompleteInput optionText="name" validate={required()} fullWidth />
    </ReferenceInput>
);
/** The child's name (the server populates it), linked to the child's page. */
const ChildName = (_props: { label?: string }) => {
    const record = useRecordContext();
    const child = record?.child;
    if (!child?.id) return <Typography variant="body2">—</Typography>;
    return <Link to={`/children/${child.id}/show/health`} onClick={(event: { stopPropagation: () => void }) => event.stopPropagation()}>{child.name}</Link>;
};

// —— 体检记录 ——
const CheckFields = () => (
    <>
        <CodeSelect source="checkType" table="healthCheckType" validate={required()} />
        <DateInput source="checkDate" validate={required()} fullWidth />
        <TextInput source="checkedBy" fullWidth />
        <Stack direction="row" spacing={2}>
            <NumberInput source="heightCm" step={0.1} />
            <NumberInput source="weightKg" step={0.1} />
        </Stack>
        <Stack direction="row" spacing={2}>
            <NumberInput source="visionLeft" step={0.1} />
            <NumberInput source="visionRight" step={0.1} />
            <NumberInput source="haemoglobin" />
        </Stack>
        <TextInput source="conclusion" multiline fullWidth />
        <CustomFieldInputs entity="healthCheck" />
    </>
);

const CheckColumns = ({ withChild = true }: { withChild?: boolean }) => [
    withChild ? <ChildName key="child" label="resources.child-health-checks.fields.child" /> : null,
    <CodeField key="type" source="checkType" table="healthCheckType" />,
    <DateField key="date" source="checkDate" locales="zh-CN" />,
    <NumberField key="h" source="heightCm" emptyText="—" />,
    <NumberField key="w" source="weightKg" emptyText="—" />,
    <NumberField key="bmi" source="bmi" emptyText="—" />,
    <NumberField key="z" source="bmiZ" emptyText="—" />,
    <GrowthFlags key="flags" label="resources.child-health-checks.fields.growthFlags" />,
].filter(Boolean);

const checkFilters = [
    <CodeSelect key="t" source="checkType" table="healthCheckType" alwaysOn label="resources.child-health-checks.fields.checkType" />,
    <SelectInput key="n" source="nutritionStatus" alwaysOn choices={['normal', 'thin', 'overweight', 'obese'].map((id) => ({ id, name: `app.health.flags.${id}` }))} />,
];

const CheckList = () => {
    const { permissions: level } = usePermissions();
    return (
        <List sort={{ field: 'checkDate', order: 'DESC' }} filters={checkFilters} actions={<ExportListActions path="/api/child-health-check-export" fileName="体检记录"><ImportButtons base="/api/health-import" record="checks" resource="child-health-checks" /></ExportListActions>}>
            <Datagrid rowClick={level === 'institution' ? 'edit' : 'show'} bulkActionButtons={false}>
                {CheckColumns({})}
                {level !== 'institution' && <TextField source="institutionCode" />}
            </Datagrid>
        </List>
    );
};
const CheckShow = () => (
    <Show>
        <SimpleShowLayout>
            <ChildName label="resources.child-health-checks.fields.child" />
            <CodeField source="checkType" table="healthCheckType" />
            <DateField source="checkDate" locales="zh-CN" />
            <TextField source="checkedBy" emptyText="—" />
            <NumberField source="heightCm" emptyText="—" />
            <NumberField source="weightKg" emptyText="—" />
            <NumberField source="visionLeft" emptyText="—" />
            <NumberField source="visionRight" emptyText="—" />
            <NumberField source="haemoglobin" emptyText="—" />
            <TextField source="conclusion" emptyText="—" />
            <NumberField source="ageMonths" emptyText="—" />
            <NumberField source="bmi" emptyText="—" />
            <NumberField source="bmiZ" emptyText="—" />
            <NumberField source="weightForAgeZ" emptyText="—" />
            <NumberField source="weightForHeightZ" emptyText="—" />
            <GrowthFlags label="resources.child-health-checks.fields.growthFlags" />
            <CustomFieldValues entity="healthCheck" />
        </SimpleShowLayout>
    </Show>
);
const CheckCreate = () => (
    <Create redirect="list" transform={picker(CHECK_FIELDS)}>
        <SimpleForm sx={{ maxWidth: 640 }}>
            <ChildInput />
            <CheckFields />
        </SimpleForm>
    </Create>
);
const CheckEdit = () => (
    <Edit mutationMode="pessimistic" redirect="show" transform={picker(CHECK_FIELDS)}>
        <SimpleForm sx={{ maxWidth: 640 }}>
            <ChildName label="resources.child-health-checks.fields.child" />
            <CheckFields />
        </SimpleForm>
    </Edit>
);
export const healthChecks = { list: CheckList, show: CheckShow, create: CheckCreate, edit: CheckEdit, icon: HealthAndSafetyIcon };

// —— 查验预防接种证 ——
const VaccinationFields = () => (
    <>
        <DateInput source="checkDate" validate={required()} fullWidth />
        <CodeSelect source="status" table="vaccinationStatus" validate={required()} />
        <TextInput source="vaccinesToComplete" fullWidth />
        <DateInput source="completedOn" fullWidth />
        <TextInput source="note" multiline fullWidth />
    </>
);
const VaccinationColumns = ({ withChild = true }: { withChild?: boolean }) => [
    withChild ? <ChildName key="child" label="resources.vaccination-checks.fields.child" /> : null,
    <DateField key="d" source="checkDate" locales="zh-CN" />,
    <CodeField key="s" source="status" table="vaccinationStatus" />,
    <TextField key="v" source="vaccinesToComplete" emptyText="—" />,
    <DateField key="c" source="completedOn" locales="zh-CN" emptyText="—" />,
].filter(Boolean);
/** Entry (where the resource has a create page) and the Excel import. */
const VaccinationActions = () => {
    const { hasCreate } = useResourceDefinition();
    return <TopToolbar>{hasCreate && <CreateButton />}<ImportButtons base="/api/health-import" record="vaccinations" resource="vaccination-checks" /></TopToolbar>;
};

const VaccinationList = () => {
    const { permissions: level } = usePermissions();
    return (
        <List sort={{ field: 'checkDate', order: 'DESC' }} filters={[<CodeSelect key="s" source="status" table="vaccinationStatus" alwaysOn label="resources.vaccination-checks.fields.status" />]} actions={<VaccinationActions />}>
            <Datagrid rowClick={level === 'institution' ? 'edit' : false} bulkActionButtons={false}>
                {VaccinationColumns({})}
                {level !== 'institution' && <TextField source="institutionCode" />}
            </Datagrid>
        </List>
    );
};
const VaccinationCreate = () => (
    <Create redirect="list" transform={picker(VACCINATION_FIELDS)}>
        <SimpleForm sx={{ maxWidth: 640 }}><ChildInput /><VaccinationFields /></SimpleForm>
    </Create>
);
const VaccinationEdit = () => (
    <Edit mutationMode="pessimistic" redirect="list" transform={picker(VACCINATION_FIELDS)}>
        <SimpleForm sx={{ maxWidth: 640 }}><ChildName label="resources.vaccination-checks.fields.child" /><VaccinationFields /></SimpleForm>
    </Edit>
);
export const vaccinationChecks = { list: VaccinationList, create: VaccinationCreate, edit: VaccinationEdit, icon: VaccinesIcon };

// —— 过敏与慢性病 (the kindergarten and its county only: the server refuses the others) ——
const ConditionFields = () => (
    <>
        <CodeSelect source="conditionType" table="healthConditionType" validate={required()} />
        <TextInput source="description" validate={required()} fullWidth />
        <DateInput source="since" fullWidth />
        <TextInput source="careInstructions" multiline fullWidth />
        <BooleanInput source="active" defaultValue />
    </>
);
const ConditionColumns = ({ withChild = true }: { withChild?: boolean }) => [
    withChild ? <ChildName key="child" label="resources.child-health-conditions.fields.child" /> : null,
    <CodeField key="t" source="conditionType" table="healthConditionType" />,
    <TextField key="d" source="description" />,
    <TextField key="c" source="careInstructions" emptyText="—" />,
    <BooleanField key="a" source="active" />,
].filter(Boolean);
const ConditionList = () => {
    const { permissions: level } = usePermissions();
    return (
        <List sort={{ field: 'createdAt', order: 'DESC' }}>
            <Datagrid rowClick={level === 'institution' ? 'edit' : false} bulkActionButtons={false}>
                {ConditionColumns({})}
                {level !== 'institution' && <TextField source="institutionCode" />}
            </Datagrid>
        </List>
    );
};
const ConditionCreate = () => (
    <Create redirect="list" transform={picker(CONDITION_FIELDS)}>
        <SimpleForm sx={{ maxWidth: 640 }}><ChildInput /><ConditionFields /></SimpleForm>
    </Create>
);
const ConditionEdit = () => (
    <Edit mutationMode="pessimistic" redirect="list" transform={picker(CONDITION_FIELDS)}>
        <SimpleForm sx={{ maxWidth: 640 }}><ChildName label="resources.child-health-conditions.fields.child" /><ConditionFields /></SimpleForm>
    </Edit>
);
export const healthConditions = { list: ConditionList, create: ConditionCreate, edit: ConditionEdit, icon: MedicalInformationIcon };

/** One child's records of a health resource, newest first, in the child's 卫生保健 tab. */
const ChildRecords = ({ resource, sort, columns }: { resource: string; sort: string; columns: JSX.Element[] }) => {
    const record = useRecordContext();
    const translate = useTranslate();
    const { canAccess: canCreate } = useCanAccess({ resource, action: 'create' });
    const { data, isPending } = useGetList(resource, { filter: { child: { id: record?.id } }, sort: { field: sort, order: 'DESC' }, pagination: { page: 1, perPage: 50 } }, { enabled: Boolean(record?.id) });
    const list = useList({ data: data ?? [], isPending, resource });
    return (
        <Stack spacing={1} sx={{ mb: 3 }} data-testid={`child-${resource}`}>
            <Stack direction="row" spacing={2} alignItems="center">
                <Typography variant="subtitle1">{translate(`resources.${resource}.name`)}</Typography>
                {canCreate && <CreateButton resource={resource} state={{ record: { child: record?.id } }} />}
            </Stack>
            <ListContextProvider value={list}>
                <Datagrid bulkActionButtons={false} rowClick={canCreate ? 'edit' : false} resource={resource} empty={<Typography variant="body2">{translate('app.health.none')}</Typography>}>
                    {columns}
                </Datagrid>
            </ListContextProvider>
        </Stack>
    );
};

/** The child's 卫生保健 tab: checks with growth flags, certificate checks, and — for those the server lets read them — conditions. */
export const ChildHealthTab = () => {
    const { canAccess: readsConditions } = useCanAccess({ resource: 'child-health-conditions', action: 'list' });
    const { canAccess: readsChecks } = useCanAccess({ resource: 'child-health-checks', action: 'list' });
    if (!readsChecks) return null;
    return (
        <Stack>
            <ChildRecords resource="child-health-checks" sort="checkDate" columns={CheckColumns({ withChild: false }) as JSX.Element[]} />
            <ChildRecords resource="vaccination-checks" sort="checkDate" columns={VaccinationColumns({ withChild: false }) as JSX.Element[]} />
            {readsConditions && <ChildRecords resource="child-health-conditions" sort="createdAt" columns={ConditionColumns({ withChild: false }) as JSX.Element[]} />}
        </Stack>
    );
};
