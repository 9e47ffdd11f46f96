import { useRef, useState } from 'react';
import { Button } from '@mui/material';
import UploadFileIcon from '@mui/icons-material/UploadFile';
import GroupsIcon from '@mui/icons-material/Groups';
import { RegionField } from '../../components/RegionField';
import { RegionInput } from '../../components/RegionInput';
import { getStoredMe } from '../../providers/session';
import {
    Create,
    CreateButton,
    Datagrid,
    DateField,
    Edit,
    List,
    NumberField,
    NumberInput,
    SimpleForm,
    TextField,
    TextInput,
    TopToolbar,
    required,
    useNotify,
    usePermissions,
    useRefresh,
    useTranslate,
} from 'react-admin';
import { getToken } from '../../providers/session';
import { useMe } from '../../providers/useMe';

/** 批量导入: an xlsx or csv with 区县代码, 年份, 人口数 (province and prefecture); all rows or none. */
const ImportButton = () => {
    const translate = useTranslate();
    const notify = useNotify();
    const refresh = useRefresh();
    const input = useRef<HTMLInputElement>(null);
    const [busy, setBusy] = useState(false);
    const upload = async (file: File) => {
        setBusy(true);
        try {
            const form = new FormData();
            form.append('file', file);
            const response = await fetch('/api/populations/import', { method: 'POST', body: form, headers: { Authorization: `Bearer ${getToken()}` } });
            const body = await response.json().catch(() => ({}));
            if (!response.ok) throw new Error(body?.error?.message ?? `HTTP ${response.status}`);
            notify(translate('resources.populations.imported', body.data), { type: 'success' });
            refresh();
        } catch (error) {
            notify((error as Error).message, { type: 'error', multiLine: true });
        } finally {
            setBusy(false);
            if (input.current) input.current.value = '';
        }
    };
    return (
        <>
            <input ref={input} type="file" accept=".xlsx,.csv" hidden name="population-file" onChange={(e) => e.target.files?.[0] && upload(e.target.files[0])} />
            <Button size="small" startIcon={<UploadFileIcon />} disabled={busy} onClick={() => input.current?.click()}>
                {translate('resources.populations.import')}
            </Button>
        </>
    );
};

const Actions = () => {
    const { permissions } = usePermissions();
    return (
        <TopToolbar>
            {permissions === 'county' && <CreateButton />}
            {(permissions === 'province' || permissions === 'prefecture') && <ImportButton />}
        </TopToolbar>
    );
};

/** 适龄人口: 3–5 岁人口 per county and year, the denominator of 毛入园率. */
export const PopulationList = () => {
    const { permissions } = usePermissions();
    return (
        <List sort={{ field: 'year', order: 'DESC' }} actions={<Actions />}>
            <Datagrid rowClick={permissions === 'county' ? 'edit' : false} bulkActionButtons={false}>
                <RegionField source="countyCode" />
                <NumberField source="year" options={{ useGrouping: false }} />
                <NumberField source="population" />
                <TextField source="source" />
                <DateField source="updatedAt" showTime />
            </Datagrid>
        </List>
    );
};

const Fields = () => (
    <>
        <RegionInput source="countyCode" validate={required()} countyOnly within={getStoredMe()?.regionCode} />
        <NumberInput source="year" validate={required()} />
        <NumberInput source="population" validate={required()} min={0} />
        <TextInput source="source" />
    </>
);

export const PopulationCreate = () => {
    const { me } = useMe();
    return (
        <Create redirect="list">
            <SimpleForm defaultValues={{ countyCode: me?.regionCode ?? '', year: new Date().getFullYear() }}>
                <Fields />
            </SimpleForm>
        </Create>
    );
};

export const PopulationEdit = () => (
    <Edit redirect="list" mutationMode="pessimistic">
        <SimpleForm>
            <Fields />
        </SimpleForm>
    </Edit>
);

export default { list: PopulationList, create: PopulationCreate, edit: PopulationEdit, icon: GroupsIcon, recordRepresentation: 'countyCode' };
