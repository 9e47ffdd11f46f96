import { useRef } from 'react';
import { Alert, Box, Button, Grid, Skeleton, Typography } from '@mui/material';
import DownloadIcon from '@mui/icons-material/Download';
import type { Chart as ChartJS } from 'chart.js';
import { EditButton, Show, TopToolbar, useNotify, useRecordContext, useTranslate } from 'react-admin';
import { useApi } from '../../providers/useApi';
import { ChartCard, QueryChart } from '../../dashboard/charts/QueryChart';
import { downloadFile } from '../../dashboard/charts/download';
import type { ChartSpec, QueryResult } from '../../dashboard/charts/types';
import { formatDateTime } from '../../i18n';
import { useReason } from '../../providers/errors';

type ChartData = { index: number; title: string; type: ChartSpec['type']; result: QueryResult };

const DownloadButton = ({ url, name, label }: { url: string; name: string; label: string }) => {
    const notify = useNotify();
    const reason = useReason();
    return (
        <Button size="small" startIcon={<DownloadIcon />} onClick={() => downloadFile(url, name).catch((error) => notify(reason(error), { type: 'error' }))}>
            {label}
        </Button>
    );
};

/** One chart of a page: its numbers come from the server with the reader's own reach. */
const PageChart = ({ pageId, index, spec }: { pageId: string; index: number; spec: ChartSpec }) => {
    const translate = useTranslate();
    const chartRef = useRef<ChartJS | null>();
    const { data, error } = useApi<{ data: ChartData }>(`/api/chart-pages/${pageId}/charts/${index}/data`);
    const title = spec.title || data?.data.result.indicator.label || translate('resources.chart-pages.chart_n', { n: index + 1 });
    return (
        <ChartCard
            title={title}
            subheader={data ? `${data.data.result.indicator.label} × ${data.data.result.dimension.label}` : undefined}
            chartRef={spec.type === 'table' ? undefined : chartRef}
            actions={<DownloadButton url={`/api/chart-pages/${pageId}/charts/${index}/data?format=xlsx`} name={`${title}.xlsx`} label={translate('resources.chart-pages.download_xlsx')} />}
            testId={`page-chart-${index}`}
        >
            {error ? <Alert severity="error">{error.message}</Alert> : !data ? <Skeleton variant="rounded" height={280} /> : (
                <QueryChart result={data.data.result} type={spec.type} title={title} chartRef={chartRef} horizontal={spec.type === 'bar' && data.data.result.rows.length > 12} />
            )}
        </ChartCard>
    );
};

const PageBody = () => {
    const record = useRecordContext();
    const translate = useTranslate();
    if (!record) return null;
    const charts: ChartSpec[] = record.charts ?? [];
    return (
        <Box sx={{ p: 2 }}>
            <Typography variant="h5" data-testid="chart-page-title">{record.title}</Typography>
            {record.description && <Typography color="text.secondary" sx={{ mt: 0.5 }}>{record.description}</Typography>}
            <Box sx={{ display: 'flex', alignItems: 'center', gap: 2, mt: 0.5 }}>
                <Typography variant="caption" color="text.secondary">
                    {translate('resources.chart-pages.owner_line', { owner: record.ownerName ?? '', updated: formatDateTime(record.updatedAt) })}
                </Typography>
                <DownloadButton url={`/api/chart-pages/${record.id}/data?format=xlsx`} name={`${record.title}.xlsx`} label={translate('resources.chart-pages.download_all')} />
            </Box>
            <Grid container spacing={2} sx={{ mt: 1 }}>
                {charts.map((spec, index) => (
                    <Grid key={index} size={{ xs: 12, lg: charts.length > 1 ? 6 : 12 }}>
                        <PageChart pageId={String(record.id)} index={index} spec={spec} />
                    </Grid>
                ))}
            </Grid>
        </Box>
    );
};

const ShowActions = () => {
    const record = useRecordContext();
    return <TopToolbar>{record?.mine && <EditButton />}</TopToolbar>;
};

export const ChartPageShow = () => (
    <Show actions={<ShowActions />} component="div">
        <PageBody />
    </Show>
);
