import { useEffect, useState } from 'react';
import { useLogoutIfAccessDenied } from 'react-admin';
import { apiGet } from './http';
import { useInLocale } from './labels';

/** GET a JSON document from `/api/...`; a 401 goes through authProvider.checkError like dataProvider calls do. */
export const useApi = <T,>(url: string | null) => {
    const [state, setState] = useState<{ data?: T; error?: any; isPending: boolean }>({ isPending: !!url });
    const logoutIfAccessDenied = useLogoutIfAccessDenied();
    useEffect(() => {
        if (!url) return;
        let cancelled = false;
        setState({ isPending: true });
        apiGet<T>(url).then(
            (data) => !cancelled && setState({ data, isPending: false }),
            (error) => {
                if (cancelled) return;
                logoutIfAccessDenied(error);
                setState({ error, isPending: false });
            }
        );
        return () => {
            cancelled = true;
        };
        // eslint-disable-next-line react-hooks/exhaustive-deps
    }, [url]);
    const data = useInLocale(state.data);
    return { ...state, data };
};
