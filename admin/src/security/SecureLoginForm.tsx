import { useState } from 'react';
import { Button, CardContent, CircularProgress, TextField } from '@mui/material';
import { useLogin, useNotify, useSafeSetState, useTranslate } from 'react-admin';

/**
 * The login form: username and password, and the one-time code once the server asks for it
 * (TOTP_REQUIRED). Errors are the server's: lock, wrong code, 503.
 */
export const SecureLoginForm = () => {
    const translate = useTranslate();
    const login = useLogin();
    const notify = useNotify();
    const [loading, setLoading] = useSafeSetState(false);
    const [askTotp, setAskTotp] = useState(false);
    const [values, setValues] = useState({ username: '', password: '', totp: '' });
    const change = (field: keyof typeof values) => (event: React.ChangeEvent<HTMLInputElement>) =>
        setValues({ ...values, [field]: event.target.value });

    const submit = (event: React.FormEvent) => {
        event.preventDefault();
        setLoading(true);
        login({ username: values.username, password: values.password, totp: askTotp ? values.totp : undefined })
            .catch((error: any) => {
                const code = error?.body?.error?.details?.code;
                if (code === 'TOTP_REQUIRED' || code === 'TOTP_INVALID') setAskTotp(true);
                notify(typeof error === 'string' ? error : error?.message || 'ra.auth.sign_in_error', { type: 'error' });
            })
            .finally(() => setLoading(false));
    };

    return (
        <form onSubmit={submit} noValidate>
            <CardContent sx={{ width: 300, minWidth: 300 }}>
                <TextField name="username" label={translate('ra.auth.username')} autoComplete="username" autoFocus fullWidth margin="dense" required value={values.username} onChange={change('username')} />
                <TextField name="password" type="password" label={translate('ra.auth.password')} autoComplete="current-password" fullWidth margin="dense" required value={values.password} onChange={change('password')} />
                {askTotp && (
                    <TextField name="totp" label={translate('app.security.login.totp')} autoComplete="one-time-code" inputProps={{ inputMode: 'numeric', maxLength: 6 }} autoFocus fullWidth margin="dense" value={values.totp} onChange={change('totp')} />
                )}
                <Button variant="contained" type="submit" color="primary" disabled={loading} fullWidth sx={{ mt: 2 }}>
                    {loading ? <CircularProgress size={19} thickness={3} /> : translate('ra.auth.sign_in')}
                </Button>
            </CardContent>
        </form>
    );
};
