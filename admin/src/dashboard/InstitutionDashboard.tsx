import { Alert, Box, Button, Card, CardActions, CardContent, CardHeader, Grid, Skeleton, Typography } from '@mui/material';
import SchoolIcon from '@mui/icons-material/School';
import { Link } from 'react-router-dom';
import { useGetList, useTranslate } from 'react-admin';
import { Me } from '../providers/session';
import { DashboardHeader } from './DashboardHeader';
import { SafetyCards } from './SafetyCards';
import { InstitutionCharts } from './InstitutionCharts';
import { RegionName } from '../components/RegionField';

const Item = ({ label, value }: { label: string; value?: React.ReactNode }) => (
    <Grid size={{ xs: 12, sm: 6, md: 4 }}>
        <Typography variant="caption" color="text.secondary">
            {label}
        </Typography>
        <Typography>{value || '—'}</Typography>
    </Grid>
);

/** Institution level: the kindergarten's own card, with a way into 本园信息. */
export const InstitutionDashboard = ({ me }: { me: Me }) => {
    const translate = useTranslate();
    const { data, isPending, error } = useGetList(
        'kindergartens',
        { filter: { code: me.institutionCode }, pagination: { page: 1, perPage: 1 }, sort: { field: 'code', order: 'ASC' } },
        { enabled: !!me.institutionCode }
    );
    const kindergarten = data?.[0];
    const field = (name: string) => translate(`resources.kindergartens.fields.${name}`);
    return (
        <Box sx={{ pb: 3 }}>
            <DashboardHeader me={me} />
            {error && (
                <Alert severity="error" sx={{ mt: 2 }}>
                    {translate('app.errors.load_failed', { message: (error as Error).message })}
                </Alert>
            )}
            <Card sx={{ mt: 2 }}>
                <CardHeader
                    avatar={<SchoolIcon color="primary" />}
                    title={translate('app.dashboard.my_kindergarten')}
                    titleTypographyProps={{ variant: 'h6' }}
                />
                <CardContent>
                    {isPending ? (
                        <Skeleton variant="rounded" height={80} />
                    ) : kindergarten ? (
                        <Grid container spacing={2}>
                            <Item label={field('code')} value={kindergarten.code} />
                            <Item label={field('name')} value={kindergarten.name} />
                            <Item label={field('countyCode')} value={<RegionName code={kindergarten.countyCode} />} />
                            <Item
                                label={field('ownership')}
                                value={
                                    kindergarten.ownership &&
                                    translate(`resources.kindergartens.ownership.${kindergarten.ownership}`)
                                }
                            />
                            <Item
                                label={field('inclusive')}
                                value={translate(kindergarten.inclusive ? 'ra.boolean.true' : 'ra.boolean.false')}
                            />
                            <Item
                                label={field('status')}
                                value={
                                    kindergarten.status && translate(`resources.kindergartens.status.${kindergarten.status}`)
                                }
                            />
                            <Item label={field('principal')} value={kindergarten.principal} />
                            <Item label={field('phone')} value={kindergarten.phone} />
                            <Item label={field('address')} value={kindergarten.address} />
                        </Grid>
                    ) : (
                        <Typography color="text.secondary">
                            {translate('app.my_kindergarten.not_found', { code: me.institutionCode ?? '' })}
                        </Typography>
                    )}
                </CardContent>
                {kindergarten && (
                    <CardActions>
                        <Button component={Link} to={`/kindergartens/${kindergarten.id}/show`}>
                            {translate('app.dashboard.open_my_kindergarten')}
                        </Button>
                    </CardActions>
                )}
            </Card>
            <InstitutionCharts />
            <SafetyCards />
        </Box>
    );
};
