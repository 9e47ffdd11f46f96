import SchoolOutlinedIcon from '@mui/icons-material/SchoolOutlined';
import {
    AutocompleteInput, Create, Datagrid, DateField, DateInput, Edit, List, NumberField, NumberInput, ReferenceInput, SimpleForm, TextField, TextInput,
    minValue, required, usePermissions,
} from 'react-admin';

const FIELDS = ['course', 'hours', 'credits', 'startDate', 'endDate', 'provider'];
const pick = (data: Record<string, any>) => Object.fromEntries(FIELDS.filter((f) => f in data).map((f) => [f, data[f] === '' ? null : data[f]]));

const TrainingList = () => {
    const { permissions: level } = usePermissions();
    return (
        <List sort={{ field: 'startDate', order: 'DESC' }} filters={[<TextInput key="c" source="course_containsi" label="resources.training-records.fields.course" alwaysOn />]}>
            <Datagrid rowClick={level === 'institution' ? 'edit' : false} bulkActionButtons={false}>
                <TextField source="course" />
                <NumberField source="hours" />
                <NumberField source="credits" emptyText="—" />
                <DateField source="startDate" />
                <DateField source="endDate" />
                <TextField source="provider" emptyText="—" />
                {level !== 'institution' && <TextField source="institutionCode" />}
            </Datagrid>
        </List>
    );
};

const TrainingFields = () => (
    <>
        <TextInput source="course" validate={required()} fullWidth />
        <NumberInput source="hours" validate={[required(), minValue(0)]} fullWidth />
        <NumberInput source="credits" validate={minValue(0)} fullWidth />
        <DateInput source="startDate" validate={required()} fullWidth />
        <DateInput source="endDate" validate={required()} fullWidth />
        <TextInput source="provider" fullWidth />
    </>
);

/** A training record of one staff member of the kindergarten (end not before start: checked by the server). */
const TrainingCreate = () => (
    <Create redirect="list" transform={(data: Record<string, any>) => ({ ...pick(data), staff: data.staff })}>
        <SimpleForm sx={{ maxWidth: 560 }}>
            <ReferenceInput source="staff" reference="staff-members">
                <AutocompleteInput optionText="name" validate={required()} fullWidth />
            </ReferenceInput>
            <TrainingFields />
        </SimpleForm>
    </Create>
);

const TrainingEdit = () => (
    <Edit mutationMode="pessimistic" redirect="list" transform={pick}>
        <SimpleForm sx={{ maxWidth: 560 }}>
            <TrainingFields />
        </SimpleForm>
    </Edit>
);

export default { list: TrainingList, create: TrainingCreate, edit: TrainingEdit, icon: SchoolOutlinedIcon, recordRepresentation: 'course' };
