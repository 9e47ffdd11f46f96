import TuneIcon from '@mui/icons-material/Tune';
import { Button } from '@mui/material';
import {
    BooleanField, BooleanInput, Create, Datagrid, Edit, FormDataConsumer, List, NumberInput, SelectField, SelectInput, SimpleForm,
    TextField, TextInput, regex, required, useLocaleState, useNotify, usePermissions, useRecordContext, useRefresh, useTranslate,
} from 'react-admin';
import { useApi } from '../../providers/useApi';
import { httpClient } from '../../providers/http';
import { useMe } from '../../providers/useMe';

const entityChoices = ['child', 'kindergarten', 'staff', 'safety-inspection', 'incident', 'resource-inventory', 'healthCheck'].map((id) => ({ id, name: `app.custom_fields.entity.${id}` }));
const typeChoices = ['text', 'number', 'date', 'boolean', 'choice', 'region'].map((id) => ({ id, name: `app.custom_fields.type.${id}` }));

/** The code tables a choice field may take (GET /api/code-tables: the maintained tables with their names). */
const useTableChoices = () => {
    const { data } = useApi<{ data: { key: string; name: string }[] }>('/api/code-tables');
    return (data?.data ?? []).map((table) => ({ id: table.key, name: table.name }));
};

type Format = { key: string; name: string; nameEn: string; type: 'text' | 'number'; example: string };
/** Not a format: the field's value is not checked (the choice "不限"). */
const NO_FORMAT = '';
/** The experts' choice: an own regular expression in `pattern`. */
const ADVANCED = '__advanced';

/** The named formats (GET /api/custom-fields/formats: 手机号码, 邮政编码… from the server) of a field type, as choices. */
const useFormatChoices = (type: string) => {
    const { data } = useApi<{ data: Format[] }>('/api/custom-fields/formats');
    const [locale] = useLocaleState();
    const translate = useTranslate();
    const named = (data?.data ?? []).filter((format) => format.type === type).map((format) => ({
        id: format.key,
        name: translate('app.custom_fields.format_example', { name: locale === 'en' ? format.nameEn : format.name, example: format.example }),
    }));
    return [{ id: NO_FORMAT, name: translate('app.custom_fields.format_none') }, ...named];
};

const filters = [<SelectInput key="entity" source="entity" choices={entityChoices} alwaysOn />];

/** 停用 / 恢复启用: retiring hides the field; the values already entered stay on the records. */
const RetireButton = () => {
    const record = useRecordContext();
    const translate = useTranslate();
    const notify = useNotify();
    const refresh = useRefresh();
    if (!record) return null;
    const toggle = async (event: { stopPropagation: () => void }) => {
        event.stopPropagation();
        try {
            await httpClient(`/api/custom-fields/${record.id}/retire`, { method: 'POST', body: JSON.stringify({ data: { retired: !record.retired } }) });
            notify(record.retired ? 'app.custom_fields.restored_done' : 'app.custom_fields.retired_done', { type: 'info' });
            refresh();
        } catch (error: any) {
            notify(error?.message ?? String(error), { type: 'error' });
        }
    };
    return (
        <Button size="small" color={record.retired ? 'primary' : 'warning'} onClick={toggle}>
            {translate(record.retired ? 'app.custom_fields.restore' : 'app.custom_fields.retire')}
        </Button>
    );
};

/** 自定义字段: the fields the province has added (its own reach; the prefecture reads those of its part). */
const CustomFieldList = () => {
    const { permissions: level } = usePermissions();
    return (
        <List filters={filters} sort={{ field: 'order', order: 'ASC' }} perPage={50}>
            <Datagrid rowClick={level === 'province' ? 'edit' : false} bulkActionButtons={false}>
                <TextField source="label" />
                <SelectField source="entity" choices={entityChoices} />
                <SelectField source="type" choices={typeChoices} />
                <BooleanField source="required" />
                <TextField source="regionCode" />
                <TextField source="help" emptyText="—" />
                <BooleanField source="retired" />
                {level === 'province' && <RetireButton />}
            </Datagrid>
        </List>
    );
};

/** A format picker for text and number fields: the named formats, and (advanced) an own pattern for text. */
const FormatInput = ({ type, advanced }: { type: string; advanced: boolean }) => {
    const translate = useTranslate();
    const choices = useFormatChoices(type);
    const withAdvanced = type === 'text' && advanced ? [...choices, { id: ADVANCED, name: translate('app.custom_fields.format_advanced') }] : choices;
    return <SelectInput source="format" choices={withAdvanced} emptyValue={NO_FORMAT} helperText="app.custom_fields.helpers.format" fullWidth />;
};

/**
 * The rules of a field: a named format (手机号码, 邮政编码…) and a range for numbers and text, a code
 * table for choices. An own regular expression only under the advanced options.
 */
const RuleInputs = () => {
    const tables = useTableChoices();
    return (
        <FormDataConsumer>
            {({ formData }) => (
                <>
                    {formData.type === 'choice' && <SelectInput source="codeTable" choices={tables} validate={required()} readOnly={Boolean(formData.id)} helperText="app.custom_fields.helpers.code_table" fullWidth />}
                    {(formData.type === 'number' || formData.type === 'text') && (
                        <>
                            <FormatInput type={formData.type} advanced={Boolean(formData.advanced) || formData.format === ADVANCED} />
                            <NumberInput source="min" helperText="app.custom_fields.helpers.range" />
                            <NumberInput source="max" />
                        </>
                    )}
                    {formData.type === 'text' && formData.format === ADVANCED && <TextInput source="pattern" validate={required()} helperText="app.custom_fields.helpers.pattern" fullWidth />}
                </>
            )}
        </FormDataConsumer>
    );
};

/** 高级选项: the key, shown only when asked (on creation: empty means "made from the label"). */
const AdvancedInputs = ({ creating }: { creating: boolean }) => (
    <>
        <BooleanInput source="advanced" label="app.custom_fields.advanced" />
        <FormDataConsumer>
            {({ formData }) => formData.advanced && (creating
                ? <TextInput source="key" validate={regex(/^[a-z][a-z0-9_]{0,39}$/, 'app.custom_fields.helpers.key')} helperText="app.custom_fields.helpers.key" fullWidth />
                : <TextInput source="key" readOnly fullWidth />)}
        </FormDataConsumer>
    </>
);

/**
 * Only what a user sets is sent (the server sets the province, makes the key from the label when
 * none is given, and refuses changes of key, type and table). A named format and an own pattern
 * exclude each other: the advanced choice sends the pattern and no format.
 */
const FIELDS = ['entity', 'key', 'label', 'type', 'required', 'help', 'min', 'max', 'pattern', 'format', 'codeTable', 'regionCode', 'order', 'retired'];
const pick = (input: Record<string, any>) => {
    const data = { ...input };
    if (data.format === ADVANCED) data.format = null;
    else data.pattern = null;
    if (data.type !== 'text' && data.type !== 'number') data.format = null;
    return Object.fromEntries(FIELDS.filter((f) => f in data).map((f) => [f, data[f] === '' ? null : data[f]]));
};
/** A stored field with an own pattern shows the advanced choice. */
const formatOf = (record: Record<string, any>) => (record.pattern && !record.format ? ADVANCED : record.format ?? NO_FORMAT);

const CustomFieldCreate = () => {
    const { me } = useMe();
    const province = me?.regionCode ? `${me.regionCode.slice(0, 2)}0000` : '';
    return (
        <Create redirect="list" transform={pick}>
            <SimpleForm sx={{ maxWidth: 640 }} defaultValues={{ entity: 'child', type: 'text', required: false, regionCode: province, order: 0, format: NO_FORMAT }}>
                <SelectInput source="entity" choices={entityChoices} validate={required()} fullWidth />
                <TextInput source="label" validate={required()} fullWidth />
                <SelectInput source="type" choices={typeChoices} validate={required()} fullWidth />
                <BooleanInput source="required" />
                <TextInput source="help" fullWidth />
                <RuleInputs />
                <TextInput source="regionCode" validate={regex(/^\d{6}$/, 'app.custom_fields.helpers.regionCode')} helperText="app.custom_fields.helpers.regionCode" fullWidth />
                <NumberInput source="order" />
                <AdvancedInputs creating />
            </SimpleForm>
        </Create>
    );
};

/** The edit form, its format choice read from the stored field (an own pattern shows as the advanced choice). */
const EditForm = ({ children }: { children: React.ReactNode }) => {
    const record = useRecordContext();
    if (!record) return null;
    return <SimpleForm sx={{ maxWidth: 640 }} record={{ ...record, format: formatOf(record) }}>{children}</SimpleForm>;
};

const CustomFieldEdit = () => (
    <Edit mutationMode="pessimistic" redirect="list" transform={pick}>
        <EditForm>
            <SelectInput source="entity" choices={entityChoices} readOnly helperText="app.custom_fields.helpers.fixed" fullWidth />
            <SelectInput source="type" choices={typeChoices} readOnly fullWidth />
            <TextInput source="label" validate={required()} fullWidth />
            <BooleanInput source="required" />
            <TextInput source="help" fullWidth />
            <RuleInputs />
            <TextInput source="regionCode" validate={regex(/^\d{6}$/, 'app.custom_fields.helpers.regionCode')} helperText="app.custom_fields.helpers.regionCode" fullWidth />
            <NumberInput source="order" />
            <BooleanInput source="retired" />
            <AdvancedInputs creating={false} />
        </EditForm>
    </Edit>
);

export default { list: CustomFieldList, create: CustomFieldCreate, edit: CustomFieldEdit, icon: TuneIcon, recordRepresentation: 'label' };
