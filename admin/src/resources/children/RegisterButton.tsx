import { useState } from 'react';
import { Alert, Button as MuiButton, Dialog, DialogActions, DialogContent, DialogTitle } from '@mui/material';
import { Button, useNotify, useRecordContext, useRefresh, useTranslate } from 'react-admin';
import { httpClient } from '../../providers/http';

/**
 * 审核并生成学籍号: the kindergarten's review. Likely duplicates come back first (409 with candidates):
 * the user confirms them, and they become a problem record for the county.
 */
export const RegisterButton = () => {
    const record = useRecordContext();
    const notify = useNotify();
    const refresh = useRefresh();
    const translate = useTranslate();
    const [candidates, setCandidates] = useState<any[] | null>(null);
    if (!record || record.status !== 'draft' || record.studentNumber || record.studentNumberMasked) return null;
    const register = async (acknowledgeCandidates: boolean) => {
        try {
            const { json } = await httpClient(`/api/children/${record.id}/register`, { method: 'POST', body: JSON.stringify({ data: { acknowledgeCandidates } }) });
            setCandidates(null);
            notify(translate('resources.children.registered', { number: json.data.studentNumber }), { type: 'success' });
            refresh();
        } catch (error: any) {
            const found = error?.body?.error?.details?.candidates;
            if (error?.status === 409 && Array.isArray(found)) setCandidates(found);
            else notify(error?.message || 'ra.notification.http_error', { type: 'error' });
        }
    };
    return (
        <>
            <Button label="resources.children.actions.register" variant="contained" onClick={() => register(false)} />
            <Dialog open={candidates !== null} onClose={() => setCandidates(null)} maxWidth="sm" fullWidth>
                <DialogTitle>{translate('resources.children.candidates_title')}</DialogTitle>
                <DialogContent>
                    {(candidates ?? []).map((c, i) => (
                        <Alert key={i} severity="warning" sx={{ mb: 1 }}>
                            {`${c.countyName ?? ''}${c.kindergartenName ?? ''}${c.name ? `（${c.name}）` : ''}：${c.reasons.join('；')}`}
                        </Alert>
                    ))}
                    <Alert severity="info">{translate('resources.children.candidates_help')}</Alert>
                </DialogContent>
                <DialogActions>
                    <MuiButton onClick={() => setCandidates(null)}>{translate('ra.action.cancel')}</MuiButton>
                    <MuiButton variant="contained" onClick={() => register(true)}>{translate('resources.children.actions.confirm_register')}</MuiButton>
                </DialogActions>
            </Dialog>
        </>
    );
};
