import {
    BooleanInput,
    Create,
    maxLength,
    minLength,
    regex,
    required,
    SelectInput,
    SimpleForm,
    TextInput,
} from 'react-admin';
import { useMe } from '../../providers/useMe';
import { ownershipChoices } from './choices';
import { CustomFieldInputs } from '../../components/CustomFieldInputs';
import { RegionInput } from '../../components/RegionInput';

/** County level only: a new kindergarten in the user's own county by default. */
export const KindergartenCreate = () => {
    const { me } = useMe();
    return (
        <Create redirect="show">
            <SimpleForm
                sx={{ maxWidth: 640 }}
                defaultValues={{ countyCode: me?.regionCode ?? '', ownership: 'public', inclusive: false }}
            >
                <TextInput
                    source="code"
                    validate={[required(), regex(/^\d{10}$/, 'resources.kindergartens.helpers.code')]}
                    helperText="resources.kindergartens.helpers.code"
                    fullWidth
                />
                <TextInput source="name" validate={[required(), minLength(2), maxLength(100)]} fullWidth />
                <RegionInput source="countyCode" countyOnly within={me?.regionCode} validate={required()} />
                <SelectInput source="ownership" choices={ownershipChoices()} validate={required()} fullWidth />
                <BooleanInput source="inclusive" />
                <TextInput source="address" validate={maxLength(200)} fullWidth />
                <TextInput source="principal" validate={maxLength(50)} fullWidth />
                <TextInput source="phone" validate={maxLength(30)} fullWidth />
                <CustomFieldInputs entity="kindergarten" countyCode={me?.regionCode} />
            </SimpleForm>
        </Create>
    );
};
