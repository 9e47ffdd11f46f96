import './setup';
import { ReactNode, useRef } from 'react';
import { Alert, Box, Button, Card, CardContent, CardHeader, Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import ImageIcon from '@mui/icons-material/Image';
import { Chart } from 'react-chartjs-2';
import type { Chart as ChartJS, ChartData, ChartOptions } from 'chart.js';
import { useTranslate } from 'react-admin';
import { saveChartPng } from './download';
import type { QueryResult, QueryRow } from './types';

const PALETTE = ['#1976d2', '#2e7d32', '#ed6c02', '#9c27b0', '#0288d1', '#d32f2f', '#5d4037', '#00897b', '#c2185b', '#7b1fa2', '#455a64', '#f9a825'];

/** A value as shown: ratios with scale 100 in %, counts as they are. */
export const shown = (value: number | null | undefined, scale = 1) =>
    value == null ? null : scale === 100 ? Math.round(value * 1000) / 10 : Math.round(value * 100) / 100;

export const formatValue = (value: number | null | undefined, scale = 1, unit = '') => {
    const v = shown(value, scale);
    if (v == null) return '—';
    return scale === 100 ? `${v.toLocaleString('zh-CN')}%` : `${v.toLocaleString('zh-CN')}${unit && unit !== ': 1' ? ` ${unit}` : ''}`;
};

/** The unit on an axis: 百分比 for ratios, the figure's unit for counts. */
export const unitLabel = (result: QueryResult) => (result.indicator.scale === 100 ? '%' : result.indicator.unit);

/** A card with a title, a "保存为 PNG" button and extra actions. */
export const ChartCard = ({
    title,
    subheader,
    chartRef,
    actions,
    children,
    testId,
}: {
    title: string;
    subheader?: ReactNode;
    chartRef?: React.MutableRefObject<ChartJS | null | undefined>;
    actions?: ReactNode;
    children: ReactNode;
    testId?: string;
}) => {
    const translate = useTranslate();
    return (
        <Card sx={{ height: '100%' }} data-testid={testId}>
            <CardHeader
                title={title}
                subheader={subheader}
                titleTypographyProps={{ variant: 'subtitle1', fontWeight: 600 }}
                subheaderTypographyProps={{ variant: 'caption' }}
                sx={{ flexWrap: 'wrap', '& .MuiCardHeader-action': { alignSelf: 'center', m: 0, maxWidth: '100%', flexShrink: 1 } }}
                action={
                    // on a phone the pickers and the PNG button wrap under the title instead of widening the page
                    <Stack direction="row" spacing={0.5} alignItems="center" flexWrap="wrap" useFlexGap>
                        {actions}
                        {chartRef && (
                            <Button size="small" startIcon={<ImageIcon />} onClick={() => saveChartPng(chartRef.current, title)} sx={{ whiteSpace: 'nowrap', flexShrink: 0 }}>
                                {translate('app.charts.save_png')}
                            </Button>
                        )}
                    </Stack>
                }
            />
            <CardContent sx={{ pt: 0 }}>{children}</CardContent>
        </Card>
    );
};

export type QueryChartProps = {
    result: QueryResult;
    type: 'bar' | 'line' | 'pie' | 'table';
    title: string;
    horizontal?: boolean;
    maxRows?: number;
    height?: number;
    onClickRow?: (row: QueryRow) => void;
    chartRef?: React.MutableRefObject<ChartJS | null | undefined>;
    /** Draw the indicator's target as a line (bars and lines). */
    showTarget?: boolean;
};

/** One query result as a bar, line or pie chart, or a table: Chinese title, unit on the axis, legend. */
export const QueryChart = ({ result, type, title, horizontal, maxRows = 40, height = 300, onClickRow, chartRef, showTarget = true }: QueryChartProps) => {
    const translate = useTranslate();
    const localRef = useRef<ChartJS | null>();
    const ref = chartRef ?? localRef;
    const { indicator } = result;
    const rows = horizontal
        ? [...result.rows].sort((a, b) => (b.value ?? -Infinity) - (a.value ?? -Infinity)).slice(0, maxRows)
        : result.rows.slice(0, maxRows);
    const hidden = result.rows.length - rows.length;
    const valueLabel = `${indicator.label}（${unitLabel(result)}）`;
    if (result.rows.length === 0) {
        return <Typography color="text.secondary" sx={{ py: 4, textAlign: 'center' }}>{translate('app.charts.no_data')}</Typography>;
    }
    // a trend needs two months: one snapshot is said, not drawn as a lone point
    if (result.dimension.key === 'month' && type !== 'table' && result.rows.length < 2) {
        return (
            <Alert severity="info" sx={{ my: 2 }} data-testid="trend-too-short">
                {translate('app.charts.trend_too_short', { count: result.rows.length })}
            </Alert>
        );
    }
    if (type === 'table') {
        return (
            <Table size="small" data-testid="chart-table">
                <TableHead>
                    <TableRow>
                        <TableCell>{result.dimension.label}</TableCell>
                        <TableCell align="right">{valueLabel}</TableCell>
                        {result.rows[0]?.denominator !== undefined && <TableCell align="right">{translate('app.charts.numerator')}</TableCell>}
                        {result.rows[0]?.denominator !== undefined && <TableCell align="right">{translate('app.charts.denominator')}</TableCell>}
                    </TableRow>
                </TableHead>
                <TableBody>
                    {[...rows, ...(result.total ? [result.total] : [])].map((row) => (
                        <TableRow key={row.key} hover={!!onClickRow} onClick={onClickRow && row.key !== 'total' ? () => onClickRow(row) : undefined} sx={{ cursor: onClickRow ? 'pointer' : undefined }}>
                            <TableCell sx={{ fontWeight: row.key === 'total' ? 700 : 400 }}>{row.label}</TableCell>
                            <TableCell align="right">{formatValue(row.value, indicator.scale, indicator.unit)}</TableCell>
                            {row.denominator !== undefined && <TableCell align="right">{row.numerator?.toLocaleString('zh-CN')}</TableCell>}
                            {row.denominator !== undefined && <TableCell align="right">{row.denominator?.toLocaleString('zh-CN')}</TableCell>}
                        </TableRow>
                    ))}
                </TableBody>
            </Table>
        );
    }
    const labels = rows.map((row) => row.label);
    const values = rows.map((row) => shown(row.value, indicator.scale));
    const target = showTarget && indicator.target && type !== 'pie' ? shown(indicator.target.value, indicator.scale) : null;
    const datasets: any[] = [
        {
            type,
            label: valueLabel,
            data: values,
            backgroundColor: type === 'pie' ? rows.map((_, i) => PALETTE[i % PALETTE.length]) : type === 'line' ? PALETTE[0] : `${PALETTE[0]}cc`,
            borderColor: type === 'pie' ? '#fff' : PALETTE[0],
            tension: 0.2,
        },
    ];
    if (target != null) {
        datasets.push({
            type: 'line',
            label: `${translate('app.charts.target')}（${indicator.target!.op === '>=' ? '≥' : '≤'} ${target}${indicator.scale === 100 ? '%' : ''}）`,
            data: rows.map(() => target),
            borderColor: '#d32f2f',
            borderDash: [6, 4],
            pointRadius: 0,
            fill: false,
            valueLabels: false,
        });
    }
    const data: ChartData = { labels, datasets };
    const valueAxis = { beginAtZero: true, title: { display: true, text: unitLabel(result) } };
    const categoryAxis = { title: { display: true, text: result.dimension.label } };
    const options: ChartOptions = {
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: horizontal && type === 'bar' ? 'y' : 'x',
        layout: { padding: type === 'pie' ? 0 : horizontal ? { right: 56 } : { top: 18 } },
        plugins: {
            title: { display: true, text: title },
            legend: { display: true, position: 'bottom' },
            tooltip: { callbacks: { label: (item: any) => `${item.dataset.label}：${item.formattedValue}${indicator.scale === 100 ? '%' : ''}` } },
            // values on the bars and slices, percentages on pies (and on bars of counts split by a dimension)
            valueLabels: {
                display: true,
                format: (v: number) => `${v.toLocaleString('zh-CN')}${indicator.scale === 100 ? '%' : ''}`,
                share: type === 'bar' && indicator.scale !== 100 && !horizontal && rows.length <= 12,
            },
        },
        scales: type === 'pie' ? {} : horizontal ? ({ x: valueAxis, y: categoryAxis } as any) : ({ x: categoryAxis, y: valueAxis } as any),
        onClick: onClickRow
            ? (_event: any, elements: any[]) => {
                  const index = elements?.[0]?.index;
                  if (index !== undefined && rows[index]) onClickRow(rows[index]);
              }
            : undefined,
        onHover: onClickRow ? (event: any, elements: any[]) => { if (event.native?.target) event.native.target.style.cursor = elements.length ? 'pointer' : 'default'; } : undefined,
    } as ChartOptions;
    const chartHeight = horizontal ? Math.max(height, rows.length * 22 + 90) : height;
    return (
        <Box>
            <Box sx={{ height: chartHeight, position: 'relative' }} data-testid="chart-canvas">
                <Chart ref={ref as any} type={type === 'pie' ? 'pie' : 'bar'} data={data as any} options={options as any} />
            </Box>
            {hidden > 0 && (
                <Typography variant="caption" color="text.secondary">
                    {translate('app.charts.hidden_rows', { count: hidden })}
                </Typography>
            )}
        </Box>
    );
};
