import {
    BooleanInput,
    Edit,
    email,
    maxLength,
    required,
    SaveButton,
    SelectInput,
    ShowButton,
    SimpleForm,
    TextInput,
    Toolbar,
    TopToolbar,
} from 'react-admin';
import { ResetPasswordButton } from '../../components/ResetPasswordButton';
import { levelChoices, pickEditable } from './choices';

const EditActions = () => (
    <TopToolbar>
        <ResetPasswordButton />
        <ShowButton />
    </TopToolbar>
);

const EditToolbar = () => (
    <Toolbar>
        <SaveButton />
    </Toolbar>
);

/** Pessimistic so that server validation errors land on the fields; only fullName, email and blocked are sent. */
export const AccountEdit = () => (
    <Edit mutationMode="pessimistic" redirect="show" transform={pickEditable} actions={<EditActions />}>
        <SimpleForm toolbar={<EditToolbar />} sx={{ maxWidth: 640 }}>
            <TextInput source="username" readOnly fullWidth />
            <SelectInput source="level" choices={levelChoices()} readOnly fullWidth />
            <TextInput source="fullName" validate={[required(), maxLength(50)]} fullWidth />
            <TextInput source="email" type="email" validate={email()} fullWidth />
            <BooleanInput source="blocked" helperText="resources.accounts.helpers.blocked" />
        </SimpleForm>
    </Edit>
);
