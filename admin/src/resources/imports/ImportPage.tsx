import { useEffect, useRef, useState } from 'react';
import {
    Alert, Box, Button, Card, CardContent, FormControl, FormControlLabel, InputLabel, LinearProgress, MenuItem, Radio, RadioGroup, Select,
    Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography,
} from '@mui/material';
import DownloadIcon from '@mui/icons-material/Download';
import UploadFileIcon from '@mui/icons-material/UploadFile';
import { Title, useGetList, useNotify, useTranslate } from 'react-admin';
import { getToken } from '../../providers/session';
import { httpClient } from '../../providers/http';
import { downloadFile } from '../../dashboard/charts/download';

type RowError = { row: number; column: string; field: string; message: string };
export type ImportJob = {
    id: string; fileName: string; mode: string; state: string; total: number; processed: number; ok: number; failed: number; skipped: number;
    imported: number; likely?: number; errors?: RowError[] | null; message?: string | null; hasReport: boolean; progress: number; createdAt?: string;
};
const RUNNING = ['queued', 'validating', 'importing'];
const SHOWN_ERRORS = 200;

/** POST the workbook as multipart (fetch: the JSON client would set a JSON content type). */
async function uploadWorkbook(file: File, mode: string, schoolClass: string): Promise<ImportJob> {
    const form = new FormData();
    form.append('file', file, file.name);
    form.append('mode', mode);
    if (schoolClass) form.append('schoolClass', schoolClass);
    const headers = new Headers();
    const token = getToken();
    if (token) headers.set('Authorization', `Bearer ${token}`);
    const response = await fetch('/api/child-import', { method: 'POST', body: form, headers });
    const body = await response.json().catch(() => null);
    if (!response.ok) throw new Error(body?.error?.message ?? `HTTP ${response.status}`);
    return body.data as ImportJob;
}

/** 批量导入: template, upload with mode and default class, progress while the server works, errors and the report. */
export const ImportPage = () => {
    const translate = useTranslate();
    const notify = useNotify();
    const [mode, setMode] = useState('all-or-none');
    const [schoolClass, setSchoolClass] = useState('');
    const [file, setFile] = useState<File | null>(null);
    const [busy, setBusy] = useState(false);
    const [job, setJob] = useState<ImportJob | null>(null);
    const input = useRef<HTMLInputElement>(null);
    const { data: classes = [] } = useGetList('school-classes', { pagination: { page: 1, perPage: 200 }, sort: { field: 'name', order: 'ASC' } });

    // Poll the job while the server works on it.
    useEffect(() => {
        if (!job || !RUNNING.includes(job.state)) return undefined;
        const timer = setTimeout(async () => {
            try {
                const { json } = await httpClient(`/api/child-import/${job.id}`);
                setJob(json.data);
            } catch (error: any) {
                notify(error.message, { type: 'error' });
            }
        }, 700);
        return () => clearTimeout(timer);
    }, [job, notify]);

    const start = async () => {
        if (!file) return;
        setBusy(true);
        setJob(null);
        try {
            setJob(await uploadWorkbook(file, mode, schoolClass));
        } catch (error: any) {
            notify(error.message, { type: 'error', multiLine: true });
        } finally {
            setBusy(false);
            setFile(null);
            if (input.current) input.current.value = '';
        }
    };
    const running = Boolean(job && RUNNING.includes(job.state));
    const errors = job?.errors ?? [];

    return (
        <Box sx={{ mt: 2 }}>
            <Title title={translate('app.imports.title')} />
            <Card>
                <CardContent>
                    <Stack spacing={2}>
                        <Typography variant="h6">{translate('app.imports.title')}</Typography>
                        <Typography>{translate('app.imports.step_template')}</Typography>
                        <Box>
                            <Button variant="outlined" startIcon={<DownloadIcon />} onClick={() => downloadFile('/api/child-import/template', '幼儿学籍导入模板.xlsx').catch((e) => notify(e.message, { type: 'error' }))}>
                                {translate('app.imports.download_template')}
                            </Button>
                        </Box>
                        <Typography>{translate('app.imports.step_upload')}</Typography>
                        <FormControl>
                            <Typography variant="subtitle2">{translate('app.imports.mode')}</Typography>
                            <RadioGroup value={mode} onChange={(event) => setMode(event.target.value)}>
                                <FormControlLabel value="all-or-none" control={<Radio />} label={translate('app.imports.mode_all')} />
                                <FormControlLabel value="valid-only" control={<Radio />} label={translate('app.imports.mode_valid')} />
                            </RadioGroup>
                        </FormControl>
                        <FormControl sx={{ maxWidth: 360 }} size="small">
                            <InputLabel id="import-default-class">{translate('app.imports.default_class')}</InputLabel>
                            <Select labelId="import-default-class" label={translate('app.imports.default_class')} value={schoolClass} onChange={(event) => setSchoolClass(String(event.target.value))}>
                                <MenuItem value="">{translate('app.imports.no_default_class')}</MenuItem>
                                {classes.map((c: any) => <MenuItem key={c.id} value={c.id}>{c.name}（{c.schoolYear}）</MenuItem>)}
                            </Select>
                        </FormControl>
                        <Stack direction="row" spacing={2} alignItems="center">
                            <Button variant="outlined" component="label" startIcon={<UploadFileIcon />}>
                                {translate('app.imports.choose_file')}
                                <input ref={input} hidden type="file" name="file" accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" onChange={(event) => setFile(event.target.files?.[0] ?? null)} />
                            </Button>
                            <Typography data-testid="import-file-name">{file?.name ?? translate('app.imports.no_file')}</Typography>
                            <Button variant="contained" disabled={!file || busy || running} onClick={start}>
                                {busy ? translate('app.imports.uploading') : translate('app.imports.start')}
                            </Button>
                        </Stack>
                    </Stack>
                </CardContent>
            </Card>
            {job && (
                <Card sx={{ mt: 2 }} data-testid="import-job">
                    <CardContent>
                        <Stack spacing={1.5}>
                            <Typography variant="subtitle1" data-testid="import-state">
                                {job.fileName} · {translate(`app.imports.states.${job.state}`)}
                            </Typography>
                            <LinearProgress variant="determinate" value={Math.round((job.progress ?? 0) * 100)} />
                            <Typography data-testid="import-counts">
                                {translate('app.imports.counts', { total: job.total, ok: job.ok ?? 0, failed: job.failed ?? 0, skipped: job.skipped ?? 0, imported: job.imported ?? 0 })}
                            </Typography>
                            {(job.likely ?? 0) > 0 && !RUNNING.includes(job.state) && (
                                <Alert severity="warning" data-testid="import-likely">
                                    {translate(job.state === 'done' ? 'app.imports.likely' : 'app.imports.likely_not_imported', { count: job.likely })}
                                </Alert>
                            )}
                            {job.message && <Alert severity={job.state === 'done' && !job.failed ? 'success' : job.state === 'done' ? 'warning' : job.state === 'failed' || job.state === 'rejected' ? 'error' : 'info'}>{job.message}</Alert>}
                            {job.hasReport && (
                                <Box>
                                    <Button variant="outlined" startIcon={<DownloadIcon />} onClick={() => downloadFile(`/api/child-import/${job.id}/report`, '导入结果.xlsx').catch((e) => notify(e.message, { type: 'error' }))}>
                                        {translate(job.failed || job.state !== 'done' ? 'app.imports.download_report' : 'app.imports.download_result')}
                                    </Button>
                                </Box>
                            )}
                            {errors.length > 0 && (
                                <>
                                    <Typography variant="subtitle2">{translate('app.imports.errors_title')}</Typography>
                                    <Table size="small" data-testid="import-errors">
                                        <TableHead>
                                            <TableRow>
                                                <TableCell>{translate('app.imports.row')}</TableCell>
                                                <TableCell>{translate('app.imports.column')}</TableCell>
                                                <TableCell>{translate('app.imports.message')}</TableCell>
                                            </TableRow>
                                        </TableHead>
                                        <TableBody>
                                            {errors.slice(0, SHOWN_ERRORS).map((e, i) => (
                                                <TableRow key={`${e.row}-${e.field}-${i}`}>
                                                    <TableCell>{e.row}</TableCell>
                                                    <TableCell>{e.column}</TableCell>
                                                    <TableCell>{e.message}</TableCell>
                                                </TableRow>
                                            ))}
                                        </TableBody>
                                    </Table>
                                    {errors.length > SHOWN_ERRORS && <Typography variant="caption">{translate('app.imports.more_errors', { count: SHOWN_ERRORS })}</Typography>}
                                </>
                            )}
                        </Stack>
                    </CardContent>
                </Card>
            )}
        </Box>
    );
};
