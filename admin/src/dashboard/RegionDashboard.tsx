import { Alert, Box, Grid, Skeleton } from '@mui/material';
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
import { DashboardData } from './types';

/** Ministry, province, prefecture and county: figures for the whole reach and a table by county. */
export const RegionDashboard = ({ me }: { me: Me }) => {
    const translate = useTranslate();
    const { data, error, isPending } = useApi<DashboardData>('/api/dashboard');
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
                    <Box sx={{ mt: 2 }}>
                        <CountyTable data={data} />
                    </Box>
                </>
            )}
        </Box>
    );
};

