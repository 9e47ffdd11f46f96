import DeleteIcon from '@mui/icons-material/Delete';
import EditIcon from '@mui/icons-material/Edit';
import GavelIcon from '@mui/icons-material/Gavel';
import UploadFileIcon from '@mui/icons-material/UploadFile';
import { useState } from 'react';
import { Alert, Button as MuiButton, Dialog, DialogActions, DialogContent, DialogTitle, TextField as MuiTextField } from '@mui/material';
import { Button, Confirm, TopToolbar, useNotify, usePermissions, useRecordContext, useRedirect, useRefresh, useTranslate } from 'react-admin';
import { httpClient } from '../../providers/http';
import { useApi } from '../../providers/useApi';

type Workflow = 'problem-evidence' | 'arbitration';
const fieldOf: Record<Workflow, 'explanation' | 'claim'> = { 'problem-evidence': 'explanation', arbitration: 'claim' };

/**
 * 提交佐证 / 申请仲裁: a request through the approval mechanism, decided by the county. The
 * request's page follows, where the evidence files are uploaded.
 */
const RequestDialogButton = ({ workflow, icon }: { workflow: Workflow; icon: React.ReactElement }) => {
    const record = useRecordContext();
    const translate = useTranslate();
    const notify = useNotify();
    const redirect = useRedirect();
    const [open, setOpen] = useState(false);
    const [text, setText] = useState('');
    const [error, setError] = useState<string | null>(null);
    if (!record) return null;
    const field = fieldOf[workflow];
    const submit = async () => {
        try {
            const { json } = await httpClient('/api/requests', { method: 'POST', body: JSON.stringify({ data: { type: workflow, subjectId: record.id, changes: { [field]: text } } }) });
            setOpen(false);
            notify('resources.problem-records.request_submitted', { type: 'success' });
            redirect('show', 'requests', json.data.id);
        } catch (failure: any) {
            setError(failure?.body?.errors?.[`changes.${field}`] ?? failure?.body?.errors?.[field] ?? failure.message);
        }
    };
    return (
        <>
            <Button label={`resources.problem-records.actions.${workflow}`} onClick={() => setOpen(true)}>{icon}</Button>
            <Dialog open={open} onClose={() => setOpen(false)} maxWidth="sm" fullWidth>
                <DialogTitle>{translate(`resources.problem-records.actions.${workflow}`)}</DialogTitle>
                <DialogContent sx={{ display: 'grid', gap: 2, pt: '8px !important' }}>
                    <Alert severity="info">{translate(`resources.problem-records.help.${workflow}`)}</Alert>
                    <MuiTextField name={field} multiline minRows={3} required label={translate(`resources.problem-records.fields.${field}`)} value={text} onChange={(e) => setText(e.target.value)} error={Boolean(error)} helperText={error ?? ' '} />
                </DialogContent>
                <DialogActions>
                    <MuiButton onClick={() => setOpen(false)}>{translate('ra.action.cancel')}</MuiButton>
                    <MuiButton variant="contained" onClick={submit} disabled={!text.trim()}>{translate('ra.action.confirm')}</MuiButton>
                </DialogActions>
            </Dialog>
        </>
    );
};

/** 删除该学籍: the record was entered twice by this kindergarten; deleting it resolves the problem. */
const DeleteChildButton = ({ childId }: { childId: string }) => {
    const notify = useNotify();
    const refresh = useRefresh();
    const [open, setOpen] = useState(false);
    const remove = async () => {
        try {
            await httpClient(`/api/children/${childId}`, { method: 'DELETE' });
            notify('resources.problem-records.child_deleted', { type: 'success' });
            refresh();
        } catch (error: any) {
            notify(error.message, { type: 'error' });
        } finally {
            setOpen(false);
        }
    };
    return (
        <>
            <Button label="resources.problem-records.actions.delete_child" onClick={() => setOpen(true)} color="error"><DeleteIcon /></Button>
            <Confirm isOpen={open} title="resources.problem-records.actions.delete_child" content="resources.problem-records.delete_confirm" onConfirm={remove} onClose={() => setOpen(false)} />
        </>
    );
};

/**
 * What the kindergarten can do about an open problem record: correct the child's record (the
 * correction resolves it), delete a record entered twice, file evidence (佐证) or ask the county to
 * arbitrate. The county decides those requests from its inbox (申请与审核).
 */
export const ProblemActions = () => {
    const record = useRecordContext();
    const { permissions: level } = usePermissions();
    const redirect = useRedirect();
    const { data } = useApi<{ data: { child?: { documentId: string } | null } }>(record ? `/api/problem-records/${record.id}?populate[child][fields][0]=documentId` : null);
    const childId = data?.data?.child?.documentId;
    // the transitions the caller may take now, as the server answers them (record.actions)
    const may = (action: string) => Array.isArray(record?.actions) && record.actions.includes(action);
    if (!record || level !== 'institution') return <TopToolbar />;
    return (
        <TopToolbar>
            {childId && may('resolve-by-correction') && <Button label="resources.problem-records.actions.correct" onClick={() => redirect('edit', 'children', childId)}><EditIcon /></Button>}
            {childId && may('resolve-by-deletion') && <DeleteChildButton childId={childId} />}
            {may('submit-evidence') && <RequestDialogButton workflow="problem-evidence" icon={<UploadFileIcon />} />}
            {may('apply-arbitration') && <RequestDialogButton workflow="arbitration" icon={<GavelIcon />} />}
        </TopToolbar>
    );
};
