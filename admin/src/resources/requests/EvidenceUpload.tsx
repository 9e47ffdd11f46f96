import { useRef, useState } from 'react';
import UploadFileIcon from '@mui/icons-material/UploadFile';
import { Button, useNotify, useRecordContext, useRefresh } from 'react-admin';
import { getToken } from '../../providers/session';

/** 上传佐证材料: images or PDF (≤ 10 MB each, checked by the server), while the server lists `evidence` in the record's actions. */
export const EvidenceUpload = () => {
    const record = useRecordContext();
    const input = useRef<HTMLInputElement>(null);
    const notify = useNotify();
    const refresh = useRefresh();
    const [busy, setBusy] = useState(false);
    if (!record || !(record.actions ?? []).includes('evidence')) return null;
    const upload = async (files: FileList | null) => {
        if (!files?.length) return;
        const form = new FormData();
        Array.from(files).forEach((file) => form.append('files', file));
        setBusy(true);
        try {
            const response = await fetch(`/api/requests/${record.id}/evidence`, { method: 'POST', body: form, headers: { Authorization: `Bearer ${getToken()}` } });
            const body = await response.json().catch(() => ({}));
            if (!response.ok) throw new Error(body?.error?.message || response.statusText);
            notify('resources.requests.evidence_uploaded', { type: 'success' });
            refresh();
        } catch (error: any) {
            notify(error.message, { type: 'error' });
        } finally {
            setBusy(false);
            if (input.current) input.current.value = '';
        }
    };
    return (
        <>
            <input ref={input} type="file" name="evidence" accept="image/*,application/pdf" multiple hidden onChange={(event) => upload(event.target.files)} />
            <Button label="resources.requests.actions.upload_evidence" disabled={busy} onClick={() => input.current?.click()}>
                <UploadFileIcon />
            </Button>
        </>
    );
};
