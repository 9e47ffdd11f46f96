import { Alert } from '@mui/material';
import { Navigate } from 'react-router-dom';
import { Loading, useGetList, useTranslate } from 'react-admin';
import { useMe } from '../providers/useMe';

/** 本园信息: finds the institution user's own kindergarten by its code and opens it. */
export const MyKindergarten = () => {
    const { me, isPending: mePending } = useMe();
    const translate = useTranslate();
    const code = me?.institutionCode;
    const { data, isPending, error } = useGetList(
        'kindergartens',
        { filter: { code }, pagination: { page: 1, perPage: 1 }, sort: { field: 'code', order: 'ASC' } },
        { enabled: !!code }
    );
    if (mePending || (code && isPending)) return <Loading />;
    if (error) return <Alert severity="error" sx={{ mt: 2 }}>{(error as Error).message}</Alert>;
    const kindergarten = data?.[0];
    if (!kindergarten) {
        return (
            <Alert severity="warning" sx={{ mt: 2 }}>
                {translate('app.my_kindergarten.not_found', { code: code ?? '' })}
            </Alert>
        );
    }
    return <Navigate to={`/kindergartens/${kindergarten.id}/show`} replace />;
};
