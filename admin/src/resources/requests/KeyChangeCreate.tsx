import { Create, SimpleForm, TextInput, required, useGetOne, useTranslate, Loading } from 'react-admin';
import { Alert } from '@mui/material';
import { useMe } from '../../providers/useMe';

const KEY_FIELDS = ['name', 'legalPerson', 'principal', 'address'] as const;

/**
 * 申请变更关键信息: a kindergarten proposes new values for its key fields; only the changed ones are
 * sent, as a `kindergarten-key-change` request that its county reviews.
 */
export const KeyChangeCreate = () => {
    const { me } = useMe();
    const translate = useTranslate();
    const institutionId = me?.institutionId;
    const { data: kindergarten, isPending } = useGetOne('kindergartens', { id: institutionId ?? '' }, { enabled: Boolean(institutionId) });
    if (!institutionId || isPending || !kindergarten) return <Loading />;
    const current = Object.fromEntries(KEY_FIELDS.map((field) => [field, kindergarten[field] ?? '']));
    const transform = (values: Record<string, any>) => ({
        type: 'kindergarten-key-change',
        subjectId: institutionId,
        reason: values.reason,
        changes: Object.fromEntries(KEY_FIELDS.filter((field) => (values[field] ?? '') !== current[field]).map((field) => [field, values[field]])),
    });
    return (
        <Create resource="requests" transform={transform} redirect="show" title="resources.requests.key_change_title">
            <SimpleForm defaultValues={{ ...current, reason: '' }}>
                <Alert severity="info" sx={{ mb: 2 }}>{translate('resources.requests.key_change_help')}</Alert>
                <TextInput source="name" label="resources.kindergartens.fields.name" validate={required()} fullWidth />
                <TextInput source="legalPerson" label="resources.requests.fields.legalPerson" fullWidth />
                <TextInput source="principal" label="resources.kindergartens.fields.principal" fullWidth />
                <TextInput source="address" label="resources.kindergartens.fields.address" fullWidth />
                <TextInput source="reason" label="resources.requests.fields.reason" validate={required()} multiline minRows={2} fullWidth />
            </SimpleForm>
        </Create>
    );
};
