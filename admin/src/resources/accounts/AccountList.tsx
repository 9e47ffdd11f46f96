import {
    BooleanField,
    CreateButton,
    DatagridConfigurable,
    DateField,
    EditButton,
    ExportButton,
    FilterButton,
    List,
    NullableBooleanInput,
    SearchInput,
    SelectColumnsButton,
    SelectField,
    TextField,
    TopToolbar,
    WrapperField,
} from 'react-admin';
import { FORMAT_LOCALE } from '../../i18n';
import { ResetPasswordButton } from '../../components/ResetPasswordButton';
import { levelChoices } from './choices';

const filters = [
    <SearchInput key="q" source="q" alwaysOn />,
    <NullableBooleanInput key="blocked" source="blocked" />,
];

const ListActions = () => (
    <TopToolbar>
        <SelectColumnsButton />
        <FilterButton />
        <CreateButton />
        <ExportButton />
    </TopToolbar>
);

/** The accounts of the level right below the user, inside the user's reach. */
export const AccountList = () => (
    <List filters={filters} actions={<ListActions />} sort={{ field: 'username', order: 'ASC' }} perPage={25}>
        <DatagridConfigurable rowClick="show" bulkActionButtons={false}>
            <TextField source="username" />
            <TextField source="fullName" emptyText="—" />
            <SelectField source="level" choices={levelChoices()} />
            <TextField source="regionCode" emptyText="—" />
            <TextField source="institutionCode" emptyText="—" />
            <BooleanField source="blocked" looseValue />
            <DateField source="createdAt" showTime locales={FORMAT_LOCALE} />
            <WrapperField label={false} textAlign="right">
                <EditButton />
                <ResetPasswordButton />
            </WrapperField>
        </DatagridConfigurable>
    </List>
);
