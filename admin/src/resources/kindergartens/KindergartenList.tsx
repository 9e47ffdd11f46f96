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
import { RegionInput } from '../../components/RegionInput';
import { RegionField } from '../../components/RegionField';
import { useMe } from '../../providers/useMe';

/** The list's filters, built at render (the choices are the server's vocabulary, known once signed in). */
const listFilters = (within?: string | null) => [
    <SearchInput key="q" source="q" alwaysOn />,
    <SelectInput key="ownership" source="ownership" choices={ownershipChoices()} />,
    <NullableBooleanInput key="inclusive" source="inclusive" />,
    <SelectInput key="status" source="status" choices={statusChoices()} />,
    <RegionInput key="countyCode" source="countyCode" countyOnly within={within} helperText={false} />,
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
    const { me } = useMe();
    return (
    <List filters={[...listFilters(me?.regionCode), ...customFilters]} actions={<ListActions />} sort={{ field: 'code', order: 'ASC' }} perPage={25}>
        <DatagridConfigurable rowClick="show" bulkActionButtons={false}>
            <TextField source="code" />
            <TextField source="name" />
            <RegionField source="countyCode" />
            <SelectField source="ownership" choices={ownershipChoices()} />
            <BooleanField source="inclusive" />
            <SelectField source="status" choices={statusChoices()} />
            {customColumns}
        </DatagridConfigurable>
    </List>
    );
};
