import {
    BooleanField,
    CreateButton,
    DatagridConfigurable,
    FilterButton,
    List,
    NullableBooleanInput,
    SearchInput,
    SelectColumnsButton,
    SelectField,
    SelectInput,
    TextField,
    TextInput,
    TopToolbar,
    usePermissions,
} from 'react-admin';
import { ownershipChoices, statusChoices } from './choices';
import { useCustomColumns, useCustomFilters } from '../../components/CustomFieldInputs';
import { ExportButtons } from '../imports';

const filters = [
    <SearchInput key="q" source="q" alwaysOn />,
    <SelectInput key="ownership" source="ownership" choices={ownershipChoices} />,
    <NullableBooleanInput key="inclusive" source="inclusive" />,
    <SelectInput key="status" source="status" choices={statusChoices} />,
    <TextInput key="countyCode" source="countyCode" />,
];

const ListActions = () => {
    const { permissions } = usePermissions();
    return (
        <TopToolbar>
            <SelectColumnsButton />
            <FilterButton />
            {permissions === 'county' && <CreateButton />}
            <ExportButtons path="/api/kindergarten-export" fileName="幼儿园" />
        </TopToolbar>
    );
};

/** The kindergartens inside the user's reach (the server filters by reach). */
export const KindergartenList = () => {
    const customFilters = useCustomFilters('kindergarten');
    const customColumns = useCustomColumns('kindergarten');
    return (
    <List filters={[...filters, ...customFilters]} actions={<ListActions />} sort={{ field: 'code', order: 'ASC' }} perPage={25}>
        <DatagridConfigurable rowClick="show" bulkActionButtons={false}>
            <TextField source="code" />
            <TextField source="name" />
            <TextField source="countyCode" />
            <SelectField source="ownership" choices={ownershipChoices} />
            <BooleanField source="inclusive" />
            <SelectField source="status" choices={statusChoices} />
            {customColumns}
        </DatagridConfigurable>
    </List>
    );
};
