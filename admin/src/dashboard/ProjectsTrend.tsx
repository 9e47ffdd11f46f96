import './charts/setup';
import { useRef } from 'react';
import { Alert, Box, Skeleton, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { Chart } from 'react-chartjs-2';
import type { Chart as ChartJS, ChartData, ChartOptions } from 'chart.js';
import { useTranslate } from 'react-admin';
import { formatNumber } from '../i18n';
import { useApi } from '../providers/useApi';
import { ChartCard } from './charts/QueryChart';

/** One saved month's project-fund totals inside the reader's reach (amounts in 万元, as saved). */
type Month = { period: string; projects: number; budget: number; allocated: number; spent: number; overspent: number; lateReports: number };

const ALLOCATED = '#1976d2';
const SPENT = '#2e7d32';
const RATE = '#ed6c02';
const FLAG = '#d32f2f';

/** 支出率 = spent / allocated, in % with one decimal; none where nothing was allocated. */
const rateOf = (m: Month) => (m.allocated > 0 ? Math.round((m.spent / m.allocated) * 1000) / 10 : null);
const formatRate = (rate: number | null) => (rate == null ? '—' : `${rate.toFixed(1)}%`);
const flagged = (m: Month) => m.overspent > 0 || m.lateReports > 0;

/**
 * 项目资金月度趋势: allocated and spent per saved monthly snapshot inside the user's reach
 * (GET /api/archive-snapshot/snapshots/projects-trend, the last 12), with the spending rate on a
 * second axis; months with overspent projects or late reports are marked, and listed under the chart.
 */
export const ProjectsTrendPanel = () => {
    const translate = useTranslate();
    const chartRef = useRef<ChartJS | null>();
    const { data, error, isPending } = useApi<{ data: Month[] }>('/api/archive-snapshot/snapshots/projects-trend');
    const months = data?.data ?? [];
    const t = (key: string, options?: any) => translate(`app.snapshots.trend.${key}`, options);
    const unit = t('unit');
    const rates = months.map(rateOf);
    const chartData: ChartData<'line'> = {
        labels: months.map((m) => m.period),
        datasets: [
            { label: `${t('allocated')}（${unit}）`, data: months.map((m) => m.allocated), borderColor: ALLOCATED, backgroundColor: ALLOCATED, yAxisID: 'y', tension: 0.2 },
            {
                label: `${t('spent')}（${unit}）`, data: months.map((m) => m.spent), borderColor: SPENT, backgroundColor: SPENT, yAxisID: 'y', tension: 0.2,
                pointStyle: months.map((m) => (flagged(m) ? 'triangle' : 'circle')),
                pointRadius: months.map((m) => (flagged(m) ? 7 : 3)),
                pointBackgroundColor: months.map((m) => (flagged(m) ? FLAG : SPENT)),
                pointBorderColor: months.map((m) => (flagged(m) ? FLAG : SPENT)),
            },
            { label: `${t('rate')}（%）`, data: rates, borderColor: RATE, backgroundColor: RATE, borderDash: [6, 4], yAxisID: 'y1', tension: 0.2, spanGaps: true },
        ],
    };
    const options: ChartOptions<'line'> = {
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
        plugins: {
            title: { display: true, text: t('title') },
            legend: { display: true, position: 'bottom' },
            tooltip: {
                callbacks: {
                    label: (item) => `${item.dataset.label}：${item.dataset.yAxisID === 'y1' ? formatRate(rates[item.dataIndex]) : `${formatNumber(item.parsed.y)} ${unit}`}`,
                    footer: (items) => {
                        const m = months[items[0]?.dataIndex ?? -1];
                        return m && flagged(m) ? `${t('overspent')} ${m.overspent} · ${t('late_reports')} ${m.lateReports}` : '';
                    },
                },
            },
        },
        scales: {
            x: { title: { display: true, text: t('month') } },
            y: { beginAtZero: true, position: 'left', title: { display: true, text: t('amount_axis') } },
            y1: { beginAtZero: true, suggestedMax: 100, position: 'right', title: { display: true, text: t('rate_axis') }, grid: { drawOnChartArea: false }, ticks: { callback: (v) => `${v}%` } },
        },
    };
    const summary = months.map((m, i) => t('summary', { month: m.period, allocated: formatNumber(m.allocated), spent: formatNumber(m.spent), rate: formatRate(rates[i]) })).join('；');
    return (
        <ChartCard title={t('title')} subheader={t('hint')} chartRef={months.length ? chartRef : undefined} testId="projects-trend">
            {error ? <Alert severity="error">{error.message}</Alert>
                : isPending || !data ? <Skeleton variant="rounded" height={260} />
                : months.length === 0 ? <Typography color="text.secondary" sx={{ py: 3, textAlign: 'center' }}>{t('none')}</Typography>
                : (
                    <Box>
                        <Box sx={{ height: 260, position: 'relative' }}>
                            <Chart ref={chartRef as any} type="line" data={chartData} options={options} role="img" aria-label={summary} data-testid="projects-trend-chart" />
                        </Box>
                        <Typography variant="caption" color="text.secondary">{t('flagged')}</Typography>
                        <Table size="small">
                            <TableHead>
                                <TableRow>
                                    <TableCell>{t('month')}</TableCell>
                                    <TableCell align="right">{t('projects')}</TableCell>
                                    <TableCell align="right">{`${t('allocated')}（${unit}）`}</TableCell>
                                    <TableCell align="right">{`${t('spent')}（${unit}）`}</TableCell>
                                    <TableCell align="right">{t('rate')}</TableCell>
                                    <TableCell align="right">{t('overspent')}</TableCell>
                                    <TableCell align="right">{t('late_reports')}</TableCell>
                                </TableRow>
                            </TableHead>
                            <TableBody>
                                {months.map((m, i) => (
                                    <TableRow key={m.period} data-testid="projects-trend-row">
                                        <TableCell sx={{ color: flagged(m) ? 'error.main' : undefined }}>{m.period}</TableCell>
                                        <TableCell align="right">{formatNumber(m.projects)}</TableCell>
                                        <TableCell align="right">{formatNumber(m.allocated)}</TableCell>
                                        <TableCell align="right">{formatNumber(m.spent)}</TableCell>
                                        <TableCell align="right">{formatRate(rates[i])}</TableCell>
                                        <TableCell align="right" sx={{ color: m.overspent ? 'error.main' : undefined }}>{formatNumber(m.overspent)}</TableCell>
                                        <TableCell align="right" sx={{ color: m.lateReports ? 'warning.main' : undefined }}>{formatNumber(m.lateReports)}</TableCell>
                                    </TableRow>
                                ))}
                            </TableBody>
                        </Table>
                    </Box>
                )}
        </ChartCard>
    );
};
