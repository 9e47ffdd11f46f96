import { useEffect, useState } from 'react';
import { Alert, Box, Button, Card, CardContent, TextField, Typography } from '@mui/material';
import { useLogout, useNotify, useTranslate } from 'react-admin';
import { httpClient } from '../providers/http';
import { getPending, setPending } from '../providers/session';

const errorOf = (error: any, field: string): string | undefined =>
    error?.body?.error?.details?.errors?.find((e: any) => e.path?.[0] === field)?.message;

/**
 * What a session must do before anything else (the server answers 403 to everything else):
 * change a first-login, reset or expired password; enrol a second factor (TOTP).
 */
export const DutyPage = () => {
    const translate = useTranslate();
    const notify = useNotify();
    const logout = useLogout();
    const [pending, setLocalPending] = useState(getPending());
    const [form, setForm] = useState({ currentPassword: '', password: '', confirm: '', code: '' });
    const [errors, setErrors] = useState<Record<string, string | undefined>>({});
    // the rules in force (the security administrator may change them), stated before the user types
    const [rules, setRules] = useState({ minLength: 10, minKinds: 3, historySize: 5 });
    useEffect(() => {
        httpClient('/api/auth/password-rules').then(({ json }: any) => json?.data && setRules(json.data)).catch(() => undefined);
    }, []);
    const [enrolment, setEnrolment] = useState<{ secret: string; otpauthUri: string } | null>(null);
    const change = (field: keyof typeof form) => (event: React.ChangeEvent<HTMLInputElement>) => setForm({ ...form, [field]: event.target.value });

    const done = (next: string[]) => {
        setPending(next);
        setLocalPending(next);
        if (!next.length) {
            // Permissions and menus are read afresh once every duty is done.
            window.location.hash = '#/';
            window.location.reload();
        }
    };

    const changePassword = async (event: React.FormEvent) => {
        event.preventDefault();
        if (form.password !== form.confirm) return setErrors({ confirm: translate('app.security.duty.mismatch') });
        try {
            const { json } = await httpClient('/api/auth/change-password', {
                method: 'POST',
                body: JSON.stringify({ currentPassword: form.currentPassword, password: form.password, passwordConfirmation: form.confirm }),
            });
            setErrors({});
            notify('app.security.duty.saved', { type: 'success' });
            done(json.pending ?? []);
        } catch (error: any) {
            setErrors({ currentPassword: errorOf(error, 'currentPassword'), password: errorOf(error, 'password') ?? (errorOf(error, 'currentPassword') ? undefined : error?.message) });
        }
    };

    const startTotp = async () => {
        try {
            const { json } = await httpClient('/api/auth/totp/setup', { method: 'POST' });
            setEnrolment(json);
        } catch (error: any) {
            notify(error?.message || 'ra.notification.http_error', { type: 'error' });
        }
    };

    const enableTotp = async (event: React.FormEvent) => {
        event.preventDefault();
        try {
            const { json } = await httpClient('/api/auth/totp/enable', { method: 'POST', body: JSON.stringify({ code: form.code }) });
            notify('app.security.duty.enabled', { type: 'success' });
            done(json.pending ?? []);
        } catch (error: any) {
            setErrors({ code: errorOf(error, 'code') ?? error?.message });
        }
    };

    return (
        <Box sx={{ display: 'flex', justifyContent: 'center', alignItems: 'flex-start', minHeight: '100vh', bgcolor: 'background.default', pt: 8 }}>
            <Card sx={{ width: 480 }}>
                <CardContent>
                    <Typography variant="h5" gutterBottom>{translate('app.security.duty.title')}</Typography>
                    {pending.includes('password') ? (
                        <form onSubmit={changePassword} noValidate>
                            <Typography variant="h6">{translate('app.security.duty.password_title')}</Typography>
                            <Alert severity="info" sx={{ my: 1 }}>{translate('app.security.duty.password_hint', { min: rules.minLength, kinds: rules.minKinds, history: rules.historySize })}</Alert>
                            <TextField name="currentPassword" type="password" label={translate('app.security.duty.current')} autoComplete="current-password" fullWidth margin="dense" value={form.currentPassword} onChange={change('currentPassword')} error={Boolean(errors.currentPassword)} helperText={errors.currentPassword} />
                            <TextField name="newPassword" type="password" label={translate('app.security.duty.next')} autoComplete="new-password" fullWidth margin="dense" value={form.password} onChange={change('password')} error={Boolean(errors.password)} helperText={errors.password} />
                            <TextField name="confirmPassword" type="password" label={translate('app.security.duty.confirm')} autoComplete="new-password" fullWidth margin="dense" value={form.confirm} onChange={change('confirm')} error={Boolean(errors.confirm)} helperText={errors.confirm} />
                            <Button type="submit" variant="contained" fullWidth sx={{ mt: 2 }}>{translate('app.security.duty.save')}</Button>
                        </form>
                    ) : pending.includes('totp') ? (
                        <form onSubmit={enableTotp} noValidate>
                            <Typography variant="h6">{translate('app.security.duty.totp_title')}</Typography>
                            <Alert severity="info" sx={{ my: 1 }}>{translate('app.security.duty.totp_hint')}</Alert>
                            {enrolment ? (
                                <>
                                    <TextField label={translate('app.security.duty.secret')} value={enrolment.secret} fullWidth margin="dense" InputProps={{ readOnly: true }} />
                                    <TextField label={translate('app.security.duty.uri')} value={enrolment.otpauthUri} fullWidth margin="dense" multiline InputProps={{ readOnly: true }} />
                                    <TextField name="code" label={translate('app.security.duty.code')} inputProps={{ inputMode: 'numeric', maxLength: 6 }} fullWidth margin="dense" value={form.code} onChange={change('code')} error={Boolean(errors.code)} helperText={errors.code} />
                                    <Button type="submit" variant="contained" fullWidth sx={{ mt: 2 }}>{translate('app.security.duty.enable')}</Button>
                                </>
                            ) : (
                                <Button variant="contained" fullWidth onClick={startTotp}>{translate('app.security.duty.totp_start')}</Button>
                            )}
                        </form>
                    ) : null}
                    <Button sx={{ mt: 2 }} fullWidth onClick={() => done([])}>{translate('ra.action.back')}</Button>
                    <Button fullWidth onClick={() => logout()}>{translate('app.security.duty.logout')}</Button>
                </CardContent>
            </Card>
        </Box>
    );
};
