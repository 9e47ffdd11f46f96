import { useEffect, useState } from 'react';
import { Alert, MenuItem, Skeleton, Table, TableBody, TableCell, TableHead, TableRow, TextField, ToggleButton, ToggleButtonGroup, Typography, Box } from '@mui/material';
import { useTranslate } from 'react-admin';
import { formatNumber } from '../i18n';
import { useApi } from '../providers/useApi';
import { ChartCard } from './charts/QueryChart';
import { useRegionLevels } from '../providers/useServerFacts';

type Sums = { code: string; name: string; projects: number; budget: number; allocated: number; spent: number; overspent: number; lateReports: number };
type Rollup = { rows: Sums[]; total: Sums };
type SnapshotPart = { period: string; projects: { asOf: string | null; projects: unknown[]; rollups: Record<string, Rollup> } };

/**
 * 月度存档 · 项目资金: the project roll-up saved in the monthly snapshot of the chosen month
 * (GET /api/archive-snapshot/snapshots/:period), inside the user's reach, by level or region.
 */
export const SnapshotProjectsPanel = () => {
    const regionLevels = useRegionLevels();
    const translate = useTranslate();
    const list = useApi<{ data: { period: string; state: string }[] }>('/api/archive-snapshot/snapshots');
    const periods = (list.data?.data ?? []).filter((s) => s.state === 'done').map((s) => s.period);
    const [period, setPeriod] = useState('');
    const [groupBy, setGroupBy] = useState<string>('level');
    useEffect(() => {
        if (!period && periods.length) setPeriod(periods[0]);
    }, [period, periods]);
    const snapshot = useApi<{ data: SnapshotPart }>(period ? `/api/archive-snapshot/snapshots/${period}` : null);
    const rollup = snapshot.data?.data.projects.rollups?.[groupBy];
    const actions = (
        <Box sx={{ display: 'flex', gap: 1, alignItems: 'center', flexWrap: 'wrap' }}>
            <TextField select size="small" label={translate('app.snapshots.month')} value={periods.includes(period) ? period : ''} onChange={(e) => setPeriod(e.target.value)} sx={{ minWidth: 130 }} inputProps={{ 'data-testid': 'snapshot-month' }}>
                {periods.map((p) => (
                    <MenuItem key={p} value={p}>{p}</MenuItem>
                ))}
            </TextField>
            <ToggleButtonGroup size="small" exclusive value={groupBy} onChange={(_e, v) => v && setGroupBy(v)}>
                {['level', ...regionLevels].map((g) => <ToggleButton key={g} value={g}>{translate(`app.snapshots.${g}`)}</ToggleButton>)}
            </ToggleButtonGroup>
        </Box>
    );
    const error = list.error ?? snapshot.error;
    return (
        <ChartCard title={translate('app.snapshots.projects_title')} subheader={translate('app.snapshots.projects_hint')} actions={actions} testId="snapshot-projects">
            {error ? <Alert severity="error">{error.message}</Alert>
                : list.data && periods.length === 0 ? <Typography color="text.secondary" sx={{ py: 3, textAlign: 'center' }}>{translate('app.snapshots.none')}</Typography>
                : !rollup ? <Skeleton variant="rounded" height={160} />
                : rollup.rows.length === 0 ? <Typography color="text.secondary" sx={{ py: 3, textAlign: 'center' }}>{translate('app.snapshots.no_projects')}</Typography>
                : (
                    <Table size="small" sx={{ opacity: snapshot.isPending ? 0.5 : 1 }}>
                        <TableHead>
                            <TableRow>
                                <TableCell>{translate('app.snapshots.region')}</TableCell>
                                {(['projects', 'budget', 'allocated', 'spent', 'overspent', 'late_reports'] as const).map((k) => (
                                    <TableCell key={k} align="right">{translate(`app.snapshots.${k}`)}</TableCell>
                                ))}
                            </TableRow>
                        </TableHead>
                        <TableBody>
                            {[...rollup.rows, { ...rollup.total, name: translate('app.snapshots.total') }].map((r, i) => (
                                <TableRow key={`${r.code}-${i}`} sx={i === rollup.rows.length ? { '& td': { fontWeight: 700 } } : undefined} data-testid="snapshot-project-row">
                                    <TableCell>{r.name}</TableCell>
                                    <TableCell align="right">{formatNumber(r.projects)}</TableCell>
                                    <TableCell align="right">{formatNumber(r.budget)}</TableCell>
                                    <TableCell align="right">{formatNumber(r.allocated)}</TableCell>
                                    <TableCell align="right">{formatNumber(r.spent)}</TableCell>
                                    <TableCell align="right" sx={{ color: r.overspent ? 'error.main' : undefined }}>{formatNumber(r.overspent)}</TableCell>
                                    <TableCell align="right" sx={{ color: r.lateReports ? 'warning.main' : undefined }}>{formatNumber(r.lateReports)}</TableCell>
                                </TableRow>
                            ))}
                        </TableBody>
                    </Table>
                )}
        </ChartCard>
    );
};
