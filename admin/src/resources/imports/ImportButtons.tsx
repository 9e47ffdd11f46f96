import { useRef, useState } from 'react';
import { Button } from '@mui/material';
import FileDownloadIcon from '@mui/icons-material/FileDownload';
import UploadFileIcon from '@mui/icons-material/UploadFile';
import { useNotify, useRefresh, useTranslate } from 'react-admin';
import { downloadFile } from '../../dashboard/charts/download';
import { useReason } from '../../providers/errors';
import { useAllowed } from '../../providers/useServerFacts';
import { getToken } from '../../providers/session';

/**
 * 下载导入模板 / 导入 Excel of an all-or-nothing import: health checks or certificate checks
 * (docs/health.md, `/api/health-import`), safety self-inspections or incidents
 * (docs/safety-and-resources.md, `/api/safety-import`). Shown while the server's matrix lets the
 * user create `resource` (the matrix resource holding the import); a refused file names its
 * problems and its error report (each row's result and reasons) is downloaded.
 */
export const ImportButtons = ({ base, record, resource }: { base: '/api/health-import' | '/api/safety-import'; record: string; resource: string }) => {
    const translate = useTranslate();
    const notify = useNotify();
    const refresh = useRefresh();
    const reason = useReason();
    const allowed = useAllowed();
    const input = useRef<HTMLInputElement>(null);
    const [busy, setBusy] = useState(false);
    if (!allowed(resource, 'create')) return null;
    const path = `${base}/${record}`;
    const upload = async (file: File) => {
        setBusy(true);
        const form = () => {
            const data = new FormData();
            data.append('file', file);
            return data;
        };
        try {
            const response = await fetch(path, { method: 'POST', body: form(), headers: { Authorization: `Bearer ${getToken()}` } });
            const body = await response.json().catch(() => ({}));
            if (response.ok) {
                notify(translate('app.health.import.done', { created: body.data?.created ?? 0 }), { type: 'success' });
                refresh();
            } else {
                notify(body?.error?.message ?? `HTTP ${response.status}`, { type: 'error', multiLine: true });
                // the rows' problems: the error report, for a file the server read
                if (response.status === 400 && (body?.error?.details?.errors ?? []).some((e: any) => String(e.path?.[0]).startsWith('rows.'))) {
                    await downloadFile(`${path}/report`, `${record}-errors.xlsx`, { method: 'POST', body: form() });
                }
            }
        } catch (error) {
            notify(reason(error), { type: 'error' });
        } finally {
            setBusy(false);
            if (input.current) input.current.value = '';
        }
    };
    return (
        <>
            <Button size="small" startIcon={<FileDownloadIcon />} onClick={() => downloadFile(`${path}/template`, `${record}.xlsx`).catch((error) => notify(reason(error), { type: 'error' }))}>
                {translate('app.health.import.template')}
            </Button>
            <input ref={input} type="file" accept=".xlsx" hidden name={`${base.slice(5)}-${record}`} onChange={(e) => e.target.files?.[0] && upload(e.target.files[0])} />
            <Button size="small" startIcon={<UploadFileIcon />} disabled={busy} onClick={() => input.current?.click()}>
                {busy ? translate('app.health.import.busy') : translate('app.health.import.upload')}
            </Button>
        </>
    );
};
