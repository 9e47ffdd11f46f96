import SwapHorizIcon from '@mui/icons-material/SwapHoriz';
import ExitToAppIcon from '@mui/icons-material/ExitToApp';
import ReportIcon from '@mui/icons-material/Report';
import EditNoteIcon from '@mui/icons-material/EditNote';
import RestoreIcon from '@mui/icons-material/Restore';
import { useState } from 'react';
import {
    Alert, Box, Button as MuiButton, Chip, Dialog, DialogActions, DialogContent, DialogTitle, Link, MenuItem, Step, StepContent, StepLabel,
    Stepper, TextField as MuiTextField, Typography,
} from '@mui/material';
import { Button, useNotify, usePermissions, useRecordContext, useRedirect, useRefresh, useTranslate } from 'react-admin';
import { httpClient } from '../../providers/http';
import { useApi } from '../../providers/useApi';
import { useDictionaries } from '../children/useDictionaries';
import { serverFacts } from '../../providers/useServerFacts';

export type ChildEvent = {
    id: string;
    type: string;
    before: Record<string, unknown> | null;
    after: Record<string, unknown> | null;
    reasonCode: string | null;
    reasonName: string | null;
    reason: string | null;
    occurredOn: string | null;
    occurredAt: string;
    late: boolean;
    actorName: string | null;
    requestId: string | null;
    transferId: string | null;
    evidence: { id: string; name: string; url: string }[];
};

const SHOWN = ['status', 'className', 'grade', 'schoolYear', 'kindergarten', 'name', 'sex', 'birthDate', 'idType', 'idNumberMasked', 'dueAt'];

/** One value of an event's before/after, in words where a code has a name. */
const useValueText = () => {
    const translate = useTranslate();
    return (field: string, value: unknown) => {
        if (value === null || value === undefined || value === '') return '—';
        if (field === 'status') return translate(`resources.children.status.${value}`, { _: String(value) });
        if (field === 'grade') return translate(`resources.lifecycle.grades.${value}`, { _: String(value) });
        if (field === 'sex') return translate(`resources.lifecycle.sex.${value}`, { _: String(value) });
        return String(value);
    };
};

/** The changes of one event: field, before → after. */
const Changes = ({ event }: { event: ChildEvent }) => {
    const translate = useTranslate();
    const text = useValueText();
    const fields = SHOWN.filter((field) => (event.before && field in event.before) || (event.after && field in event.after))
        .filter((field) => String(event.before?.[field] ?? '') !== String(event.after?.[field] ?? ''));
    if (!fields.length) return null;
    return (
        <Box component="ul" sx={{ m: 0, pl: 2 }}>
            {fields.map((field) => (
                <li key={field}>
                    <Typography variant="body2">
                        {translate(`resources.lifecycle.values.${field}`, { _: field })}：{event.before && field in event.before ? `${text(field, event.before[field])} → ` : ''}
                        <b>{text(field, event.after?.[field])}</b>
                    </Typography>
                </li>
            ))}
        </Box>
    );
};

/** 学籍档案: the child's history as a vertical timeline, oldest first. */
export const ChildHistory = ({ childId, version = 0 }: { childId: string; version?: number }) => {
    const translate = useTranslate();
    const { data, isPending, error } = useApi<{ data: ChildEvent[] }>(`/api/children/${childId}/history?v=${version}`);
    if (isPending) return <Typography variant="body2">{translate('ra.page.loading')}</Typography>;
    if (error) return <Alert severity="error">{error.message}</Alert>;
    const events = data?.data ?? [];
    if (!events.length) return <Typography variant="body2">{translate('resources.lifecycle.history.empty')}</Typography>;
    return (
        <Stepper orientation="vertical" nonLinear className="child-history">
            {events.map((event) => (
                <Step key={event.id} active expanded completed>
                    <StepLabel optional={<Typography variant="caption">{event.occurredOn ?? event.occurredAt.slice(0, 10)} · {event.actorName ?? ''}</Typography>}>
                        {translate(`resources.lifecycle.types.${event.type}`, { _: event.type })}
                        {event.late && <Chip size="small" color="warning" label={translate('resources.lifecycle.history.late')} sx={{ ml: 1 }} />}
                    </StepLabel>
                    <StepContent>
                        <Changes event={event} />
                        {(event.reasonName || event.reason) && (
                            <Typography variant="body2" color="text.secondary">
                                {translate('resources.lifecycle.history.reason')}：{[event.reasonName, event.reason !== event.reasonName ? event.reason : null].filter(Boolean).join('，')}
                            </Typography>
                        )}
                        {event.requestId && (
                            <Typography variant="body2"><Link href={`#/requests/${event.requestId}/show`}>{translate('resources.lifecycle.history.request')}</Link></Typography>
                        )}
                        {event.evidence.map((file) => (
                            <Typography key={file.id} variant="body2"><Link href={file.url} target="_blank" rel="noreferrer">{file.name}</Link></Typography>
                        ))}
                    </StepContent>
                </Step>
            ))}
        </Stepper>
    );
};

type DialogField = { name: string; type?: 'text' | 'date' | 'select' | 'multiline'; choices?: { id: string; name: string }[]; required?: boolean };

/** A dialog of a few fields that posts to one lifecycle route; the server's reason shows on failure. */
const ActionDialog = ({
    label, icon, fields, initial = {}, submit, disabled,
}: {
    label: string; icon: React.ReactElement; fields: DialogField[]; initial?: Record<string, string>;
    submit: (values: Record<string, string>, files: File[]) => Promise<void>; disabled?: boolean; withFiles?: boolean;
}) => {
    const translate = useTranslate();
    const [open, setOpen] = useState(false);
    const [values, setValues] = useState<Record<string, string>>(initial);
    const [files, setFiles] = useState<File[]>([]);
    const [error, setError] = useState<string | null>(null);
    const [busy, setBusy] = useState(false);
    const withFiles = fields.some((field) => field.name === 'files');
    const run = async () => {
        setBusy(true);
        setError(null);
        try {
            await submit(values, files);
            setOpen(false);
        } catch (failure: any) {
            const details = failure?.body?.error?.details?.errors;
            setError(Array.isArray(details) && details.length ? details.map((d: any) => d.message).join('；') : failure.message);
        } finally {
            setBusy(false);
        }
    };
    return (
        <>
            <Button label={label} onClick={() => { setValues(initial); setFiles([]); setError(null); setOpen(true); }} disabled={disabled}>{icon}</Button>
            <Dialog open={open} onClose={() => setOpen(false)} maxWidth="sm" fullWidth>
                <DialogTitle>{translate(label)}</DialogTitle>
                <DialogContent sx={{ display: 'grid', gap: 2, pt: '8px !important' }}>
                    {error && <Alert severity="error">{error}</Alert>}
                    {fields.filter((field) => field.name !== 'files').map((field) => (
                        <MuiTextField
                            key={field.name}
                            name={field.name}
                            label={translate(`resources.lifecycle.fields.${field.name}`)}
                            required={field.required}
                            select={field.type === 'select'}
                            type={field.type === 'date' ? 'date' : 'text'}
                            multiline={field.type === 'multiline'}
                            minRows={field.type === 'multiline' ? 2 : undefined}
                            InputLabelProps={field.type === 'date' ? { shrink: true } : undefined}
                            value={values[field.name] ?? ''}
                            onChange={(e) => setValues({ ...values, [field.name]: e.target.value })}
                        >
                            {(field.choices ?? []).map((choice) => <MenuItem key={choice.id} value={choice.id}>{choice.name}</MenuItem>)}
                        </MuiTextField>
                    ))}
                    {withFiles && (
                        <Box>
                            <Typography variant="body2" gutterBottom>{translate('resources.lifecycle.fields.files')}</Typography>
                            <input type="file" name="files" multiple accept="image/*,application/pdf" onChange={(e) => setFiles(Array.from(e.target.files ?? []))} />
                        </Box>
                    )}
                </DialogContent>
                <DialogActions>
                    <MuiButton onClick={() => setOpen(false)}>{translate('ra.action.cancel')}</MuiButton>
                    <MuiButton variant="contained" onClick={run} disabled={busy}>{translate('ra.action.confirm')}</MuiButton>
                </DialogActions>
            </Dialog>
        </>
    );
};

const post = async (url: string, data: Record<string, unknown>) => (await httpClient(url, { method: 'POST', body: JSON.stringify({ data }) })).json?.data;
const clean = (values: Record<string, string>) => Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined && v !== ''));

/**
 * The kindergarten's transitions of one child: 分班/调班, 离园, 意外离园 (with proof), 关键信息变更 (the
 * guardian's application; the request page follows for its evidence and decision) and 学籍恢复.
 */
export const ChildActions = ({ onDone }: { onDone?: () => void }) => {
    const record = useRecordContext();
    const { permissions: level } = usePermissions();
    const dictionary = useDictionaries();
    const notify = useNotify();
    const refresh = useRefresh();
    const redirect = useRedirect();
    const { data: classes } = useApi<{ data: { documentId: string; name: string }[] }>(level === 'institution' ? '/api/school-classes?pagination[pageSize]=200&sort=name:asc' : null);
    if (!record || level !== 'institution') return null;
    const base = `/api/children/${record.id}`;
    const done = (message: string) => {
        notify(message, { type: 'success' });
        refresh();
        onDone?.();
    };
    const inSchool = serverFacts().childStateGroups.inSchool.includes(record.status);
    const classChoices = (classes?.data ?? []).map((c) => ({ id: c.documentId, name: c.name }));
    const today = new Date().toISOString().slice(0, 10);
    return (
        <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 1, mb: 2 }} className="child-actions">
            <ActionDialog
                label="resources.lifecycle.actions.move" icon={<SwapHorizIcon />} disabled={!inSchool}
                fields={[{ name: 'schoolClass', type: 'select', choices: classChoices, required: true }, { name: 'reason' }]}
                submit={async (values) => { await post(`${base}/move`, clean(values)); done('resources.lifecycle.notify.moved'); }}
            />
            <ActionDialog
                label="resources.lifecycle.actions.leave" icon={<ExitToAppIcon />} disabled={!inSchool} initial={{ occurredOn: today }}
                fields={[{ name: 'reasonCode', type: 'select', choices: dictionary('leaveReason'), required: true }, { name: 'occurredOn', type: 'date', required: true }, { name: 'reason', type: 'multiline' }]}
                submit={async (values) => { await post(`${base}/leave`, clean(values)); done('resources.lifecycle.notify.left'); }}
            />
            <ActionDialog
                label="resources.lifecycle.actions.accidental_leave" icon={<ReportIcon />} disabled={!inSchool}
                fields={[{ name: 'occurredOn', type: 'date', required: true }, { name: 'reason', type: 'multiline', required: true }, { name: 'lateReason', type: 'multiline' }, { name: 'files', required: true }]}
                submit={async (values, files) => {
                    const form = new FormData();
                    form.append('data', JSON.stringify(clean(values)));
                    files.forEach((file) => form.append('files', file, file.name));
                    await httpClient(`${base}/accidental-leave`, { method: 'POST', body: form });
                    done('resources.lifecycle.notify.cancelled');
                }}
            />
            <ActionDialog
                label="resources.lifecycle.actions.key_change" icon={<EditNoteIcon />} disabled={!inSchool}
                initial={{ name: record.name ?? '', sex: record.sex ?? '', birthDate: record.birthDate ?? '', idType: record.idType ?? '', idNumber: record.idNumber ?? '' }}
                fields={[
                    { name: 'name' }, { name: 'sex', type: 'select', choices: [{ id: 'male', name: '男' }, { id: 'female', name: '女' }] }, { name: 'birthDate', type: 'date' },
                    { name: 'idType', type: 'select', choices: dictionary('idType') }, { name: 'idNumber' }, { name: 'reason', type: 'multiline', required: true },
                ]}
                submit={async (values) => {
                    const { reason, ...rest } = values;
                    const changes = Object.fromEntries(Object.entries(rest).filter(([field, value]) => value !== '' && String(record[field] ?? '') !== value));
                    const request = await post(`${base}/key-change`, { changes, reason });
                    notify('resources.lifecycle.notify.key_change', { type: 'success' });
                    redirect('show', 'requests', request.id);
                }}
            />
            {serverFacts().childStateGroups.closed.includes(record.status) && (
                <ActionDialog
                    label="resources.lifecycle.actions.restore" icon={<RestoreIcon />}
                    fields={[{ name: 'explanation', type: 'multiline', required: true }]}
                    submit={async (values) => {
                        const request = await post(`${base}/restore`, clean(values));
                        notify('resources.lifecycle.notify.restore', { type: 'success' });
                        redirect('show', 'requests', request.id);
                    }}
                />
            )}
        </Box>
    );
};

/** The 学籍档案 tab of a child's record: the actions above the timeline, which reloads after each. */
export const ChildLifecycle = () => {
    const record = useRecordContext();
    const [version, setVersion] = useState(0);
    if (!record) return null;
    return (
        <Box sx={{ width: '100%' }}>
            <ChildActions onDone={() => setVersion((v) => v + 1)} />
            <ChildHistory childId={String(record.id)} version={version} />
        </Box>
    );
};
