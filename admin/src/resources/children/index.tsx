import ChildCareIcon from '@mui/icons-material/ChildCare';
import {
    ArrayInput, BooleanField, BooleanInput, Create, Datagrid, DateField, DateInput, List, NullableBooleanInput,
    ReferenceInput, SelectField, SelectInput, Show, SimpleForm, TopToolbar, usePermissions, SimpleFormIterator, SimpleShowLayout, TextField, TextInput,
    required,
} from 'react-admin';
import { useDictionaries } from './useDictionaries';
import { DuplicateCheck } from './DuplicateCheck';
import { RegisterButton } from './RegisterButton';

const sexChoices = [{ id: 'male', name: 'resources.children.sex.male' }, { id: 'female', name: 'resources.children.sex.female' }];
const statusChoices = ['draft', 'registered', 'left', 'graduated'].map((id) => ({ id, name: `resources.children.status.${id}` }));

/** Children's 学籍 records: ID numbers masked in the list, filters by class, status and flags. */
const ChildList = () => {
    const dictionary = useDictionaries();
    const filters = [
        <TextInput key="q" source="q" alwaysOn />,
        <ReferenceInput key="class" source="schoolClass.documentId" reference="school-classes"><SelectInput optionText="name" label="resources.children.fields.schoolClass" /></ReferenceInput>,
        <SelectInput key="status" source="status" choices={statusChoices} />,
        <SelectInput key="leftBehind" source="leftBehind" choices={dictionary('leftBehind')} />,
        <NullableBooleanInput key="migrant" source="migrant" />,
        <NullableBooleanInput key="disabled" source="disabled" />,
        <NullableBooleanInput key="needsAid" source="needsAid" />,
    ];
    return (
        <List filters={filters} sort={{ field: 'name', order: 'ASC' }}>
            <Datagrid rowClick="show" bulkActionButtons={false}>
                <TextField source="name" />
                <SelectField source="sex" choices={sexChoices} />
                <DateField source="birthDate" locales="zh-CN" />
                <TextField source="idNumberMasked" />
                <TextField source="studentNumber" emptyText="—" />
                <SelectField source="status" choices={statusChoices} />
                <BooleanField source="needsAid" />
            </Datagrid>
        </List>
    );
};

const ShowActions = () => {
    const { permissions: level } = usePermissions();
    return <TopToolbar>{level === 'institution' && <RegisterButton />}</TopToolbar>;
};

const ChildShow = () => (
    <Show actions={<ShowActions />}>
        <SimpleShowLayout>
            <TextField source="name" />
            <SelectField source="sex" choices={sexChoices} />
            <DateField source="birthDate" locales="zh-CN" />
            <TextField source="idNumber" emptyText="—" />
            <TextField source="idNumberMasked" emptyText="—" />
            <TextField source="studentNumber" emptyText="—" />
            <SelectField source="status" choices={statusChoices} />
            <TextField source="address" />
            <TextField source="phone" />
        </SimpleShowLayout>
    </Show>
);

/** A kindergarten enters a child: code-table pickers, the ID fills sex and birth date, duplicates show inline. */
const ChildCreate = () => {
    const dictionary = useDictionaries();
    const picker = (source: string, table: string, validate = true) => (
        <SelectInput source={source} choices={dictionary(table)} validate={validate ? required() : undefined} />
    );
    return (
        <Create redirect="show">
            <SimpleForm defaultValues={{ idType: '1', nationality: '156', ethnicity: '01', overseasChinese: '00', health: '10', enrollmentMode: '1', leftBehind: '0', onlyChild: false }}>
                <TextInput source="name" validate={required()} />
                {picker('idType', 'idType')}
                <TextInput source="idNumber" />
                <DuplicateCheck />
                <SelectInput source="sex" choices={sexChoices} validate={required()} />
                <DateInput source="birthDate" validate={required()} />
                <TextInput source="birthPlace" validate={required()} helperText="resources.children.region_help" />
                <TextInput source="nativePlace" validate={required()} />
                {picker('ethnicity', 'ethnicity')}
                {picker('nationality', 'nationality')}
                {picker('overseasChinese', 'overseasChinese')}
                {picker('health', 'health')}
                {picker('bloodType', 'bloodType', false)}
                <TextInput source="householdRegion" validate={required()} helperText="resources.children.region_help" />
                {picker('householdType', 'householdType')}
                <TextInput source="address" validate={required()} fullWidth />
                <TextInput source="phone" validate={required()} />
                <DateInput source="enrolledOn" validate={required()} />
                <ReferenceInput source="schoolClass" reference="school-classes">
                    <SelectInput optionText="name" validate={required()} />
                </ReferenceInput>
                {picker('enrollmentMode', 'enrollmentMode')}
                <BooleanInput source="onlyChild" />
                {picker('leftBehind', 'leftBehind', false)}
                <BooleanInput source="migrant" />
                <BooleanInput source="disabled" />
                <BooleanInput source="needsAid" />
                <ArrayInput source="guardians" validate={required()}>
                    <SimpleFormIterator inline>
                        <TextInput source="name" validate={required()} />
                        <SelectInput source="relation" choices={dictionary('guardianRelation')} validate={required()} />
                        <TextInput source="idNumber" />
                        <TextInput source="phone" />
                    </SimpleFormIterator>
                </ArrayInput>
            </SimpleForm>
        </Create>
    );
};

/** Every level lists and reads (scoped by the server); only the kindergarten enters children. */
export default { list: ChildList, show: ChildShow, icon: ChildCareIcon, recordRepresentation: 'name' };
export { ChildCreate };
