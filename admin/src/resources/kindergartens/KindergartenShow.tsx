import {
    BooleanField,
    DateField,
    EditButton,
    SelectField,
    Show,
    SimpleShowLayout,
    TextField,
    TopToolbar,
    usePermissions,
} from 'react-admin';
import { FORMAT_LOCALE } from '../../i18n';
import { ownershipChoices, statusChoices } from './choices';
import { RegionField } from '../../components/RegionField';

const ShowActions = () => {
    const { permissions } = usePermissions();
    return <TopToolbar>{permissions && permissions !== 'ministry' && <EditButton />}</TopToolbar>;
};

export const KindergartenShow = () => (
    <Show actions={<ShowActions />}>
        <SimpleShowLayout>
            <TextField source="code" />
            <TextField source="name" />
            <RegionField source="countyCode" />
            <TextField source="address" emptyText="—" />
            <TextField source="principal" emptyText="—" />
            <TextField source="phone" emptyText="—" />
            <SelectField source="ownership" choices={ownershipChoices()} />
            <BooleanField source="inclusive" />
            <SelectField source="status" choices={statusChoices()} />
            <DateField source="createdAt" showTime locales={FORMAT_LOCALE} emptyText="—" />
            <DateField source="updatedAt" showTime locales={FORMAT_LOCALE} emptyText="—" />
        </SimpleShowLayout>
    </Show>
);
