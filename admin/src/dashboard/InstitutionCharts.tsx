import { useRef } from 'react';
import { Alert, Box, Grid, Skeleton } from '@mui/material';
import type { Chart as ChartJS } from 'chart.js';
import { useTranslate } from 'react-admin';
import { ChartCard, QueryChart } from './charts/QueryChart';
import { useStatistics } from './charts/useStatistics';
import { ExportSummaryButton } from './StatisticsPanels';

const Breakdown = ({ dimension, type }: { dimension: string; type: 'bar' | 'pie' }) => {
    const translate = useTranslate();
    const chartRef = useRef<ChartJS | null>();
    const { data, error } = useStatistics({ indicator: 'children', dimension });
    const title = data ? translate('app.charts.breakdown_title', { indicator: data.indicator.label, dimension: data.dimension.label }) : '';
    return (
        <ChartCard title={title || translate('app.charts.loading')} chartRef={chartRef} testId={`institution-${dimension}`}>
            {error ? <Alert severity="error">{error.message}</Alert> : !data ? <Skeleton variant="rounded" height={240} /> : <QueryChart result={data} type={type} title={title} chartRef={chartRef} height={240} />}
        </ChartCard>
    );
};

/** A kindergarten's own figures: children by class grade and by sex, and its summary export. */
export const InstitutionCharts = () => (
    <Box sx={{ mt: 2 }}>
        <Box sx={{ display: 'flex', justifyContent: 'flex-end', mb: 1 }}>
            <ExportSummaryButton />
        </Box>
        <Grid container spacing={2}>
            <Grid size={{ xs: 12, md: 7 }}>
                <Breakdown dimension="grade" type="bar" />
            </Grid>
            <Grid size={{ xs: 12, md: 5 }}>
                <Breakdown dimension="sex" type="pie" />
            </Grid>
        </Grid>
    </Box>
);
