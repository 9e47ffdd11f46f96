import ChildCareIcon from '@mui/icons-material/ChildCare';
import {
    Datagrid, DateField, List, NullableBooleanInput, ReferenceInput, SelectField, SelectInput, SimpleList, TextField, TextInput, useTranslate,
} from 'react-admin';
import { useMediaQuery, type Theme } from '@mui/material';
import { ExportListActions } from '../imports';
import { useDictionaries } from './useDictionaries';
import { ChildShow } from './ChildShow';
import { Tab } from 'react-admin';
import { ChildLifecycle } from '../lifecycle';
import { ChildCreate, ChildEdit } from './ChildEdit';
import { sexChoices, statusChoices } from './choices';
import { useCustomColumns, useCustomFilters } from '../../components/CustomFieldInputs';
import { ListPagination } from '../../components/ListPagination';
import { YesNoField } from '../../components/YesNoField';

/** Children's 学籍 records: ID numbers and 学籍号 masked in the list (as the server sends them), filters by class, status and flags. */
const ChildList = () => {
    const dictionary = useDictionaries();
    const customFilters = useCustomFilters('child');
    const customColumns = useCustomColumns('child');
    const filters = [
        <TextInput key="q" source="q" alwaysOn />,
        <ReferenceInput key="class" source="schoolClass.documentId" reference="school-classes" label="resources.children.fields.schoolClass"><SelectInput optionText="name" label="resources.children.fields.schoolClass" /></ReferenceInput>,
        <SelectInput key="status" source="status" choices={statusChoices()} />,
        <SelectInput key="leftBehind" source="leftBehind" choices={dictionary('leftBehind')} />,
        <NullableBooleanInput key="migrant" source="migrant" />,
        <NullableBooleanInput key="disabled" source="disabled" />,
        <NullableBooleanInput key="needsAid" source="needsAid" />,
        ...customFilters,
    ];
    const translate = useTranslate();
    // a phone (kindergarten staff work on theirs): one line per child — name, then sex, birth date and state
    const phone = useMediaQuery((theme: Theme) => theme.breakpoints.down('sm'));
    return (
        <List filters={filters} sort={{ field: 'name', order: 'ASC' }} pagination={<ListPagination />} actions={<ExportListActions path="/api/child-export" fileName="幼儿学籍" />}>
            {phone ? (
                <SimpleList
                    data-testid="children-phone-list"
                    rowClick="show"
                    primaryText={(record) => record.name}
                    secondaryText={(record) => [
                        record.sex && translate(`resources.children.sex.${record.sex}`),
                        record.birthDate,
                        record.status && translate(`resources.children.status.${record.status}`, { _: record.status }),
                    ].filter(Boolean).join(' · ')}
                    tertiaryText={(record) => record.studentNumberMasked ?? ''}
                />
            ) : (
            <Datagrid rowClick="show" bulkActionButtons={false}>
                <TextField source="name" />
                <SelectField source="sex" choices={sexChoices} />
                <DateField source="birthDate" locales="zh-CN" />
                <TextField source="idNumberMasked" />
                <TextField source="studentNumberMasked" emptyText="—" />
                <SelectField source="status" choices={statusChoices()} />
                <YesNoField source="needsAid" />
                {customColumns}
            </Datagrid>
            )}
        </List>
    );
};

/** Every level lists and reads (scoped by the server); only the kindergarten enters children. */
/** The record with its 学籍档案 tab (timeline and the kindergarten's lifecycle actions). */
const ChildShowWithHistory = () => <ChildShow extraTabs={<Tab label="resources.lifecycle.history.title" path="history"><ChildLifecycle /></Tab>} />;

export default { list: ChildList, show: ChildShowWithHistory, icon: ChildCareIcon, recordRepresentation: 'name' };
export { ChildCreate, ChildEdit };
