import { Create, SaveButton, SimpleForm, TextInput, Toolbar, required, useGetOne, useTranslate, Loading } from 'react-admin';
import SendIcon from '@mui/icons-material/Send';
import { Alert } from '@mui/material';
import { useMe } from '../../providers/useMe';
import { useServerFacts } from '../../providers/useServerFacts';

/** Labels and checks of the kindergarten's key fields as inputs; which fields are key is the server's (/api/me). */
const INPUTS: Record<string, { label: string; required?: boolean }> = {
    name: { label: 'resources.kindergartens.fields.name', required: true },
    legalPerson: { label: 'resources.requests.fields.legalPerson' },
    principal: { label: 'resources.kindergartens.fields.principal' },
    address: { label: 'resources.kindergartens.fields.address' },
};

/**
 * 申请变更关键信息: a kindergarten proposes new values for its key fields; only the changed ones are
 * sent, as a `kindergarten-key-change` request that its county reviews.
 */
export const KeyChangeCreate = () => {
    const { me } = useMe();
    const translate = useTranslate();
    const keyFields = useServerFacts().keyFields.kindergarten;
    const institutionId = me?.institutionId;
    const { data: kindergarten, isPending } = useGetOne('kindergartens', { id: institutionId ?? '' }, { enabled: Boolean(institutionId) });
    if (!institutionId || isPending || !kindergarten) return <Loading />;
    const current = Object.fromEntries(keyFields.map((field) => [field, kindergarten[field] ?? '']));
    const transform = (values: Record<string, any>) => ({
        type: 'kindergarten-key-change',
        subjectId: institutionId,
        reason: values.reason,
        changes: Object.fromEntries(keyFields.filter((field) => (values[field] ?? '') !== current[field]).map((field) => [field, values[field]])),
    });
    return (
        <Create resource="requests" transform={transform} redirect="show" title="resources.requests.key_change_title">
            <SimpleForm
                defaultValues={{ ...current, reason: '' }}
                toolbar={<Toolbar><SaveButton label="resources.requests.key_change_submit" icon={<SendIcon />} /></Toolbar>}
            >
                <Alert severity="info" sx={{ mb: 2 }}>{translate('resources.requests.key_change_help')}</Alert>
                {keyFields.map((field) => (
                    <TextInput key={field} source={field} label={INPUTS[field]?.label ?? `resources.kindergartens.fields.${field}`} validate={INPUTS[field]?.required ? required() : undefined} fullWidth />
                ))}
                <TextInput source="reason" label="resources.requests.fields.reason" validate={required()} multiline minRows={2} fullWidth />
            </SimpleForm>
        </Create>
    );
};
