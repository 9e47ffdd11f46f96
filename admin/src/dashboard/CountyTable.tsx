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

const percent = (part: number, whole: number) =>
    whole > 0 ? (part / whole).toLocaleString('zh-CN', { style: 'percent', maximumFractionDigits: 1 }) : '—';

/** Kindergartens per county, largest first; each row opens the county's kindergartens. */
export const CountyTable = ({ data }: { data: DashboardData }) => {
    const translate = useTranslate();
    const rows = [...(data.byCounty ?? [])].sort((a, b) => b.kindergartens - a.kindergartens).slice(0, MAX_ROWS);
    const max = Math.max(1, ...rows.map((row) => row.kindergartens));
    return (
        <Card>
            <CardHeader title={translate('app.dashboard.by_county')} titleTypographyProps={{ variant: 'h6' }} />
            {rows.length === 0 ? (
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
                                    <Link
                                        to={`/kindergartens?filter=${encodeURIComponent(
                                            JSON.stringify({ countyCode: row.countyCode })
                                        )}`}
                                    >
                                        {row.countyName}
                                    </Link>
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
        </Card>
    );
};

export { percent };
