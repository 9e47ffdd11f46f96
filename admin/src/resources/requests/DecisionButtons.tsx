import { useState } from 'react';
import { Button as MuiButton, Dialog, DialogActions, DialogContent, DialogTitle, TextField } from '@mui/material';
import { Button, useNotify, useRecordContext, useRefresh, useTranslate } from 'react-admin';
import { postRequestAction } from './api';
import { useReason } from '../../providers/errors';

type Decision = 'approve' | 'reject' | 'return';

/**
 * 通过 / 驳回 / 退回修改, each shown when the server lists it in the record's `actions` (the
 * caller reviews this workflow, holds the route, and the state allows it), with the record's
 * version so a concurrent decision is caught (409).
 */
export const DecisionButtons = () => {
    const record = useRecordContext();
    const translate = useTranslate();
    const notify = useNotify();
    const refresh = useRefresh();
    const reason = useReason();
    const [decision, setDecision] = useState<Decision | null>(null);
    const [comment, setComment] = useState('');
    const [error, setError] = useState<string | null>(null);
    const allowed: string[] = record?.actions ?? [];
    if (!record || !(['approve', 'return', 'reject'] as const).some((action) => allowed.includes(action))) return null;

    const submit = async () => {
        if (!decision) return;
        if (decision !== 'approve' && !comment.trim()) {
            setError(translate('resources.requests.comment_required'));
            return;
        }
        try {
            await postRequestAction(`/${record.id}/${decision}`, { comment, version: record.version });
            notify(`resources.requests.done.${decision}`, { type: 'success' });
            setDecision(null);
            setComment('');
            refresh();
        } catch (e: any) {
            setDecision(null);
            notify(e?.status === 409 ? 'resources.requests.conflict' : reason(e), { type: 'error' });
            refresh();
        }
    };

    return (
        <>
            {allowed.includes('approve') && <Button label="resources.requests.actions.approve" variant="contained" color="success" onClick={() => setDecision('approve')} />}
            {allowed.includes('return') && <Button label="resources.requests.actions.return" variant="outlined" color="warning" onClick={() => setDecision('return')} sx={{ ml: 1 }} />}
            {allowed.includes('reject') && <Button label="resources.requests.actions.reject" variant="outlined" color="error" onClick={() => setDecision('reject')} sx={{ ml: 1 }} />}
            <Dialog open={decision !== null} onClose={() => setDecision(null)} fullWidth maxWidth="sm">
                <DialogTitle>{decision && translate(`resources.requests.actions.${decision}`)}</DialogTitle>
                <DialogContent>
                    <TextField
                        autoFocus
                        fullWidth
                        multiline
                        minRows={3}
                        margin="dense"
                        name="comment"
                        label={translate('resources.requests.fields.comment')}
                        value={comment}
                        error={Boolean(error)}
                        helperText={error ?? ' '}
                        onChange={(event) => {
                            setComment(event.target.value);
                            setError(null);
                        }}
                    />
                </DialogContent>
                <DialogActions>
                    <MuiButton onClick={() => setDecision(null)}>{translate('ra.action.cancel')}</MuiButton>
                    <MuiButton variant="contained" onClick={submit}>{translate('ra.action.confirm')}</MuiButton>
                </DialogActions>
            </Dialog>
        </>
    );
};
