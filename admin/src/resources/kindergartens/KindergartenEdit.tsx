import {
    BooleanInput,
    Edit,
    maxLength,
    minLength,
    required,
    SaveButton,
    SelectInput,
    ShowButton,
    SimpleForm,
    TextInput,
    Toolbar,
    TopToolbar,
} from 'react-admin';
import { ownershipChoices, pickEditable, statusChoices } from './choices';

const EditActions = () => (
    <TopToolbar>
        <ShowButton />
    </TopToolbar>
);

const EditToolbar = () => (
    <Toolbar>
        <SaveButton />
    </Toolbar>
);

/**
 * Pessimistic, so that the server's 400 `{ errors: { field: '…' } }` lands on the fields.
 * Only the editable fields are sent: code (机构标识码) and county are fixed at creation.
 */
export const KindergartenEdit = () => (
    <Edit mutationMode="pessimistic" redirect="show" transform={pickEditable} actions={<EditActions />}>
        <SimpleForm toolbar={<EditToolbar />} sx={{ maxWidth: 640 }}>
            <TextInput source="code" readOnly fullWidth helperText="resources.kindergartens.helpers.code" />
            <TextInput source="countyCode" readOnly fullWidth />
            <TextInput source="name" validate={[required(), minLength(2), maxLength(100)]} fullWidth />
            <TextInput source="address" validate={maxLength(200)} fullWidth />
            <TextInput source="principal" validate={maxLength(50)} fullWidth />
            <TextInput source="phone" validate={maxLength(30)} fullWidth />
            <SelectInput source="ownership" choices={ownershipChoices} validate={required()} fullWidth />
            <BooleanInput source="inclusive" />
            <SelectInput source="status" choices={statusChoices} fullWidth />
        </SimpleForm>
    </Edit>
);
