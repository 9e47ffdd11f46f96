import { useState } from 'react';
import { Alert } from '@mui/material';
import {
    Create,
    email,
    maxLength,
    minLength,
    regex,
    required,
    SimpleForm,
    TextInput,
    useRedirect,
    useTranslate,
} from 'react-admin';
import { OneTimePasswordDialog } from '../../components/OneTimePasswordDialog';
import { useMe } from '../../providers/useMe';
import { RegionInput } from '../../components/RegionInput';

interface Created {
    id: string | number;
    username?: string;
    temporaryPassword?: string;
}

/** Drops an empty email, so that the server does not see `""`. */
const transform = (data: Record<string, any>) => {
    const out = { ...data };
    if (!out.email) delete out.email;
    return out;
};

/**
 * A new account of the level right below the user (`manages` in /api/me). The server generates
 * a temporary password and returns it once, as `temporaryPassword`, which the dialog shows.
 */
export const AccountCreate = () => {
    const { me } = useMe();
    const translate = useTranslate();
    const redirect = useRedirect();
    const [created, setCreated] = useState<Created | null>(null);
    const managesInstitutions = me?.manages?.key === 'institution';

    return (
        <>
            <Create
                transform={transform}
                mutationOptions={{
                    onSuccess: (data: Created) => setCreated(data),
                }}
            >
                <SimpleForm sx={{ maxWidth: 640 }}>
                    {me?.manages && (
                        <Alert severity="info" sx={{ mb: 2, width: '100%' }}>
                            {translate('resources.accounts.helpers.manages', {
                                level: translate(`app.levels.${me.manages.key}`, { _: me.manages.name }),
                            })}
                        </Alert>
                    )}
                    <TextInput source="username" validate={[required(), minLength(3), maxLength(50)]} fullWidth />
                    <TextInput source="fullName" validate={[required(), maxLength(50)]} fullWidth />
                    <TextInput source="email" type="email" validate={email()} fullWidth />
                    {managesInstitutions ? (
                        <TextInput
                            source="institutionCode"
                            validate={[required(), regex(/^\d{10}$/, 'resources.accounts.helpers.institutionCode')]}
                            helperText="resources.accounts.helpers.institutionCode"
                            fullWidth
                        />
                    ) : (
                        <RegionInput source="regionCode" validate={required()} within={me?.regionCode} helperText="resources.accounts.helpers.regionCode" />
                    )}
                </SimpleForm>
            </Create>
            <OneTimePasswordDialog
                open={created != null}
                title="resources.accounts.dialogs.temporary_password_title"
                content="resources.accounts.dialogs.temporary_password_content"
                username={created?.username}
                password={created?.temporaryPassword}
                onClose={() => {
                    const id = created?.id;
                    setCreated(null);
                    redirect(id != null ? 'show' : 'list', 'accounts', id);
                }}
            />
        </>
    );
};
