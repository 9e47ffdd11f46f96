import { useEffect, useState } from 'react';
import { Alert, Box, Button, Card, CardContent, Checkbox, FormControl, FormControlLabel, FormGroup, FormHelperText, FormLabel, Stack, TextField, Typography } from '@mui/material';
import { Title, useNotify, usePermissions, useTranslate } from 'react-admin';
import { httpClient } from '../providers/http';
import { fieldErrorsOf, reasonOf, useReloadable } from '../settings/useReloadable';

type Field = { key: string; kind: 'integer' | 'levels' | 'adminRoles'; min?: number; max?: number; level3Min?: number; level3Max?: number; level3Includes?: string[] };
type Choice = { key: string; name: string };
type Values = Record<string, number | string[]>;
type View = {
    policy: Values;
    defaults: Values;
    changed: string[];
    fields: Field[];
    choices: { levels: Choice[]; adminRoles: Choice[] };
    fixed: { auditRetentionDays: number };
    changedBy: string | null;
    changedAt: string | null;
};

const SECTIONS = ['password', 'lockout', 'session', 'rateLimit', 'totp'] as const;
const messageKey = (key: string) => key.replace('.', '_');
const toNumber = (text: string) => (/^\d+$/.test(text.trim()) ? Number(text) : text);

/**
 * 安全策略 (三员): the security administrator edits the password rules, lockout, sessions,
 * the login rate limit and who must use a second factor, within the bounds and the MLPS level 3
 * floor the server enforces (config/security-policy.json); in force at once, without a restart.
 * Anyone else who reaches the page sees it read-only.
 */
export const PolicyPage = () => {
    const translate = useTranslate();
    const notify = useNotify();
    const { permissions: level } = usePermissions();
    const editable = level === 'secadmin';
    const { data: view, reload } = useReloadable<View>('/api/security-policy');
    const [form, setForm] = useState<Record<string, string | string[]>>({});
    const [errors, setErrors] = useState<Record<string, string>>({});
    useEffect(() => {
        if (!view) return;
        setForm(Object.fromEntries(view.fields.map((f) => [f.key, Array.isArray(view.policy[f.key]) ? [...(view.policy[f.key] as string[])] : String(view.policy[f.key])])));
    }, [view]);
    if (!view || !Object.keys(form).length) return null;

    const send = async (data: object, saved: string) => {
        try {
            await httpClient('/api/security-policy', { method: 'PUT', body: JSON.stringify({ data }) });
            setErrors({});
            notify(saved, { type: 'success' });
            reload();
        } catch (failure) {
            setErrors(fieldErrorsOf(failure));
            notify(reasonOf(failure), { type: 'error' });
        }
    };
    const save = () => {
        const data: Record<string, Record<string, unknown>> = {};
        for (const f of view.fields) {
            const [section, name] = f.key.split('.');
            const value = form[f.key];
            data[section] = { ...(data[section] ?? {}), [name]: Array.isArray(value) ? value : toNumber(value ?? '') };
        }
        return send(data, 'app.security.policy.saved');
    };

    const helper = (f: Field) => {
        const parts = [];
        if (f.kind === 'integer') parts.push(translate('app.security.policy.bounds', { min: f.min, max: f.max }));
        if (f.level3Min !== undefined) parts.push(translate('app.security.policy.floor_min', { value: f.level3Min }));
        if (f.level3Max !== undefined) parts.push(translate('app.security.policy.floor_max', { value: f.level3Max }));
        if (f.level3Includes?.length) parts.push(translate('app.security.policy.floor_roles'));
        const fallback = view.defaults[f.key];
        parts.push(translate('app.security.policy.default_value', { value: Array.isArray(fallback) ? fallback.map((key) => nameOf(f, key)).join('、') || '—' : fallback }));
        return parts.join('；');
    };
    const nameOf = (f: Field, key: string) => (f.kind === 'integer' ? key : view.choices[f.kind].find((c) => c.key === key)?.name ?? key);

    const input = (f: Field) => {
        const label = translate(`app.security.policy.fields.${messageKey(f.key)}`);
        if (f.kind === 'integer') {
            return (
                <TextField
                    key={f.key}
                    fullWidth
                    size="small"
                    name={f.key}
                    label={label}
                    value={form[f.key] ?? ''}
                    disabled={!editable}
                    onChange={(e) => setForm({ ...form, [f.key]: e.target.value })}
                    error={Boolean(errors[f.key])}
                    helperText={errors[f.key] ?? helper(f)}
                    inputProps={{ inputMode: 'numeric' }}
                />
            );
        }
        const selected = (form[f.key] as string[] | undefined) ?? [];
        const toggle = (key: string, on: boolean) =>
            setForm({ ...form, [f.key]: on ? [...selected, key] : selected.filter((item) => item !== key) });
        return (
            <FormControl key={f.key} error={Boolean(errors[f.key])} component="fieldset" data-field={f.key}>
                <FormLabel component="legend">{label}</FormLabel>
                <FormGroup row>
                    {view.choices[f.kind].map((choice) => (
                        <FormControlLabel
                            key={choice.key}
                            label={choice.name}
                            control={
                                <Checkbox
                                    name={`${f.key}.${choice.key}`}
                                    checked={selected.includes(choice.key)}
                                    disabled={!editable || Boolean(f.level3Includes?.includes(choice.key))}
                                    onChange={(e) => toggle(choice.key, e.target.checked)}
                                />
                            }
                        />
                    ))}
                </FormGroup>
                <FormHelperText>{errors[f.key] ?? helper(f)}</FormHelperText>
            </FormControl>
        );
    };

    return (
        <Card sx={{ mt: 2 }}>
            <Title title="app.security.policy.title" />
            <CardContent>
                <Stack spacing={2}>
                    <Typography variant="h6">{translate('app.security.policy.title')}</Typography>
                    {editable ? (
                        <Alert severity="info">{translate('app.security.policy.hint')}</Alert>
                    ) : (
                        <Alert severity="info">{translate('app.security.policy.read_only')}</Alert>
                    )}
                    {view.changedBy && (
                        <Typography variant="body2" color="text.secondary">
                            {translate('app.security.policy.changed_by', { by: view.changedBy, at: view.changedAt ? new Date(view.changedAt).toLocaleString('zh-CN') : '' })}
                        </Typography>
                    )}
                    {SECTIONS.map((section) => {
                        const fields = view.fields.filter((f) => f.key.startsWith(`${section}.`));
                        if (!fields.length) return null;
                        return (
                            <Box key={section}>
                                <Typography variant="subtitle1" sx={{ mb: 1 }}>{translate(`app.security.policy.sections.${section}`)}</Typography>
                                <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: { xs: '1fr', md: section === 'totp' ? '1fr' : 'repeat(2, 1fr)' } }}>
                                    {fields.map(input)}
                                </Box>
                            </Box>
                        );
                    })}
                    <Typography variant="body2" color="text.secondary">{translate('app.security.policy.audit', { days: view.fixed.auditRetentionDays })}</Typography>
                    {editable && (
                        <Stack direction="row" spacing={2}>
                            <Button variant="contained" onClick={save}>{translate('app.security.policy.save')}</Button>
                            <Button variant="outlined" disabled={!view.changed.length} onClick={() => send({ restoreDefaults: true }, 'app.security.policy.restored')}>
                                {translate('app.security.policy.restore')}
                            </Button>
                        </Stack>
                    )}
                </Stack>
            </CardContent>
        </Card>
    );
};
