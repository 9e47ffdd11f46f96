import { Alert, Box, Grid, Skeleton, Typography } from '@mui/material';
import SchoolIcon from '@mui/icons-material/School';
import AccountBalanceIcon from '@mui/icons-material/AccountBalance';
import StorefrontIcon from '@mui/icons-material/Storefront';
import VolunteerActivismIcon from '@mui/icons-material/VolunteerActivism';
import { useTranslate } from 'react-admin';
import { formatNumber } from '../i18n';
import { useApi } from '../providers/useApi';
import { Me } from '../providers/session';
import { CountyTable, percent } from './CountyTable';
import { DashboardHeader } from './DashboardHeader';
import { StatCard } from './StatCard';
import { SafetyCards } from './SafetyCards';
import { DashboardData } from './types';
import { CompletenessPanel, DrillDownPanel, MapPanel, ExportSummaryButton, KeyIndicators, OverduePanel, TrendPanel } from './StatisticsPanels';
import { SnapshotProjectsPanel } from './SnapshotProjects';
import { ProjectsTrendPanel } from './ProjectsTrend';

/** Ministry, province, prefecture and county: figures for the whole reach and a table by county. */
export const RegionDashboard = ({ me }: { me: Me }) => {
    const translate = useTranslate();
    const { data, error, isPending } = useApi<DashboardData>('/api/dashboard');
    const placeName = me.level === 'ministry' ? translate('app.dashboard.whole_country') : me.regionName ?? me.regionCode ?? '';
    return (
        <Box sx={{ pb: 3 }}>
            <DashboardHeader me={me} />
            {error && (
                <Alert severity="error" sx={{ mt: 2 }}>
                    {translate('app.errors.load_failed', { message: error.message ?? String(error) })}
                </Alert>
            )}
            {isPending && <Skeleton variant="rounded" height={120} sx={{ mt: 2 }} />}
            {data && (
                <>
                    <Grid container spacing={2} sx={{ mt: 0.5 }}>
                        <Grid size={{ xs: 12, sm: 6, md: 3 }}>
                            <StatCard
                                icon={<SchoolIcon />}
                                label={translate('app.dashboard.kindergartens')}
                                value={formatNumber(data.kindergartens)}
                            />
                        </Grid>
                        <Grid size={{ xs: 12, sm: 6, md: 3 }}>
                            <StatCard
                                icon={<AccountBalanceIcon />}
                                label={translate('app.dashboard.public')}
                                value={formatNumber(data.publicKindergartens)}
                                caption={percent(data.publicKindergartens, data.kindergartens)}
                                color="success.main"
                            />
                        </Grid>
                        <Grid size={{ xs: 12, sm: 6, md: 3 }}>
                            <StatCard
                                icon={<StorefrontIcon />}
                                label={translate('app.dashboard.private')}
                                value={formatNumber(data.kindergartens - data.publicKindergartens)}
                                caption={percent(data.kindergartens - data.publicKindergartens, data.kindergartens)}
                                color="warning.main"
                            />
                        </Grid>
                        <Grid size={{ xs: 12, sm: 6, md: 3 }}>
                            <StatCard
                                icon={<VolunteerActivismIcon />}
                                label={translate('app.dashboard.inclusive')}
                                value={formatNumber(data.inclusiveKindergartens)}
                                caption={`${translate('app.dashboard.inclusive_rate')} ${percent(
                                    data.inclusiveKindergartens,
                                    data.kindergartens
                                )}`}
                                color="info.main"
                            />
                        </Grid>
                    </Grid>
                    {data.indicators && data.indicators.length > 0 && (
                        <Box sx={{ mt: 2 }}>
                            <Box sx={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', mb: 1 }}>
                                <Typography variant="h6">{translate('app.charts.key_indicators')}</Typography>
                                <ExportSummaryButton />
                            </Box>
                            <KeyIndicators indicators={data.indicators} />
                        </Box>
                    )}
                    <Grid container spacing={2} sx={{ mt: 1 }}>
                        <Grid size={{ xs: 12, lg: 6 }}>
                            <DrillDownPanel level={me.level} rootLabel={placeName} />
                        </Grid>
                        <Grid size={{ xs: 12, lg: 6 }}>
                            <MapPanel level={me.level} regionCode={me.regionCode} placeName={placeName} />
                        </Grid>
                        <Grid size={{ xs: 12, lg: 6 }}>
                            <TrendPanel />
                        </Grid>
                        <Grid size={{ xs: 12, lg: 6 }}>
                            <CompletenessPanel />
                        </Grid>
                        <Grid size={{ xs: 12, lg: 6 }}>
                            <OverduePanel />
                        </Grid>
                        <Grid size={{ xs: 12 }}>
                            <SnapshotProjectsPanel />
                        </Grid>
                        <Grid size={{ xs: 12 }}>
                            <ProjectsTrendPanel />
                        </Grid>
                    </Grid>
                    <Box sx={{ mt: 2 }}>
                        <CountyTable data={data} />
                    </Box>
                    <SafetyCards />
                </>
            )}
        </Box>
    );
};

