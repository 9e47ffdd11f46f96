import {
    BooleanInput,
    Edit,
    NumberInput,
    minValue,
    useRecordContext,
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
import { CONDITION_FIELDS, kindergartenKeyFields, ownershipChoices, pickEditable, statusChoices } from './choices';
import { RegionInput } from '../../components/RegionInput';
import { CustomFieldInputs } from '../../components/CustomFieldInputs';

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

/** Name, sponsor, address and principal: read-only once registered (they change through a key-change request). */
const KeyFields = () => {
    const record = useRecordContext();
    const keyFields = kindergartenKeyFields();
    const registered = record?.registrationState === 'approved';
    const locked = (field: string) => registered && keyFields.includes(field);
    const helper = (field: string) => (locked(field) ? 'resources.kindergartens.helpers.key_field' : undefined);
    return (
        <>
            <TextInput source="name" validate={[required(), minLength(2), maxLength(100)]} readOnly={locked('name')} helperText={helper('name')} fullWidth />
            <TextInput source="legalPerson" validate={maxLength(50)} readOnly={locked('legalPerson')} helperText={helper('legalPerson')} fullWidth />
            <TextInput source="address" validate={maxLength(200)} readOnly={locked('address')} helperText={helper('address')} fullWidth />
            <TextInput source="principal" validate={maxLength(50)} readOnly={locked('principal')} helperText={helper('principal')} fullWidth />
        </>
    );
};

/**
 * Pessimistic, so that the server's 400 `{ errors: { field: '…' } }` lands on the fields.
 * Only the editable fields are sent: code (机构标识码) and county are fixed at creation.
 */
export const KindergartenEdit = () => (
    <Edit mutationMode="pessimistic" redirect="show" transform={pickEditable} actions={<EditActions />}>
        <SimpleForm toolbar={<EditToolbar />} sx={{ maxWidth: 640 }}>
            <TextInput source="code" readOnly fullWidth helperText="resources.kindergartens.helpers.code" />
            <RegionInput source="countyCode" countyOnly readOnly helperText={false} />
            <KeyFields />
            <TextInput source="phone" validate={maxLength(30)} fullWidth />
            <SelectInput source="ownership" choices={ownershipChoices()} validate={required()} fullWidth />
            <BooleanInput source="inclusive" />
            <SelectInput source="status" choices={statusChoices()} fullWidth />
            {CONDITION_FIELDS.map((field) => (
                <NumberInput key={field} source={field} validate={minValue(0)} fullWidth />
            ))}
            <CustomFieldInputs entity="kindergarten" />
        </SimpleForm>
    </Edit>
);
