import { useEffect, useState } from 'react';
import { Alert, Box, Button, Card, CardContent, Stack, TextField, Typography } from '@mui/material';
import { Title, useNotify, useTranslate } from 'react-admin';
import { httpClient } from '../providers/http';
import { useAllowed } from '../providers/useServerFacts';
import { fieldErrorsOf, reasonOf, useReloadable } from './useReloadable';

type Window = { from: string; to: string };
type Settings = {
    windows: Record<'graduation' | 'promotion' | 'enrollment', Window>;
    monthlyUpdateDay: number;
    overrides: { workdays: string[]; holidays: string[] };
    lifecycleDeadlines: { transferWorkingDays: number; accidentalLeaveWorkingDays: number };
};
type View = { settings: Settings; defaults: Settings; workflows: { key: string; name: string; defaultDays: number; dueWorkingDays: number }[] };

const WINDOWS = ['graduation', 'promotion', 'enrollment'] as const;
const lines = (text: string) => text.split(/[\s,，、]+/).map((s) => s.trim()).filter(Boolean);
const toNumber = (text: string) => (/^\d+$/.test(text.trim()) ? Number(text) : text);

/**
 * 校历与期限: the province edits the lifecycle windows, the monthly update day, the deadlines in
 * working days and the working-day overrides (config/calendar.json is the default). In force at
 * once for every window and due date; a bad value is named under its field.
 */
export const CalendarSettingsPage = () => {
    const translate = useTranslate();
    const notify = useNotify();
    // who edits: the permission matrix (calendar × edit), as /api/me says
    const editable = useAllowed()('calendar', 'edit');
    const { data: view, reload } = useReloadable<View>('/api/calendar-settings');
    const [form, setForm] = useState<Record<string, string>>({});
    const [errors, setErrors] = useState<Record<string, string>>({});
    useEffect(() => {
        if (!view) return;
        const s = view.settings;
        setForm({
            ...Object.fromEntries(WINDOWS.flatMap((w) => [[`windows.${w}.from`, s.windows[w]?.from ?? ''], [`windows.${w}.to`, s.windows[w]?.to ?? '']])),
            monthlyUpdateDay: String(s.monthlyUpdateDay),
            'lifecycleDeadlines.transferWorkingDays': String(s.lifecycleDeadlines.transferWorkingDays),
            'lifecycleDeadlines.accidentalLeaveWorkingDays': String(s.lifecycleDeadlines.accidentalLeaveWorkingDays),
            ...Object.fromEntries(view.workflows.map((w) => [`reviewDeadlines.${w.key}`, String(w.dueWorkingDays)])),
            'overrides.workdays': s.overrides.workdays.join('\n'),
            'overrides.holidays': s.overrides.holidays.join('\n'),
        });
    }, [view]);
    if (!view) return null;
    const field = (path: string, label: string, helper?: string, extra: object = {}) => (
        <TextField
            fullWidth
            size="small"
            name={path}
            label={label}
            value={form[path] ?? ''}
            disabled={!editable}
            onChange={(e) => setForm({ ...form, [path]: e.target.value })}
            error={Boolean(errors[path])}
            helperText={errors[path] ?? helper ?? ' '}
            {...extra}
        />
    );
    const save = async () => {
        const data = {
            windows: Object.fromEntries(WINDOWS.map((w) => [w, { from: form[`windows.${w}.from`], to: form[`windows.${w}.to`] }])),
            monthlyUpdateDay: toNumber(form.monthlyUpdateDay),
            lifecycleDeadlines: {
                transferWorkingDays: toNumber(form['lifecycleDeadlines.transferWorkingDays']),
                accidentalLeaveWorkingDays: toNumber(form['lifecycleDeadlines.accidentalLeaveWorkingDays']),
            },
            reviewDeadlines: Object.fromEntries(view.workflows.map((w) => [w.key, toNumber(form[`reviewDeadlines.${w.key}`])])),
            overrides: { workdays: lines(form['overrides.workdays'] ?? ''), holidays: lines(form['overrides.holidays'] ?? '') },
        };
        try {
            await httpClient('/api/calendar-settings', { method: 'PUT', body: JSON.stringify({ data }) });
            setErrors({});
            notify('app.settings.calendar.saved', { type: 'success' });
            reload();
        } catch (failure) {
            const byField = fieldErrorsOf(failure);
            // a date of a list is named by its index: show it under the list
            for (const [path, message] of Object.entries(byField)) {
                const list = path.match(/^(overrides\.(?:workdays|holidays))\.\d+$/);
                if (list) byField[list[1]] = message;
            }
            setErrors(byField);
            notify(reasonOf(failure), { type: 'error' });
        }
    };
    const defaults = view.defaults;
    return (
        <Card sx={{ mt: 2 }}>
            <Title title="app.settings.calendar.title" />
            <CardContent>
                <Stack spacing={2}>
                    {!editable && <Alert severity="info">{translate('app.settings.calendar.read_only')}</Alert>}
                    <Typography variant="h6">{translate('app.settings.calendar.windows')}</Typography>
                    <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: { xs: '1fr', md: 'repeat(3, 1fr)' } }}>
                        {WINDOWS.map((w) => (
                            <Box key={w}>
                                <Typography variant="subtitle2">{translate(`app.settings.calendar.window_${w}`)}</Typography>
                                <Stack direction="row" spacing={1}>
                                    {field(`windows.${w}.from`, translate('app.settings.calendar.from'), translate('app.settings.calendar.default_value', { value: defaults.windows[w]?.from }))}
                                    {field(`windows.${w}.to`, translate('app.settings.calendar.to'), translate('app.settings.calendar.default_value', { value: defaults.windows[w]?.to }))}
                                </Stack>
                            </Box>
                        ))}
                    </Box>
                    <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: { xs: '1fr', md: 'repeat(3, 1fr)' } }}>
                        <Box>{field('monthlyUpdateDay', translate('app.settings.calendar.monthly_day'), translate('app.settings.calendar.default_value', { value: defaults.monthlyUpdateDay }))}</Box>
                    </Box>
                    <Typography variant="h6">{translate('app.settings.calendar.deadlines')}</Typography>
                    <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: { xs: '1fr', md: 'repeat(3, 1fr)' } }}>
                        <Box>{field('lifecycleDeadlines.transferWorkingDays', translate('app.settings.calendar.transfer_days'), translate('app.settings.calendar.default_value', { value: defaults.lifecycleDeadlines.transferWorkingDays }))}</Box>
                        <Box>{field('lifecycleDeadlines.accidentalLeaveWorkingDays', translate('app.settings.calendar.accidental_days'), translate('app.settings.calendar.default_value', { value: defaults.lifecycleDeadlines.accidentalLeaveWorkingDays }))}</Box>
                    </Box>
                    <Typography variant="h6">{translate('app.settings.calendar.review_deadlines')}</Typography>
                    <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: { xs: '1fr', md: 'repeat(3, 1fr)' } }}>
                        {view.workflows.map((w) => (
                            <Box key={w.key}>
                                {field(`reviewDeadlines.${w.key}`, w.name, translate('app.settings.calendar.default_value', { value: w.defaultDays }))}
                            </Box>
                        ))}
                    </Box>
                    <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: { xs: '1fr', md: 'repeat(3, 1fr)' } }}>
                        <Box>{field('overrides.workdays', translate('app.settings.calendar.workdays'), undefined, { multiline: true, minRows: 3 })}</Box>
                        <Box>{field('overrides.holidays', translate('app.settings.calendar.holidays'), undefined, { multiline: true, minRows: 3 })}</Box>
                    </Box>
                    {editable && (
                        <div>
                            <Button variant="contained" onClick={save}>{translate('app.settings.calendar.save')}</Button>
                        </div>
                    )}
                </Stack>
            </CardContent>
        </Card>
    );
};
