import { useEffect, useState } from 'react';
import {
    Alert,
    Box,
    Card,
    CardContent,
    CardHeader,
    Chip,
    FormControl,
    InputLabel,
    LinearProgress,
    MenuItem,
    Select,
    Table,
    TableBody,
    TableCell,
    TableHead,
    TableRow,
    Typography,
} from '@mui/material';
import { Title, useTranslate } from 'react-admin';
import { formatDateTime, formatNumber } from '../i18n';
import { useApi } from '../providers/useApi';
import { monthIn, useServerFacts } from '../providers/useServerFacts';

type Label = { key: string; label: string; unit: string; scale?: number };
type ProvinceRow = {
    province: string;
    code: string;
    name: string;
    received: boolean;
    receivedAt: string | null;
    late: boolean;
    receivedLate: boolean;
    keyRegistered: boolean;
    signatureVerified: boolean;
    figures: Record<string, number> | null;
    indicators: Record<string, number | null> | null;
};
type NationalFigures = {
    period: string;
    dueAt: string;
    periods: string[];
    figureLabels: Label[];
    indicatorLabels: Label[];
    refused: { province: string; name: string; receivedAt: string; reason: string }[];
    provinces: ProvinceRow[];
    total: { name: string; figures: Record<string, number>; indicators: Record<string, number | null>; provincesReceived: number; provincesLate: number };
};

/** The month before `period` ('YYYY-MM'): the latest period whose monthly snapshot is due. */
const previousMonth = (period: string) => {
    const [year, month] = period.split('-').map(Number);
    return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
};

const indicatorText = (value: number | null | undefined, label: Label) =>
    value == null ? '—' : label.unit === '%' ? `${(value * (label.scale ?? 100)).toFixed(1)}%` : value.toLocaleString('zh-CN', { maximumFractionDigits: 2 });

/**
 * 全国统计 of a national deployment (docs/two-level-deployment.md): per province, whether its signed
 * monthly package of the period arrived, when, late or not, verified against the province's key;
 * its figures as the province signed them, and the national total (the sum of the packages
 * received). Everything comes from GET /api/exchange/national-statistics: the panel shows it only
 * where the server lists that call for the user (GET /api/me calls), i.e. on a national deployment.
 * `compact`: the dashboard's variant (no page title, no refused list).
 */
export const NationalStatistics = ({ compact = false }: { compact?: boolean }) => {
    const translate = useTranslate();
    const { timeZone } = useServerFacts();
    const due = previousMonth(monthIn(timeZone));
    const [chosen, setChosen] = useState<string | null>(null);
    const period = chosen ?? due;
    const { data: body, error, isPending } = useApi<{ data: NationalFigures }>(`/api/exchange/national-statistics?period=${period}`);
    const data = body?.data;
    // the period opens on the newest one a province sent, unless the user chose one
    const newest = data?.periods?.[0];
    const nothingYet = Boolean(data) && !data!.provinces.some((row) => row.received);
    useEffect(() => {
        if (!chosen && nothingYet && newest && newest !== period) setChosen(newest);
    }, [chosen, nothingYet, newest, period]);
    const periods = [...new Set([period, due, ...(data?.periods ?? [])])].sort().reverse();
    const shown = (data?.figureLabels ?? []).filter((label, index) => index < 3 || (data?.total.figures[label.key] ?? 0) !== 0);
    const indicators = (data?.indicatorLabels ?? []).filter((label) => data?.total.indicators[label.key] != null);
    return (
        <Box data-testid="national-statistics" sx={{ mt: compact ? 2 : 0 }}>
            {!compact && <Title title={translate('app.exchange.title')} />}
            <Card>
                <CardHeader
                    title={translate(compact ? 'app.exchange.dashboard_title' : 'app.exchange.title')}
                    subheader={translate('app.exchange.hint')}
                    titleTypographyProps={{ variant: 'h6' }}
                    action={
                        <FormControl size="small" sx={{ minWidth: 140, mt: 1 }}>
                            <InputLabel id="national-period">{translate('app.exchange.period')}</InputLabel>
                            <Select labelId="national-period" label={translate('app.exchange.period')} value={period} onChange={(event) => setChosen(String(event.target.value))}>
                                {periods.map((p) => (
                                    <MenuItem key={p} value={p}>
                                        {p}
                                    </MenuItem>
                                ))}
                            </Select>
                        </FormControl>
                    }
                />
                {isPending && <LinearProgress />}
                {error && (
                    <Alert severity="error" sx={{ m: 2 }}>
                        {translate('app.exchange.load_failed', { message: (error as Error).message })}
                    </Alert>
                )}
                {data && (
                    <CardContent sx={{ pt: 0 }}>
                        <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }} data-testid="national-summary">
                            {translate('app.exchange.due', { due: formatDateTime(data.dueAt) })}
                            {' · '}
                            {translate('app.exchange.provinces_received', { received: data.total.provincesReceived, late: data.total.provincesLate })}
                        </Typography>
                        {indicators.length > 0 && (
                            <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', mb: 1 }}>
                                {indicators.map((label) => (
                                    <Chip key={label.key} variant="outlined" label={`${label.label}：${indicatorText(data.total.indicators[label.key], label)}`} />
                                ))}
                            </Box>
                        )}
                        <Box sx={{ overflowX: 'auto' }}>
                            <Table size="small">
                                <TableHead>
                                    <TableRow>
                                        <TableCell>{translate('app.exchange.province')}</TableCell>
                                        <TableCell>{translate('app.exchange.package')}</TableCell>
                                        <TableCell>{translate('app.exchange.received_at')}</TableCell>
                                        <TableCell>{translate('app.exchange.status')}</TableCell>
                                        <TableCell>{translate('app.exchange.signature')}</TableCell>
                                        {shown.map((label) => (
                                            <TableCell key={label.key} align="right">
                                                {label.label}
                                            </TableCell>
                                        ))}
                                    </TableRow>
                                </TableHead>
                                <TableBody>
                                    {data.provinces.map((row) => (
                                        <TableRow key={row.province} data-testid="national-row" hover>
                                            <TableCell>{row.name}</TableCell>
                                            <TableCell>{translate(row.received ? 'app.exchange.received' : 'app.exchange.not_received')}</TableCell>
                                            <TableCell>{formatDateTime(row.receivedAt)}</TableCell>
                                            <TableCell>
                                                {row.late ? (
                                                    <Chip size="small" color="error" label={translate('app.exchange.late')} />
                                                ) : row.receivedLate ? (
                                                    <Chip size="small" color="warning" label={translate('app.exchange.received_late')} />
                                                ) : (
                                                    translate(row.received ? 'app.exchange.on_time' : 'app.exchange.pending')
                                                )}
                                            </TableCell>
                                            <TableCell>
                                                {row.signatureVerified
                                                    ? translate('app.exchange.verified')
                                                    : row.keyRegistered
                                                    ? translate('app.exchange.unverified')
                                                    : translate('app.exchange.no_key')}
                                            </TableCell>
                                            {shown.map((label) => (
                                                <TableCell key={label.key} align="right">
                                                    {row.figures ? formatNumber(row.figures[label.key] ?? 0) : '—'}
                                                </TableCell>
                                            ))}
                                        </TableRow>
                                    ))}
                                    <TableRow data-testid="national-total" sx={{ '& td': { fontWeight: 600 } }}>
                                        <TableCell>{translate('app.exchange.total')}</TableCell>
                                        <TableCell colSpan={4} />
                                        {shown.map((label) => (
                                            <TableCell key={label.key} align="right">
                                                {formatNumber(data.total.figures[label.key] ?? 0)}
                                            </TableCell>
                                        ))}
                                    </TableRow>
                                </TableBody>
                            </Table>
                        </Box>
                        {!compact && data.refused.length > 0 && (
                            <Box sx={{ mt: 3 }} data-testid="national-refused">
                                <Typography variant="subtitle1">{translate('app.exchange.refused_title')}</Typography>
                                <Typography variant="body2" color="text.secondary">
                                    {translate('app.exchange.refused_hint')}
                                </Typography>
                                <Table size="small">
                                    <TableHead>
                                        <TableRow>
                                            <TableCell>{translate('app.exchange.province')}</TableCell>
                                            <TableCell>{translate('app.exchange.received_at')}</TableCell>
                                            <TableCell>{translate('app.exchange.refused_reason')}</TableCell>
                                        </TableRow>
                                    </TableHead>
                                    <TableBody>
                                        {data.refused.map((row, index) => (
                                            <TableRow key={index}>
                                                <TableCell>{row.name}</TableCell>
                                                <TableCell>{formatDateTime(row.receivedAt)}</TableCell>
                                                <TableCell>{row.reason}</TableCell>
                                            </TableRow>
                                        ))}
                                    </TableBody>
                                </Table>
                            </Box>
                        )}
                    </CardContent>
                )}
            </Card>
        </Box>
    );
};
