import { useState } from 'react';
import { Button } from '@mui/material';
import FileDownloadIcon from '@mui/icons-material/FileDownload';
import { useListContext, useNotify, useTranslate } from 'react-admin';
import { downloadFile } from '../../dashboard/charts/download';

/**
 * Export buttons for the children's list: the list's current filters, sent as react-admin's
 * `filter` JSON; the server scopes, masks and records the export.
 */
export const ChildExportButtons = () => {
    const { filterValues } = useListContext();
    const translate = useTranslate();
    const notify = useNotify();
    const [busy, setBusy] = useState(false);
    const run = (format: 'xlsx' | 'csv') => {
        setBusy(true);
        const filter = encodeURIComponent(JSON.stringify(filterValues ?? {}));
        downloadFile(`/api/child-export?format=${format}&filter=${filter}`, `幼儿学籍.${format}`)
            .catch((error) => notify(error.message, { type: 'error' }))
            .finally(() => setBusy(false));
    };
    return (
        <>
            <Button size="small" startIcon={<FileDownloadIcon />} disabled={busy} onClick={() => run('xlsx')}>
                {busy ? translate('app.imports.exporting') : translate('app.imports.export_xlsx')}
            </Button>
            <Button size="small" startIcon={<FileDownloadIcon />} disabled={busy} onClick={() => run('csv')}>
                {translate('app.imports.export_csv')}
            </Button>
        </>
    );
};
