import {
    Card,
    CardHeader,
    LinearProgress,
    Table,
    TableBody,
    TableCell,
    TableHead,
    TableRow,
    Typography,
} from '@mui/material';
import { Link } from 'react-router-dom';
import { useTranslate } from 'react-admin';
import { formatNumber } from '../i18n';
import { DashboardData } from './types';

const MAX_ROWS = 30;

/** A 6-digit code not ending in 00 is a county (GB/T 2260): its kindergartens can be listed by countyCode. */
const isCountyCode = (code: string) => /^\d{6}$/.test(code) && !code.endsWith('00');

const percent = (part: number, whole: number) =>
    whole > 0 ? (part / whole).toLocaleString('zh-CN', { style: 'percent', maximumFractionDigits: 1 }) : '—';

/**
 * Kindergartens per subdivision (counties, or the regions right below a ministry/province user),
 * largest first; subdivisions without kindergartens are summed up in one line.
 * A county's row opens its kindergartens.
 */
export const CountyTable = ({ data }: { data: DashboardData }) => {
    const translate = useTranslate();
    const all = data.byCounty ?? [];
    const nonEmpty = all.filter((row) => row.kindergartens > 0).sort((a, b) => b.kindergartens - a.kindergartens);
    const rows = nonEmpty.slice(0, MAX_ROWS);
    const hidden = all.length - rows.length;
    const max = Math.max(1, ...rows.map((row) => row.kindergartens));
    return (
        <Card>
            <CardHeader title={translate('app.dashboard.by_county')} titleTypographyProps={{ variant: 'h6' }} />
            {all.length === 0 ? (
                <Typography sx={{ px: 2, pb: 2 }} color="text.secondary">
                    {translate('app.dashboard.no_counties')}
                </Typography>
            ) : (
                <Table size="small">
                    <TableHead>
                        <TableRow>
                            <TableCell>{translate('app.dashboard.county_code')}</TableCell>
                            <TableCell>{translate('app.dashboard.county_name')}</TableCell>
                            <TableCell align="right">{translate('app.dashboard.count')}</TableCell>
                            <TableCell sx={{ width: '30%' }}>{translate('app.dashboard.share')}</TableCell>
                        </TableRow>
                    </TableHead>
                    <TableBody>
                        {rows.map((row) => (
                            <TableRow key={row.countyCode} hover>
                                <TableCell>{row.countyCode}</TableCell>
                                <TableCell>
                                    {isCountyCode(row.countyCode) ? (
                                        <Link
                                            to={`/kindergartens?filter=${encodeURIComponent(
                                                JSON.stringify({ countyCode: row.countyCode })
                                            )}`}
                                        >
                                            {row.countyName}
                                        </Link>
                                    ) : (
                                        row.countyName
                                    )}
                                </TableCell>
                                <TableCell align="right">{formatNumber(row.kindergartens)}</TableCell>
                                <TableCell>
                                    <LinearProgress
                                        variant="determinate"
                                        value={(row.kindergartens / max) * 100}
                                        sx={{ height: 8, borderRadius: 4 }}
                                        aria-label={percent(row.kindergartens, data.kindergartens)}
                                    />
                                    <Typography variant="caption" color="text.secondary">
                                        {percent(row.kindergartens, data.kindergartens)}
                                    </Typography>
                                </TableCell>
                            </TableRow>
                        ))}
                    </TableBody>
                </Table>
            )}
            {hidden > 0 && (
                <Typography variant="body2" color="text.secondary" sx={{ px: 2, py: 1.5 }}>
                    {translate('app.dashboard.hidden_rows', { count: formatNumber(hidden) })}
                </Typography>
            )}
        </Card>
    );
};

export { percent };
