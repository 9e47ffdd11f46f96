import { useState } from 'react';
import { Box, Button, Card, CardContent, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { Title, useCanAccess, useNotify, usePermissions, useTranslate } from 'react-admin';
import { httpClient } from '../../providers/http';
import { useApi } from '../../providers/useApi';
import { PrintConfirmationButton } from '../children/ChildShow';

type Row = { key: string; name: string; children: number; invited: number; opened: number; confirmed: number; correctionsPending: number; rate: number };
type Progress = { groupBy: 'class' | 'kindergarten'; rows: Row[]; total: Omit<Row, 'key' | 'name'> };
type Invitation = { id: string; childName: string; className: string; state: string; code: string | null; qr: string | null; expiresAt: string };

/** The invitations of one class: code, QR code, state; revoke (the server says what each may do by refusing). */
const ClassInvitations = ({ classId, version }: { classId: string; version: number }) => {
    const translate = useTranslate();
    const notify = useNotify();
    const [bump, setBump] = useState(0);
    const { data } = useApi<{ data: Invitation[] }>(`/api/guardian-invitations?filters[classId]=${classId}&v=${version}-${bump}`);
    const revoke = async (id: string) => {
        try {
            await httpClient(`/api/guardian-invitations/${id}/revoke`, { method: 'POST', body: '{}' });
            notify('app.guardians.revoked', { type: 'info' });
            setBump(bump + 1);
        } catch (error: any) {
            notify(error.message, { type: 'error' });
        }
    };
    const rows = (data?.data ?? []).filter((i) => i.state !== 'revoked');
    if (!rows.length) return null;
    return (
        <Table size="small" sx={{ mb: 2 }}>
            <TableHead>
                <TableRow>
                    <TableCell>{translate('app.guardians.child')}</TableCell>
                    <TableCell>{translate('app.guardians.code')}</TableCell>
                    <TableCell>{translate('app.guardians.state')}</TableCell>
                    <TableCell>{translate('app.guardians.expires')}</TableCell>
                    <TableCell />
                </TableRow>
            </TableHead>
            <TableBody>
                {rows.map((i) => (
                    <TableRow key={i.id}>
                        <TableCell>{i.childName}</TableCell>
                        <TableCell>
                            {i.qr && <img src={i.qr} alt={i.code ?? ''} width={56} height={56} style={{ verticalAlign: 'middle', marginRight: 8 }} />}
                            <code>{i.code ?? '—'}</code>
                        </TableCell>
                        <TableCell>{translate(`app.guardians.states.${i.state}`)}</TableCell>
                        <TableCell>{new Date(i.expiresAt).toLocaleDateString('zh-CN')}</TableCell>
                        <TableCell>{(i.state === 'issued' || i.state === 'opened') && <Button size="small" onClick={() => revoke(i.id)}>{translate('app.guardians.revoke')}</Button>}</TableCell>
                    </TableRow>
                ))}
            </TableBody>
        </Table>
    );
};

/**
 * 家长确认进度: per class (a kindergarten, which also invites, prints the forms with the codes and the
 * reminder list) or per kindergarten (every level above): invited, opened, confirmed, corrections pending.
 */
export const GuardianProgress = () => {
    const translate = useTranslate();
    const notify = useNotify();
    const { permissions: level } = usePermissions();
    const { canAccess: mayInvite } = useCanAccess({ resource: 'guardian-invitations', action: 'create' });
    const [version, setVersion] = useState(0);
    const [open, setOpen] = useState<string | null>(null);
    const { data } = useApi<{ data: Progress }>(`/api/guardian-invitations/progress?v=${version}`);
    const progress = data?.data;
    const byClass = progress?.groupBy === 'class';
    const invite = async (classId: string) => {
        try {
            const { json } = await httpClient('/api/guardian-invitations', { method: 'POST', body: JSON.stringify({ data: { classId } }) });
            notify('app.guardians.issued', { type: 'info', messageArgs: { count: json.data.length } });
            setOpen(classId);
            setVersion(version + 1);
        } catch (error: any) {
            notify(error.message, { type: 'error' });
        }
    };
    const columns = ['children', 'invited', 'opened', 'confirmed', 'corrections', 'rate'];
    const cells = (row: Omit<Row, 'key' | 'name'>) => [row.children, row.invited, row.opened, row.confirmed, row.correctionsPending, `${row.rate}%`];
    return (
        <Card sx={{ mt: 2 }}>
            <Title title={translate('app.guardians.title')} />
            <CardContent>
                <Typography variant="h6">{translate('app.guardians.title')}</Typography>
                {level === 'institution' && <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>{translate('app.guardians.help')}</Typography>}
                {progress && (
                    <Table size="small">
                        <TableHead>
                            <TableRow>
                                <TableCell>{translate(byClass ? 'app.guardians.by_class' : 'app.guardians.by_kindergarten')}</TableCell>
                                {columns.map((c) => <TableCell key={c} align="right">{translate(`app.guardians.${c}`)}</TableCell>)}
                                {byClass && <TableCell />}
                            </TableRow>
                        </TableHead>
                        <TableBody>
                            {progress.rows.map((row) => [
                                <TableRow key={row.key} data-row={row.key}>
                                    <TableCell>{row.name}</TableCell>
                                    {cells(row).map((value, i) => <TableCell key={i} align="right">{value}</TableCell>)}
                                    {byClass && (
                                        <TableCell>
                                            <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>
                                                {mayInvite && row.key && <Button size="small" variant="outlined" onClick={() => invite(row.key)}>{translate('app.guardians.invite_class')}</Button>}
                                                {row.key && <Button size="small" onClick={() => setOpen(open === row.key ? null : row.key)}>{translate('app.guardians.invitations')}</Button>}
                                                {row.key && <PrintConfirmationButton path={`/api/children/class-confirmation/${row.key}`} label="resources.school-classes.print_confirmation" />}
                                                <PrintConfirmationButton path={`/api/guardian-invitations/reminders${row.key ? `?classId=${row.key}` : ''}`} label="app.guardians.reminders" />
                                            </Box>
                                        </TableCell>
                                    )}
                                </TableRow>,
                                byClass && open === row.key && (
                                    <TableRow key={`${row.key}-invitations`}>
                                        <TableCell colSpan={columns.length + 2}><ClassInvitations classId={row.key} version={version} /></TableCell>
                                    </TableRow>
                                ),
                            ])}
                            <TableRow>
                                <TableCell><strong>{translate('app.guardians.total')}</strong></TableCell>
                                {cells(progress.total).map((value, i) => <TableCell key={i} align="right"><strong>{value}</strong></TableCell>)}
                                {byClass && <TableCell />}
                            </TableRow>
                        </TableBody>
                    </Table>
                )}
            </CardContent>
        </Card>
    );
};
