import ClassIcon from '@mui/icons-material/Class';
import {
    Create, Datagrid, Edit, List, NumberField, NumberInput, SelectField, SelectInput, SimpleForm, TextField, TextInput,
    minValue, regex, required, useRecordContext,
} from 'react-admin';
import { useMe } from '../../providers/useMe';
import { PrintConfirmationButton } from '../children/ChildShow';

/** 打印本班确认表: the class's 学籍基础信息确认表, one A4 page per child. */
const ClassConfirmation = (_props: { label?: string }) => {
    const record = useRecordContext();
    return record ? <PrintConfirmationButton path={`/api/children/class-confirmation/${record.id}`} label="resources.school-classes.print_confirmation" /> : null;
};

const gradeChoices = ['nursery', 'small', 'middle', 'large', 'mixed'].map((id) => ({ id, name: `resources.school-classes.grade.${id}` }));
const schoolYear = [required(), regex(/^\d{4}-\d{4}$/, 'resources.school-classes.school_year_format')];

const ClassList = () => (
    <List sort={{ field: 'name', order: 'ASC' }}>
        <Datagrid rowClick="edit">
            <TextField source="name" />
            <SelectField source="grade" choices={gradeChoices} />
            <TextField source="schoolYear" />
            <NumberField source="capacity" />
            <NumberField source="enrolled" />
            <TextField source="oversizeReason" emptyText="—" />
            <ClassConfirmation label="resources.school-classes.confirmation" />
        </Datagrid>
    </List>
);

const ClassForm = () => (
    <SimpleForm sx={{ maxWidth: 560 }}>
        <TextInput source="name" validate={required()} fullWidth />
        <SelectInput source="grade" choices={gradeChoices} validate={required()} fullWidth />
        <TextInput source="schoolYear" validate={schoolYear} helperText="resources.school-classes.school_year_format" fullWidth />
        <NumberInput source="capacity" validate={[required(), minValue(1)]} fullWidth />
        <NumberInput source="enrolled" validate={minValue(0)} fullWidth />
        <TextInput source="oversizeReason" multiline helperText="resources.school-classes.oversize_help" fullWidth />
    </SimpleForm>
);

/** The kindergarten's own classes; the server fixes the kindergarten and checks the size limits. */
const ClassCreate = () => {
    const { me } = useMe();
    return (
        <Create redirect="list" transform={(data: Record<string, unknown>) => ({ ...data, kindergarten: me?.institutionId })}>
            <ClassForm />
        </Create>
    );
};

const ClassEdit = () => (
    <Edit mutationMode="pessimistic" redirect="list" transform={({ name, grade, schoolYear, capacity, enrolled, oversizeReason }: any) => ({ name, grade, schoolYear, capacity, enrolled, oversizeReason })}>
        <ClassForm />
    </Edit>
);

export default { list: ClassList, create: ClassCreate, edit: ClassEdit, icon: ClassIcon, recordRepresentation: 'name' };
