import { Alert } from '@mui/material';
import { Loading, Title, useTranslate } from 'react-admin';
import { useMe } from '../providers/useMe';
import { InstitutionDashboard } from './InstitutionDashboard';
import { RegionDashboard } from './RegionDashboard';
import { MyStaff } from '../resources/staff/pages';
import { AdminDashboard } from './AdminDashboard';
import { NationalStatistics } from './NationalStatistics';

/** One dashboard per level: regional levels see figures for their reach, a kindergarten sees itself. */
export const Dashboard = () => {
    const { me, isPending, error } = useMe();
    const translate = useTranslate();
    if (error && !me) {
        return (
            <Alert severity="error" sx={{ mt: 2 }}>
                {translate('app.errors.load_failed', { message: (error as Error).message })}
            </Alert>
        );
    }
    if (isPending || !me) return <Loading />;
    // 三员 roles (no level) have no figures: a card per duty of theirs.
    if (!me.level) return <AdminDashboard me={me} />;
    // a teacher's account reaches only its own record (config/roles.json accountRoles.teacher): no figures
    if ((me as any).teacher) return <MyStaff />;
    return (
        <>
            <Title title={translate('ra.page.dashboard')} />
            {me.level === 'institution' ? (
                <InstitutionDashboard me={me} />
            ) : me.calls?.exchange?.includes('nationalStatistics') ? (
                // a national deployment holds no kindergarten: its figures are the provinces' packages
                <NationalStatistics compact />
            ) : (
                <RegionDashboard me={me} />
            )}
        </>
    );
};
