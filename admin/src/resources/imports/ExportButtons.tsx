import { useState } from 'react';
import { Button } from '@mui/material';
import FileDownloadIcon from '@mui/icons-material/FileDownload';
import { CreateButton, FilterButton, TopToolbar, useCanAccess, useListContext, useNotify, useResourceDefinition, useTranslate } from 'react-admin';
import { downloadFile, type ExportJob } from '../../dashboard/charts/download';
import { useReason } from '../../providers/errors';

/**
 * 导出 Excel / 导出 CSV for a list: the list's current filters, sent as react-admin's `filter`
 * JSON to the list's export route (`path`); the server scopes, masks and records the export.
 * Shown while the permission matrix lets the user export this resource (authProvider.canAccess);
 * a refusal by the server still shows its reason.
 */
export const ExportButtons = ({ path, fileName }: { path: string; fileName: string }) => {
    const { filterValues, resource } = useListContext();
    const translate = useTranslate();
    const notify = useNotify();
    const reason = useReason();
    const [busy, setBusy] = useState(false);
    const [progress, setProgress] = useState<string | null>(null);
    const { canAccess } = useCanAccess({ resource, action: 'export' });
    const run = (format: 'xlsx' | 'csv') => {
        setBusy(true);
        const filter = encodeURIComponent(JSON.stringify(filterValues ?? {}));
        let told = false;
        // a large export is queued by the server: say so once, then show the rows written
        const onProgress = (job: ExportJob) => {
            if (!told) notify(translate('app.imports.export_queued', { total: job.total }), { type: 'info' });
            told = true;
            setProgress(translate('app.imports.export_progress', { written: job.written, total: job.total }));
        };
        downloadFile(`${path}?format=${format}&filter=${filter}`, `${fileName}.${format}`, {}, onProgress)
            .catch((error) => notify(reason(error), { type: 'error' }))
            .finally(() => { setBusy(false); setProgress(null); });
    };
    if (!canAccess) return null;
    return (
        <>
            <Button size="small" startIcon={<FileDownloadIcon />} disabled={busy} onClick={() => run('xlsx')}>
                {busy ? progress ?? translate('app.imports.exporting') : translate('app.imports.export_xlsx')}
            </Button>
            <Button size="small" startIcon={<FileDownloadIcon />} disabled={busy} onClick={() => run('csv')}>
                {translate('app.imports.export_csv')}
            </Button>
        </>
    );
};

/** A list's actions: filters, entry (where the resource has a create page), and exports of the filtered list. */
export const ExportListActions = ({ path, fileName, children }: { path: string; fileName: string; children?: React.ReactNode }) => {
    const { hasCreate } = useResourceDefinition();
    return <TopToolbar><FilterButton />{hasCreate && <CreateButton />}<ExportButtons path={path} fileName={fileName} />{children}</TopToolbar>;
};
