import { BooleanField, CreateButton, Datagrid, DateField, FunctionField, List, TextField, TextInput, TopToolbar, usePermissions } from 'react-admin';

const filters = [<TextInput key="q" source="q" label="ra.action.search" alwaysOn />];

const Actions = () => {
    const { permissions } = usePermissions();
    return <TopToolbar>{permissions !== 'institution' && <CreateButton />}</TopToolbar>;
};

/** The pages the user may open: their own and those shared by the levels above inside their reach. */
export const ChartPageList = () => (
    <List sort={{ field: 'updatedAt', order: 'DESC' }} filters={filters} actions={<Actions />}>
        <Datagrid rowClick="show" bulkActionButtons={false}>
            <TextField source="title" />
            <FunctionField source="charts" sortable={false} render={(record: any) => (record.charts ?? []).length} />
            <TextField source="ownerName" />
            <BooleanField source="mine" sortable={false} />
            <DateField source="updatedAt" showTime />
        </Datagrid>
    </List>
);
