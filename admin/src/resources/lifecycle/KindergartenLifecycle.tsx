import UpgradeIcon from '@mui/icons-material/Upgrade';
import SchoolIcon from '@mui/icons-material/School';
import { useState } from 'react';
import {
    Alert, Box, Card, CardActions, CardContent, CardHeader, LinearProgress, Link, Table, TableBody, TableCell, TableHead, TableRow, Typography,
} from '@mui/material';
import { Button, Confirm, Title, useNotify, useTranslate } from 'react-admin';
import { httpClient } from '../../providers/http';
import { useApi } from '../../providers/useApi';

type Bulk = { window?: { from: string; to: string }; inWindow: boolean; classes: number; children: number; notRegistered?: number; pendingRequest: string | null };
type Preview = {
    kindergarten: { id: string; name: string; code: string };
    today: string;
    promotion: Bulk;
    graduation: Bulk;
    classes: { id: string; name: string; grade: string; schoolYear: string; nextGrade: string | null; graduates: boolean; children: number; registered: number }[];
};

/** One bulk action (升级 or 毕业): its window, counts, and a confirmation naming them. */
const BulkCard = ({ kind, bulk, kindergartenId, onDone }: { kind: 'promotion' | 'graduation'; bulk: Bulk; kindergartenId: string; onDone: () => void }) => {
    const translate = useTranslate();
    const notify = useNotify();
    const [open, setOpen] = useState(false);
    const [busy, setBusy] = useState(false);
    const [error, setError] = useState<string | null>(null);
    const run = async () => {
        setOpen(false);
        setBusy(true);
        setError(null);
        try {
            const { json } = await httpClient(`/api/kindergartens/${kindergartenId}/${kind === 'promotion' ? 'promote' : 'graduate'}`, { method: 'POST', body: JSON.stringify({ data: {} }) });
            const result = json.data;
            notify(result.done ? `resources.lifecycle.bulk.${kind}_done` : 'resources.lifecycle.bulk.requested', { type: 'success', messageArgs: { classes: result.classes, children: result.children } });
            onDone();
        } catch (failure: any) {
            setError(failure.message);
        } finally {
            setBusy(false);
        }
    };
    return (
        <Card sx={{ flex: '1 1 320px' }} className={`bulk-${kind}`}>
            <CardHeader title={translate(`resources.lifecycle.bulk.${kind}`)} subheader={translate('resources.lifecycle.bulk.window', { from: bulk.window?.from ?? '—', to: bulk.window?.to ?? '—' })} />
            <CardContent>
                <Typography variant="h4">{bulk.children}</Typography>
                <Typography variant="body2" color="text.secondary">{translate(`resources.lifecycle.bulk.${kind}_counts`, { classes: bulk.classes, children: bulk.children })}</Typography>
                {kind === 'graduation' && Boolean(bulk.notRegistered) && (
                    <Typography variant="body2" color="warning.main">{translate('resources.lifecycle.bulk.not_registered', { count: bulk.notRegistered })}</Typography>
                )}
                {!bulk.inWindow && <Alert severity="info" sx={{ mt: 1 }}>{translate('resources.lifecycle.bulk.outside_window')}</Alert>}
                {bulk.pendingRequest && (
                    <Alert severity="warning" sx={{ mt: 1 }}>
                        <Link href={`#/requests/${bulk.pendingRequest}/show`}>{translate('resources.lifecycle.bulk.pending')}</Link>
                    </Alert>
                )}
                {error && <Alert severity="error" sx={{ mt: 1 }}>{error}</Alert>}
                {busy && <LinearProgress sx={{ mt: 1 }} />}
            </CardContent>
            <CardActions>
                <Button
                    variant="contained"
                    label={bulk.inWindow ? `resources.lifecycle.bulk.${kind}_run` : 'resources.lifecycle.bulk.apply'}
                    onClick={() => setOpen(true)}
                    disabled={busy || bulk.children === 0 || Boolean(bulk.pendingRequest)}
                >
                    {kind === 'promotion' ? <UpgradeIcon /> : <SchoolIcon />}
                </Button>
            </CardActions>
            <Confirm
                isOpen={open}
                title={`resources.lifecycle.bulk.${kind}`}
                content={translate(bulk.inWindow ? `resources.lifecycle.bulk.${kind}_confirm` : 'resources.lifecycle.bulk.apply_confirm', { classes: bulk.classes, children: bulk.children })}
                onConfirm={run}
                onClose={() => setOpen(false)}
            />
        </Card>
    );
};

/**
 * 升级与毕业: the kindergarten's bulk transitions. Promotion moves each class up a grade and a
 * school year (its children stay in it); graduation graduates the registered children of the top
 * grade. Outside their windows (config/calendar.json) the button applies to the county instead.
 */
export const KindergartenLifecycle = () => {
    const translate = useTranslate();
    const [version, setVersion] = useState(0);
    const { data: own } = useApi<{ data: { documentId: string }[] }>('/api/kindergartens');
    const kindergartenId = own?.data?.[0]?.documentId;
    const { data, error } = useApi<{ data: Preview }>(kindergartenId ? `/api/kindergartens/${kindergartenId}/lifecycle?v=${version}` : null);
    const preview = data?.data;
    return (
        <Box sx={{ mt: 2 }}>
            <Title title="resources.lifecycle.bulk.title" />
            {error && <Alert severity="error">{error.message}</Alert>}
            {!preview && !error && <LinearProgress />}
            {preview && kindergartenId && (
                <>
                    <Typography variant="h6" gutterBottom>{preview.kindergarten.name}（{translate('resources.lifecycle.bulk.today', { today: preview.today })}）</Typography>
                    <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap', mb: 2 }}>
                        <BulkCard kind="graduation" bulk={preview.graduation} kindergartenId={kindergartenId} onDone={() => setVersion((v) => v + 1)} />
                        <BulkCard kind="promotion" bulk={preview.promotion} kindergartenId={kindergartenId} onDone={() => setVersion((v) => v + 1)} />
                    </Box>
                    <Card>
                        <Table size="small">
                            <TableHead>
                                <TableRow>
                                    {['className', 'grade', 'schoolYear', 'nextGrade', 'children'].map((field) => <TableCell key={field}>{translate(`resources.lifecycle.values.${field}`)}</TableCell>)}
                                </TableRow>
                            </TableHead>
                            <TableBody>
                                {preview.classes.map((c) => (
                                    <TableRow key={c.id}>
                                        <TableCell>{c.name}</TableCell>
                                        <TableCell>{translate(`resources.lifecycle.grades.${c.grade}`, { _: c.grade })}</TableCell>
                                        <TableCell>{c.schoolYear}</TableCell>
                                        <TableCell>{c.graduates ? translate('resources.lifecycle.bulk.graduates') : c.nextGrade ? translate(`resources.lifecycle.grades.${c.nextGrade}`) : '—'}</TableCell>
                                        <TableCell>{c.children}</TableCell>
                                    </TableRow>
                                ))}
                            </TableBody>
                        </Table>
                    </Card>
                </>
            )}
        </Box>
    );
};
