import TuneIcon from '@mui/icons-material/Tune';
import { Button } from '@mui/material';
import {
    BooleanField, BooleanInput, Create, Datagrid, Edit, FormDataConsumer, List, NumberInput, SelectField, SelectInput, SimpleForm,
    TextField, TextInput, regex, required, useNotify, usePermissions, useRecordContext, useRefresh, useTranslate,
} from 'react-admin';
import { useApi } from '../../providers/useApi';
import { httpClient } from '../../providers/http';
import { useMe } from '../../providers/useMe';

const entityChoices = ['child', 'kindergarten', 'staff'].map((id) => ({ id, name: `app.custom_fields.entity.${id}` }));
const typeChoices = ['text', 'number', 'date', 'boolean', 'choice', 'region'].map((id) => ({ id, name: `app.custom_fields.type.${id}` }));

/** The code tables a choice field may take (GET /api/code-tables: the maintained tables with their names). */
const useTableChoices = () => {
    const { data } = useApi<{ data: { key: string; name: string }[] }>('/api/code-tables');
    return (data?.data ?? []).map((table) => ({ id: table.key, name: table.name }));
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
                <TextField source="key" />
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

/** The rules of a field: range for numbers and text, pattern for text, a code table for choices. */
const RuleInputs = () => {
    const tables = useTableChoices();
    return (
        <FormDataConsumer>
            {({ formData }) => (
                <>
                    {formData.type === 'choice' && <SelectInput source="codeTable" choices={tables} validate={required()} readOnly={Boolean(formData.id)} fullWidth />}
                    {(formData.type === 'number' || formData.type === 'text') && (
                        <>
                            <NumberInput source="min" helperText="app.custom_fields.helpers.range" />
                            <NumberInput source="max" />
                        </>
                    )}
                    {formData.type === 'text' && <TextInput source="pattern" helperText="app.custom_fields.helpers.pattern" fullWidth />}
                </>
            )}
        </FormDataConsumer>
    );
};

/** Only what a user sets is sent (the server sets the province, and refuses changes of key, type and table). */
const FIELDS = ['entity', 'key', 'label', 'type', 'required', 'help', 'min', 'max', 'pattern', 'codeTable', 'regionCode', 'order', 'retired'];
const pick = (data: Record<string, any>) => Object.fromEntries(FIELDS.filter((f) => f in data).map((f) => [f, data[f] === '' ? null : data[f]]));

const CustomFieldCreate = () => {
    const { me } = useMe();
    const province = me?.regionCode ? `${me.regionCode.slice(0, 2)}0000` : '';
    return (
        <Create redirect="list" transform={pick}>
            <SimpleForm sx={{ maxWidth: 640 }} defaultValues={{ entity: 'child', type: 'text', required: false, regionCode: province, order: 0 }}>
                <SelectInput source="entity" choices={entityChoices} validate={required()} fullWidth />
                <TextInput source="label" validate={required()} fullWidth />
                <TextInput source="key" validate={[required(), regex(/^[a-z][a-z0-9_]{0,39}$/, 'app.custom_fields.helpers.key')]} helperText="app.custom_fields.helpers.key" fullWidth />
                <SelectInput source="type" choices={typeChoices} validate={required()} fullWidth />
                <BooleanInput source="required" />
                <TextInput source="help" fullWidth />
                <RuleInputs />
                <TextInput source="regionCode" validate={regex(/^\d{6}$/, 'app.custom_fields.helpers.regionCode')} helperText="app.custom_fields.helpers.regionCode" fullWidth />
                <NumberInput source="order" />
            </SimpleForm>
        </Create>
    );
};

const CustomFieldEdit = () => (
    <Edit mutationMode="pessimistic" redirect="list" transform={pick}>
        <SimpleForm sx={{ maxWidth: 640 }}>
            <SelectInput source="entity" choices={entityChoices} readOnly helperText="app.custom_fields.helpers.fixed" fullWidth />
            <TextInput source="key" readOnly fullWidth />
            <SelectInput source="type" choices={typeChoices} readOnly fullWidth />
            <TextInput source="label" validate={required()} fullWidth />
            <BooleanInput source="required" />
            <TextInput source="help" fullWidth />
            <RuleInputs />
            <TextInput source="regionCode" validate={regex(/^\d{6}$/, 'app.custom_fields.helpers.regionCode')} helperText="app.custom_fields.helpers.regionCode" fullWidth />
            <NumberInput source="order" />
            <BooleanInput source="retired" />
        </SimpleForm>
    </Edit>
);

export default { list: CustomFieldList, create: CustomFieldCreate, edit: CustomFieldEdit, icon: TuneIcon, recordRepresentation: 'label' };
