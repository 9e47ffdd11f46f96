import { stateChoices } from '../../providers/vocabulary';
import MoveDownIcon from '@mui/icons-material/MoveDown';
import CheckIcon from '@mui/icons-material/Check';
import CloseIcon from '@mui/icons-material/Close';
import HowToRegIcon from '@mui/icons-material/HowToReg';
import UndoIcon from '@mui/icons-material/Undo';
import { useState } from 'react';
import {
    Alert, Button as MuiButton, Chip, Dialog, DialogActions, DialogContent, DialogTitle, MenuItem, TextField as MuiTextField,
} from '@mui/material';
import {
    Button, Confirm, Datagrid, DateField, FunctionField, List, NullableBooleanInput, SelectField, SelectInput, TextField, TopToolbar,
    usePermissions, useNotify, useRecordContext, useRefresh, useTranslate,
} from 'react-admin';
import { httpClient } from '../../providers/http';
import { useApi } from '../../providers/useApi';
import { useDictionaries } from '../children/useDictionaries';

export const transferStates = () => stateChoices('transfers.state');
const sides = ['incoming', 'outgoing'].map((id) => ({ id, name: `resources.transfers.side.${id}` }));

const post = async (url: string, data: Record<string, unknown>) => (await httpClient(url, { method: 'POST', body: JSON.stringify({ data }) })).json?.data;
const reasonOf = (failure: any) => {
    const details = failure?.body?.error?.details?.errors;
    return Array.isArray(details) && details.length ? details.map((d: any) => d.message).join('；') : failure.message;
};

/** A small dialog with the fields of one transfer step. */
const StepDialog = ({ open, title, onClose, onSubmit, children, error }: { open: boolean; title: string; onClose: () => void; onSubmit: () => void; children: React.ReactNode; error: string | null }) => {
    const translate = useTranslate();
    return (
        <Dialog open={open} onClose={onClose} maxWidth="sm" fullWidth>
            <DialogTitle>{translate(title)}</DialogTitle>
            <DialogContent sx={{ display: 'grid', gap: 2, pt: '8px !important' }}>
                {error && <Alert severity="error">{error}</Alert>}
                {children}
            </DialogContent>
            <DialogActions>
                <MuiButton onClick={onClose}>{translate('ra.action.cancel')}</MuiButton>
                <MuiButton variant="contained" onClick={onSubmit}>{translate('ra.action.confirm')}</MuiButton>
            </DialogActions>
        </Dialog>
    );
};

/** 申请转入: the receiving kindergarten names the child by 学籍号, or by document type and number. */
const ApplyButton = () => {
    const translate = useTranslate();
    const notify = useNotify();
    const refresh = useRefresh();
    const dictionary = useDictionaries();
    const [open, setOpen] = useState(false);
    const [values, setValues] = useState<Record<string, string>>({ idType: '1' });
    const [error, setError] = useState<string | null>(null);
    const field = (name: string, props: Record<string, unknown> = {}) => (
        <MuiTextField name={name} label={translate(`resources.transfers.fields.${name}`)} value={values[name] ?? ''} onChange={(e) => setValues({ ...values, [name]: e.target.value })} {...props} />
    );
    const submit = async () => {
        try {
            const data = values.studentNumber ? { studentNumber: values.studentNumber, reason: values.reason } : values;
            await post('/api/transfers', data);
            setOpen(false);
            notify('resources.transfers.notify.applied', { type: 'success' });
            refresh();
        } catch (failure: any) {
            setError(reasonOf(failure));
        }
    };
    return (
        <>
            <Button label="resources.transfers.actions.apply" onClick={() => { setValues({ idType: '1' }); setError(null); setOpen(true); }}><MoveDownIcon /></Button>
            <StepDialog open={open} title="resources.transfers.actions.apply" onClose={() => setOpen(false)} onSubmit={submit} error={error}>
                <Alert severity="info">{translate('resources.transfers.help.apply')}</Alert>
                {field('studentNumber')}
                {field('idType', { select: true, children: dictionary('idType').map((c) => <MenuItem key={c.id} value={c.id}>{c.name}</MenuItem>) })}
                {field('idNumber')}
                {field('reason', { multiline: true, minRows: 2 })}
            </StepDialog>
        </>
    );
};

/** 同意 / 拒绝 (sending kindergarten) and 完成转入 (receiving kindergarten, choosing the class). */
const RowActions = () => {
    const record = useRecordContext();
    const translate = useTranslate();
    const notify = useNotify();
    const refresh = useRefresh();
    const { permissions: level } = usePermissions();
    const [dialog, setDialog] = useState<'refuse' | 'complete' | null>(null);
    const [confirming, setConfirming] = useState(false);
    // Likely duplicates in this kindergarten are shown once; confirming again goes on (acknowledgeCandidates).
    const [candidatesShown, setCandidatesShown] = useState(false);
    const [text, setText] = useState('');
    const [error, setError] = useState<string | null>(null);
    const { data: classes } = useApi<{ data: { documentId: string; name: string }[] }>(
        record?.actions?.includes('complete') ? '/api/school-classes?pagination[pageSize]=200&sort=name:asc' : null,
    );
    // the transitions the caller may take now, as the server answers them (record.actions)
    const may = (action: string) => Array.isArray(record?.actions) && record.actions.includes(action);
    if (!record || level !== 'institution') return null;
    const act = async (action: string, data: Record<string, unknown>) => {
        try {
            await post(`/api/transfers/${record.id}/${action}`, { ...data, version: record.version });
            setDialog(null);
            notify(`resources.transfers.notify.${action}`, { type: 'success' });
            refresh();
        } catch (failure: any) {
            const candidates = failure?.body?.error?.details?.candidates;
            if (Array.isArray(candidates) && candidates.length) {
                setCandidatesShown(true);
                setError(`${reasonOf(failure)}：${candidates.map((c: any) => `${c.name ?? ''}（${(c.reasons ?? []).join('、')}）`).join('；')}`);
            } else if (dialog) setError(reasonOf(failure));
            else notify(reasonOf(failure), { type: 'error' });
        }
    };
    const stop = (e: React.MouseEvent) => e.stopPropagation();
    return (
        <span onClick={stop}>
            {may('agree') && <Button label="resources.transfers.actions.agree" onClick={() => act('agree', {})}><CheckIcon /></Button>}
            {may('refuse') && <Button label="resources.transfers.actions.refuse" color="error" onClick={() => { setText(''); setError(null); setDialog('refuse'); }}><CloseIcon /></Button>}
            {may('complete') && (
                <Button label="resources.transfers.actions.complete" onClick={() => { setText(''); setError(null); setCandidatesShown(false); setDialog('complete'); }}><HowToRegIcon /></Button>
            )}
            {may('cancel') && (
                <Button label="resources.transfers.actions.cancel" color="warning" onClick={() => setConfirming(true)}><UndoIcon /></Button>
            )}
            <Confirm isOpen={confirming} title="resources.transfers.actions.cancel" content="resources.transfers.help.cancel" onConfirm={() => { setConfirming(false); act('cancel', {}); }} onClose={() => setConfirming(false)} />
            <StepDialog open={dialog === 'refuse'} title="resources.transfers.actions.refuse" onClose={() => setDialog(null)} onSubmit={() => act('refuse', { reason: text })} error={error}>
                <MuiTextField multiline minRows={3} required label={translate('resources.transfers.fields.refusalReason')} value={text} onChange={(e) => setText(e.target.value)} />
            </StepDialog>
            <StepDialog open={dialog === 'complete'} title="resources.transfers.actions.complete" onClose={() => setDialog(null)} onSubmit={() => act('complete', { schoolClass: text, acknowledgeCandidates: candidatesShown })} error={error}>
                <Alert severity="info">{translate('resources.transfers.help.complete')}</Alert>
                <MuiTextField select required label={translate('resources.transfers.fields.toClassName')} value={text} onChange={(e) => setText(e.target.value)}>
                    {(classes?.data ?? []).map((c) => <MenuItem key={c.documentId} value={c.documentId}>{c.name}</MenuItem>)}
                </MuiTextField>
            </StepDialog>
        </span>
    );
};

/**
 * 转园: each side's transfers (incoming and outgoing for a kindergarten; both counties' for the
 * regional levels), with overdue ones flagged; the receiver sees only the child's name and masked
 * numbers until the transfer is completed.
 */
export const TransferList = () => {
    const { permissions: level } = usePermissions();
    const translate = useTranslate();
    const filters = [
        <SelectInput key="state" source="state" choices={transferStates()} alwaysOn />,
        ...(level === 'institution' ? [<SelectInput key="direction" source="direction" choices={sides} alwaysOn />] : []),
        <NullableBooleanInput key="overdue" source="overdue" />,
    ];
    return (
        <List empty={false} filters={filters} actions={level === 'institution' ? <TopToolbar><ApplyButton /></TopToolbar> : <TopToolbar />} sort={{ field: 'appliedOn', order: 'DESC' }}>
            <Datagrid bulkActionButtons={false} rowClick={false}>
                <TextField source="childName" />
                <TextField source="idNumberMasked" emptyText="—" />
                <TextField source="studentNumberMasked" emptyText="—" />
                <TextField source="fromKindergartenName" />
                <TextField source="toKindergartenName" />
                {level === 'institution' && <SelectField source="side" choices={sides} />}
                <SelectField source="state" choices={transferStates()} />
                <DateField source="appliedOn" locales="zh-CN" />
                <FunctionField source="dueAt" render={(record: any) => (
                    <>
                        {record.dueAt}
                        {record.overdue && <Chip size="small" color="error" label={translate('resources.transfers.overdue')} sx={{ ml: 1 }} />}
                    </>
                )} />
                <TextField source="refusalReason" emptyText="" />
                <RowActions />
            </Datagrid>
        </List>
    );
};

export default { list: TransferList, icon: MoveDownIcon };
