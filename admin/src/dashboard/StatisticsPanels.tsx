import './charts/setup';
import { useMemo, useRef, useState } from 'react';
import { Alert, Box, Breadcrumbs, Button, Chip, Grid, Link as MuiLink, MenuItem, Skeleton, TextField, Typography } from '@mui/material';
import DownloadIcon from '@mui/icons-material/Download';
import { Chart } from 'react-chartjs-2';
import type { Chart as ChartJS } from 'chart.js';
import { useNavigate } from 'react-router-dom';
import { useNotify, useTranslate } from 'react-admin';
import { useApi } from '../providers/useApi';
import { ChartCard, QueryChart, formatValue, shown } from './charts/QueryChart';
import { downloadFile } from './charts/download';
import { useStatistics } from './charts/useStatistics';
import { RegionMap, boundariesFor } from './charts/RegionMap';
import type { Catalog, QueryResult } from './charts/types';
import type { DashboardIndicator } from './types';
import { useServerFacts, useThisMonth } from '../providers/useServerFacts';
import type { ServerFacts } from '../providers/session';
import { useReason } from '../providers/errors';


/** The indicators a picker offers: ratios first, then counts. */
const useIndicatorChoices = () => {
    const { data } = useApi<Catalog>('/api/statistics/catalog');
    return useMemo(() => (data ? [...data.indicators, ...data.figures] : []), [data]);
};

const IndicatorPicker = ({ value, onChange, testId }: { value: string; onChange: (v: string) => void; testId?: string }) => {
    const translate = useTranslate();
    const choices = useIndicatorChoices();
    return (
        <TextField select size="small" label={translate('app.charts.indicator')} value={choices.length ? value : ''} onChange={(e) => onChange(e.target.value)} sx={{ minWidth: 200 }} inputProps={{ 'data-testid': testId }}>
            {choices.map((c) => (
                <MenuItem key={c.key} value={c.key}>{c.label}</MenuItem>
            ))}
        </TextField>
    );
};

/** One indicator or figure against its target (a key indicator, a 卫生保健 or 安全管理 card of the dashboard). */
export const IndicatorCard = ({ indicator: i }: { indicator: DashboardIndicator }) => {
    const translate = useTranslate();
    return (
        <Box sx={{ p: 1.5, border: 1, borderColor: 'divider', borderRadius: 1, bgcolor: 'background.paper', height: '100%' }} data-testid={`indicator-${i.key}`}>
            <Typography variant="body2" color="text.secondary">{i.label}</Typography>
            <Typography variant="h5" sx={{ fontWeight: 600 }}>{formatValue(i.value, i.scale, i.unit)}</Typography>
            <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, mt: 0.5 }}>
                {i.target && (
                    <Typography variant="caption" color="text.secondary">
                        {translate('app.charts.target')} {i.target.op === '>=' ? '≥' : '≤'} {formatValue(i.target.value, i.scale, i.unit)}
                    </Typography>
                )}
                {i.meets === true && <Chip size="small" color="success" label={translate('app.charts.met')} />}
                {i.meets === false && <Chip size="small" color="warning" label={translate('app.charts.not_met')} />}
                {i.value == null && <Chip size="small" label={translate('app.charts.no_value')} />}
            </Box>
        </Box>
    );
};

/** Key indicators (毛入园率, 普惠覆盖率, 公办占比, 班额达标率, 生师比) against their targets: cards and a bar chart with the target marks. */
export const KeyIndicators = ({ indicators }: { indicators: DashboardIndicator[] }) => {
    const translate = useTranslate();
    const chartRef = useRef<ChartJS | null>();
    const ratios = indicators.filter((i) => i.scale === 100);
    const title = translate('app.charts.key_indicators');
    return (
        <Grid container spacing={2}>
            <Grid size={{ xs: 12, md: 5 }}>
                <Grid container spacing={1.5}>
                    {indicators.map((i) => (
                        <Grid key={i.key} size={{ xs: 12, sm: 6 }}>
                            <IndicatorCard indicator={i} />
                        </Grid>
                    ))}
                </Grid>
            </Grid>
            <Grid size={{ xs: 12, md: 7 }}>
                <ChartCard title={title} chartRef={chartRef} testId="key-indicators-chart">
                    <Box sx={{ height: 280 }}>
                        <Chart
                            ref={chartRef as any}
                            type="bar"
                            data={{
                                labels: ratios.map((i) => i.label),
                                datasets: [
                                    { type: 'bar', label: translate('app.charts.actual'), data: ratios.map((i) => shown(i.value, 100)), backgroundColor: ratios.map((i) => (i.meets === false ? '#ed6c02cc' : '#2e7d32cc')), borderColor: '#2e7d32' },
                                    { type: 'line', label: translate('app.charts.target'), data: ratios.map((i) => (i.target ? shown(i.target.value, 100) : null)), borderColor: '#d32f2f', backgroundColor: '#d32f2f', showLine: false, pointStyle: 'line', pointRadius: 18, pointBorderWidth: 3, valueLabels: false } as any,
                                ],
                            }}
                            options={{
                                responsive: true,
                                maintainAspectRatio: false,
                                layout: { padding: { top: 18 } },
                                plugins: { title: { display: true, text: title }, legend: { position: 'bottom' }, valueLabels: { display: true, format: (v: number) => `${v}%` } } as any,
                                scales: { y: { beginAtZero: true, max: 100, title: { display: true, text: '%' } } },
                            }}
                        />
                    </Box>
                </ChartCard>
            </Grid>
        </Grid>
    );
};

/** Trends month by month from the monthly snapshots (GET /api/statistics/trend). */
export const TrendPanel = () => {
    const translate = useTranslate();
    const [indicator, setIndicator] = useState('children');
    const chartRef = useRef<ChartJS | null>();
    const { data, error, isPending } = useApi<QueryResult>(`/api/statistics/trend?indicator=${indicator}`);
    const title = translate('app.charts.trend_title', { indicator: data?.indicator.label ?? '' });
    return (
        <ChartCard title={translate('app.charts.trend')} subheader={translate('app.charts.trend_hint')} chartRef={chartRef} actions={<IndicatorPicker value={indicator} onChange={setIndicator} />} testId="trend-chart">
            {error ? <Alert severity="error">{error.message}</Alert> : isPending && !data ? <Skeleton variant="rounded" height={260} /> : data && <QueryChart result={data} type="line" title={title} chartRef={chartRef} height={260} />}
        </ChartCard>
    );
};

type Level = { label: string; dimension: string; region?: string };
/** The statistics dimension of the institutions themselves, below the last region level. */
const INSTITUTIONS = 'kindergarten';

/**
 * The dimension right below `level` (config/levels.json through /api/me): the next region level
 * with more code digits, then the institutions; and how many code digits `level` itself holds.
 */
const below = (facts: ServerFacts, level: string): { dimension: string; digits: number } => {
    const digits = facts.levels.find((l) => l.key === level)?.regionDigits ?? 0;
    const next = facts.levels.filter((l) => !l.byInstitution && l.regionDigits > digits).sort((a, b) => a.regionDigits - b.regionDigits)[0];
    return { dimension: next?.key ?? INSTITUTIONS, digits };
};

/**
 * Drill-down: ranked horizontal bars of the areas below (the map beside it, MapPanel, colours
 * them where boundaries exist); clicking a bar opens the level below — province → prefecture →
 * county → kindergarten, and a kindergarten's bar opens its record list entry.
 */
export const DrillDownPanel = ({ level, rootLabel }: { level: string; rootLabel: string }) => {
    const translate = useTranslate();
    const navigate = useNavigate();
    const [indicator, setIndicator] = useState('kindergartens');
    const facts = useServerFacts();
    const [path, setPath] = useState<Level[]>([{ label: rootLabel, dimension: below(facts, level).dimension }]);
    const current = path[path.length - 1];
    const chartRef = useRef<ChartJS | null>();
    const { data, error, isPending } = useStatistics({ indicator, dimension: current.dimension, filters: current.region ? { region: current.region } : {} });
    const title = data ? translate('app.charts.drill_title', { place: current.label, indicator: data.indicator.label, dimension: data.dimension.label }) : '';
    const open = (row: { key: string; label: string }) => {
        if (current.dimension === INSTITUTIONS) {
            navigate(`/kindergartens?filter=${encodeURIComponent(JSON.stringify({ code: row.key }))}`);
            return;
        }
        const next = below(facts, current.dimension);
        if (!next.digits) return;
        setPath([...path, { label: row.label, dimension: next.dimension, region: row.key.slice(0, next.digits) }]);
    };
    return (
        <ChartCard
            title={translate('app.charts.drill')}
            subheader={
                <Breadcrumbs sx={{ fontSize: 12 }}>
                    {path.map((step, i) =>
                        i < path.length - 1 ? (
                            <MuiLink key={i} component="button" onClick={() => setPath(path.slice(0, i + 1))}>{step.label}</MuiLink>
                        ) : (
                            <Typography key={i} variant="caption" data-testid="drill-current">{step.label}</Typography>
                        )
                    )}
                </Breadcrumbs>
            }
            chartRef={chartRef}
            actions={<IndicatorPicker value={indicator} onChange={setIndicator} />}
            testId="drill-chart"
        >
            {error ? <Alert severity="error">{error.message}</Alert> : !data ? <Skeleton variant="rounded" height={300} /> : (
                <Box sx={{ opacity: isPending ? 0.5 : 1 }}>
                    <QueryChart result={data} type="bar" horizontal title={title} chartRef={chartRef} onClickRow={open} maxRows={30} />
                    <Typography variant="caption" color="text.secondary">{translate('app.charts.drill_hint')}</Typography>
                </Box>
            )}
        </ChartCard>
    );
};

/**
 * 地图: the indicator by area on a choropleth — the Ministry's by province, a province's by
 * prefecture (by district for a municipality) where boundaries ship with the panel
 * (admin/src/dashboard/charts/RegionMap.tsx); elsewhere a note and the drill-down's bars.
 */
export const MapPanel = ({ level, regionCode, placeName }: { level: string; regionCode?: string | null; placeName: string }) => {
    const translate = useTranslate();
    const facts = useServerFacts();
    const [indicator, setIndicator] = useState('kindergartens');
    const chartRef = useRef<ChartJS | null>();
    const digits = facts.levels.find((l) => l.key === level)?.regionDigits ?? 0;
    const prefix = (regionCode ?? '').slice(0, digits);
    const boundaries = boundariesFor(prefix);
    const dimension = boundaries && facts.levels.find((l) => !l.byInstitution && l.regionDigits === boundaries.digits)?.key;
    const { data, error } = useStatistics(dimension ? { indicator, dimension, filters: prefix ? { region: prefix } : {} } : null);
    const title = data ? translate('app.charts.map_title', { place: placeName, indicator: data.indicator.label }) : translate('app.charts.map');
    return (
        <ChartCard title={translate('app.charts.map')} subheader={translate('app.charts.map_hint')} chartRef={dimension ? chartRef : undefined} actions={dimension ? <IndicatorPicker value={indicator} onChange={setIndicator} testId="map-indicator" /> : undefined} testId="map-chart">
            {!dimension ? (
                <Alert severity="info" data-testid="map-unavailable">{translate('app.charts.map_unavailable')}</Alert>
            ) : error ? <Alert severity="error">{error.message}</Alert> : !data ? <Skeleton variant="rounded" height={360} /> : (
                <RegionMap result={data} regionPrefix={prefix} title={title} chartRef={chartRef} />
            )}
        </ChartCard>
    );
};

type Compliance = { month: string; deadline: string; byCounty: { countyCode: string; countyName: string; kindergartens: number; updated: number }[] };
type Overdue = { byCounty: { countyCode: string; countyName: string; open: number; overdue: number }[] };

/** 填报完成率 per county: kindergartens that updated their data by the deadline of the month (GET /api/compliance). */
export const CompletenessPanel = () => {
    const thisMonth = useThisMonth();
    const translate = useTranslate();
    const chartRef = useRef<ChartJS | null>();
    const { data, error } = useApi<Compliance>(`/api/compliance?month=${thisMonth()}`);
    const result: QueryResult | undefined = data && {
        indicator: { key: 'completeness', label: translate('app.charts.completeness_label'), unit: '%', scale: 100, target: null },
        dimension: { key: 'county', label: translate('app.charts.county') },
        filters: {},
        rows: data.byCounty.map((row) => ({ key: row.countyCode, label: row.countyName, value: row.kindergartens ? row.updated / row.kindergartens : null, numerator: row.updated, denominator: row.kindergartens })),
        total: null,
    };
    const title = translate('app.charts.completeness_title', { month: data?.month ?? '', deadline: data?.deadline ?? '' });
    return (
        <ChartCard title={translate('app.charts.completeness')} subheader={data && translate('app.charts.completeness_hint', { deadline: data.deadline })} chartRef={chartRef} testId="completeness-chart">
            {error ? <Alert severity="error">{error.message}</Alert> : !result ? <Skeleton variant="rounded" height={240} /> : <QueryChart result={result} type="bar" horizontal title={title} chartRef={chartRef} maxRows={30} height={240} />}
        </ChartCard>
    );
};

/** Open and overdue reviews per county (GET /api/requests/overdue-summary). */
export const OverduePanel = () => {
    const translate = useTranslate();
    const chartRef = useRef<ChartJS | null>();
    const { data, error } = useApi<Overdue>('/api/requests/overdue-summary');
    const rows = [...(data?.byCounty ?? [])].sort((a, b) => b.overdue - a.overdue || b.open - a.open).slice(0, 30);
    const title = translate('app.charts.overdue_title');
    return (
        <ChartCard title={translate('app.charts.overdue')} chartRef={chartRef} testId="overdue-chart">
            {error ? <Alert severity="error">{error.message}</Alert> : !data ? <Skeleton variant="rounded" height={240} /> : rows.length === 0 ? (
                <Typography color="text.secondary" sx={{ py: 4, textAlign: 'center' }}>{translate('app.oversight.none_open')}</Typography>
            ) : (
                <Box sx={{ height: Math.max(240, rows.length * 24 + 90) }}>
                    <Chart
                        ref={chartRef as any}
                        type="bar"
                        data={{
                            labels: rows.map((r) => r.countyName),
                            datasets: [
                                { label: translate('app.charts.overdue_count'), data: rows.map((r) => r.overdue), backgroundColor: '#d32f2fcc' },
                                { label: translate('app.charts.on_time_count'), data: rows.map((r) => r.open - r.overdue), backgroundColor: '#1976d2aa' },
                            ],
                        }}
                        options={{
                            indexAxis: 'y',
                            responsive: true,
                            maintainAspectRatio: false,
                            plugins: { title: { display: true, text: title }, legend: { position: 'bottom' } },
                            scales: { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: translate('app.charts.unit_requests') } }, y: { stacked: true } },
                        }}
                    />
                </Box>
            )}
        </ChartCard>
    );
};

/** 导出统计汇总 (xlsx): the user's level and every level below; the server records the export. */
export const ExportSummaryButton = () => {
    const translate = useTranslate();
    const notify = useNotify();
    const reason = useReason();
    const [busy, setBusy] = useState(false);
    return (
        <Button
            variant="outlined"
            size="small"
            startIcon={<DownloadIcon />}
            disabled={busy}
            onClick={() => {
                setBusy(true);
                downloadFile('/api/statistics/export', '学前教育统计汇总.xlsx')
                    .catch((error) => notify(reason(error), { type: 'error' }))
                    .finally(() => setBusy(false));
            }}
        >
            {translate('app.charts.export_summary')}
        </Button>
    );
};
