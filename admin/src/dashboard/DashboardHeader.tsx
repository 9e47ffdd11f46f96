import { Card, CardContent, Chip, Stack, Typography } from '@mui/material';
import { useTranslate } from 'react-admin';
import { Me } from '../providers/session';

/** "县级 · 鲤城区" and a welcome line. */
export const DashboardHeader = ({ me }: { me: Me }) => {
    const translate = useTranslate();
    const levelName = translate(`app.levels.${me.level}`, { _: me.levelName ?? me.level });
    const place =
        me.level === 'institution'
            ? me.institutionName ?? me.institutionCode
            : me.level === 'ministry'
              ? translate('app.dashboard.whole_country')
              : me.regionName ?? me.regionCode;
    return (
        <Card sx={{ mt: 2 }}>
            <CardContent>
                <Stack direction="row" spacing={1.5} alignItems="center" flexWrap="wrap" useFlexGap>
                    <Chip color="primary" label={levelName} />
                    <Typography variant="h5" component="h1" data-testid="dashboard-title">
                        {place}
                    </Typography>
                </Stack>
                <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
                    {translate('app.dashboard.welcome', { name: me.fullName || me.username })}
                </Typography>
            </CardContent>
        </Card>
    );
};
