import { Box, Card, CardContent, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import {
    DateField, Labeled, Show, TextField, TopToolbar, useRecordContext, useTranslate,
} from 'react-admin';
import { StateField } from './StateField';
import { DecisionButtons } from './DecisionButtons';
import { EvidenceUpload } from './EvidenceUpload';
import { formatDateTime, i18nProvider } from '../../i18n';
import { yesNoName } from '../../providers/vocabulary';

/** A value as read: yes/no by the one vocabulary's words. */
const show = (value: unknown) => (value === null || value === undefined || value === '' ? '—' : typeof value === 'boolean' ? yesNoName(value, i18nProvider.getLocale()) : String(value));

/** 字段 / 原值 / 新值, changed values highlighted. */
const DiffTable = () => {
    const record = useRecordContext();
    const translate = useTranslate();
    if (!record) return null;
    return (
        <Table size="small" aria-label={translate('resources.requests.diff')}>
            <TableHead>
                <TableRow>
                    <TableCell>{translate('resources.requests.diff_field')}</TableCell>
                    <TableCell>{translate('resources.requests.diff_from')}</TableCell>
                    <TableCell>{translate('resources.requests.diff_to')}</TableCell>
                </TableRow>
            </TableHead>
            <TableBody>
                {(record.changes ?? []).map((change: any) => (
                    <TableRow key={change.field} data-field={change.field}>
                        <TableCell>{change.label}</TableCell>
                        <TableCell sx={{ color: 'text.secondary', textDecoration: change.from == null ? 'none' : 'line-through' }}>{show(change.from)}</TableCell>
                        <TableCell sx={{ bgcolor: 'success.light', color: 'success.contrastText', fontWeight: 600 }}>{show(change.to)}</TableCell>
                    </TableRow>
                ))}
            </TableBody>
        </Table>
    );
};

const Evidence = () => {
    const record = useRecordContext();
    const translate = useTranslate();
    const files = record?.evidence ?? [];
    return (
        <Box>
            <Typography variant="subtitle2">{translate('resources.requests.fields.evidence')}</Typography>
            {files.length === 0 ? (
                <Typography variant="body2" color="text.secondary">{translate('resources.requests.no_evidence')}</Typography>
            ) : (
                files.map((file: any) => (
                    <div key={file.id}>
                        <a href={file.url} target="_blank" rel="noreferrer">{file.name}</a>
                    </div>
                ))
            )}
        </Box>
    );
};

const History = () => {
    const record = useRecordContext();
    const translate = useTranslate();
    return (
        <Box>
            <Typography variant="subtitle2">{translate('resources.requests.fields.history')}</Typography>
            {(record?.history ?? []).map((step: any, index: number) => (
                <Box key={index} sx={{ borderLeft: 3, borderColor: 'primary.main', pl: 1.5, my: 1 }}>
                    <Typography variant="body2">
                        <strong>{translate(`resources.requests.action.${step.action}`)}</strong> · {step.actorName} · {formatDateTime(step.at)}
                    </Typography>
                    {step.comment && <Typography variant="body2" color="text.secondary">{step.comment}</Typography>}
                </Box>
            ))}
        </Box>
    );
};

/** The steps the server says the caller may take on this request now (record.actions). */
const Actions = () => {
    const record = useRecordContext();
    const actions: string[] = record?.actions ?? [];
    return (
        <TopToolbar>
            {actions.includes('evidence') && <EvidenceUpload />}
            <DecisionButtons />
        </TopToolbar>
    );
};

export const RequestShow = () => (
    <Show actions={<Actions />}>
        <Card variant="outlined" sx={{ m: 2 }}>
            <CardContent sx={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(220px, 1fr))', gap: 2 }}>
                <Labeled label="resources.requests.fields.type"><TextField source="typeName" /></Labeled>
                <Labeled label="resources.requests.fields.subjectName"><TextField source="subjectName" /></Labeled>
                <Labeled label="resources.requests.fields.state"><StateField /></Labeled>
                <Labeled label="resources.requests.fields.dueAt"><DateField source="dueAt" locales="zh-CN" /></Labeled>
                <Labeled label="resources.requests.fields.submittedByName"><TextField source="submittedByName" /></Labeled>
                <Labeled label="resources.requests.fields.reason"><TextField source="reason" emptyText="—" /></Labeled>
            </CardContent>
        </Card>
        <Box sx={{ mx: 2 }}><DiffTable /></Box>
        <Box sx={{ m: 2, display: 'grid', gridTemplateColumns: '1fr 1fr', gap: 3 }}>
            <Evidence />
            <History />
        </Box>
    </Show>
);
