import { useState } from 'react';
import { Alert, Box, Card, CardContent, Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography } from '@mui/material';
import { Loading, Title, useTranslate } from 'react-admin';
import { useApi } from '../providers/useApi';
import { useThisMonth } from '../providers/useServerFacts';

type Overdue = { byCounty: { countyCode: string; countyName: string; open: number; overdue: number }[] };
type OverdueTransfer = { id: string; direction: 'outgoing' | 'incoming'; childName: string; studentNumberMasked: string | null; fromKindergartenName: string | null; toKindergartenName: string | null; appliedOn: string; dueAt: string };
type Compliance = {
    month: string; deadline: string;
    byCounty: { countyCode: string; countyName: string; kindergartens: number; updated: number; notUpdated: { id: string; code: string; name: string }[] }[];
    transfers?: { byCounty: { countyCode: string; countyName: string; open: number; overdue: number; overdueTransfers: OverdueTransfer[] }[] };
};


/** 逾期与填报: open and overdue reviews, overdue transfers (both sides), and who has not updated its data by the 25th, per county. */
export const Oversight = () => {
    const thisMonth = useThisMonth();
    const translate = useTranslate();
    const [month, setMonth] = useState(thisMonth());
    const overdue = useApi<Overdue>('/api/requests/overdue-summary');
    const compliance = useApi<Compliance>(`/api/compliance?month=${month}`);
    return (
        <Box sx={{ display: 'grid', gap: 2, mt: 2 }}>
            <Title title="app.oversight.title" />
            <Card>
                <CardContent>
                    <Typography variant="h6">{translate('app.oversight.overdue')}</Typography>
                    {overdue.isPending ? <Loading /> : overdue.error ? <Alert severity="error">{overdue.error.message}</Alert> : (
                        <Table size="small">
                            <TableHead><TableRow>
                                <TableCell>{translate('app.oversight.county')}</TableCell>
                                <TableCell align="right">{translate('app.oversight.open')}</TableCell>
                                <TableCell align="right">{translate('app.oversight.overdue_count')}</TableCell>
                            </TableRow></TableHead>
                            <TableBody>
                                {(overdue.data?.byCounty ?? []).map((row) => (
                                    <TableRow key={row.countyCode}>
                                        <TableCell>{row.countyName}</TableCell>
                                        <TableCell align="right">{row.open}</TableCell>
                                        <TableCell align="right" sx={{ color: row.overdue ? 'error.main' : undefined, fontWeight: row.overdue ? 700 : 400 }}>{row.overdue}</TableCell>
                                    </TableRow>
                                ))}
                                {overdue.data?.byCounty.length === 0 && <TableRow><TableCell colSpan={3}>{translate('app.oversight.none_open')}</TableCell></TableRow>}
                            </TableBody>
                        </Table>
                    )}
                </CardContent>
            </Card>
            <Card>
                <CardContent>
                    <Box sx={{ display: 'flex', alignItems: 'center', gap: 2 }}>
                        <Typography variant="h6">{translate('app.oversight.compliance')}</Typography>
                        <TextField type="month" size="small" sx={{ width: 200 }} value={month} onChange={(event) => setMonth(event.target.value)} label={translate('app.oversight.month')} />
                        {compliance.data && <Typography variant="body2" color="text.secondary">{translate('app.oversight.deadline', { deadline: compliance.data.deadline })}</Typography>}
                    </Box>
                    {compliance.isPending ? <Loading /> : compliance.error ? <Alert severity="error">{compliance.error.message}</Alert> : (
                        <Table size="small">
                            <TableHead><TableRow>
                                <TableCell>{translate('app.oversight.county')}</TableCell>
                                <TableCell align="right">{translate('app.oversight.kindergartens')}</TableCell>
                                <TableCell align="right">{translate('app.oversight.updated')}</TableCell>
                                <TableCell>{translate('app.oversight.not_updated')}</TableCell>
                            </TableRow></TableHead>
                            <TableBody>
                                {(compliance.data?.byCounty ?? []).map((row) => (
                                    <TableRow key={row.countyCode}>
                                        <TableCell>{row.countyName}</TableCell>
                                        <TableCell align="right">{row.kindergartens}</TableCell>
                                        <TableCell align="right">{row.updated}</TableCell>
                                        <TableCell>{row.notUpdated.map((k) => k.name).join('、') || '—'}</TableCell>
                                    </TableRow>
                                ))}
                            </TableBody>
                        </Table>
                    )}
                </CardContent>
            </Card>
            <Card data-testid="overdue-transfers">
                <CardContent>
                    <Typography variant="h6">{translate('app.oversight.transfers')}</Typography>
                    <Typography variant="body2" color="text.secondary">{translate('app.oversight.transfers_help')}</Typography>
                    {compliance.isPending ? <Loading /> : compliance.error ? <Alert severity="error">{compliance.error.message}</Alert> : (
                        <Table size="small">
                            <TableHead><TableRow>
                                <TableCell>{translate('app.oversight.county')}</TableCell>
                                <TableCell align="right">{translate('app.oversight.transfers_open')}</TableCell>
                                <TableCell align="right">{translate('app.oversight.overdue_count')}</TableCell>
                                <TableCell>{translate('app.oversight.transfers_overdue')}</TableCell>
                            </TableRow></TableHead>
                            <TableBody>
                                {(compliance.data?.transfers?.byCounty ?? []).map((row) => (
                                    <TableRow key={row.countyCode}>
                                        <TableCell>{row.countyName}</TableCell>
                                        <TableCell align="right">{row.open}</TableCell>
                                        <TableCell align="right" sx={{ color: row.overdue ? 'error.main' : undefined, fontWeight: row.overdue ? 700 : 400 }}>{row.overdue}</TableCell>
                                        <TableCell>
                                            {row.overdueTransfers.length === 0 ? '—' : row.overdueTransfers.map((t) => (
                                                <div key={t.id}>
                                                    {translate(`app.oversight.direction_${t.direction}`)} · {t.childName} · {t.fromKindergartenName ?? '—'} → {t.toKindergartenName ?? '—'} · {translate('app.oversight.due', { due: t.dueAt })}
                                                </div>
                                            ))}
                                        </TableCell>
                                    </TableRow>
                                ))}
                                {(compliance.data?.transfers?.byCounty ?? []).length === 0 && <TableRow><TableCell colSpan={4}>{translate('app.oversight.transfers_none')}</TableCell></TableRow>}
                            </TableBody>
                        </Table>
                    )}
                </CardContent>
            </Card>
        </Box>
    );
};
