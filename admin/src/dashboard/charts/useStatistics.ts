import { useEffect, useState } from 'react';
import { useLogoutIfAccessDenied } from 'react-admin';
import { httpClient } from '../../providers/http';
import { useInLocale } from '../../providers/labels';
import type { QueryResult } from './types';

/** POST /api/statistics/query for one chart; re-runs when the query changes. */
export const useStatistics = (query: { indicator: string; dimension: string; filters?: Record<string, string> } | null) => {
    const key = query ? JSON.stringify(query) : null;
    const [state, setState] = useState<{ data?: QueryResult; error?: any; isPending: boolean }>({ isPending: !!key });
    const logoutIfAccessDenied = useLogoutIfAccessDenied();
    useEffect(() => {
        if (!key) return;
        let cancelled = false;
        setState((previous) => ({ data: previous.data, isPending: true }));
        httpClient('/api/statistics/query', { method: 'POST', body: key }).then(
            ({ json }) => !cancelled && setState({ data: json as QueryResult, isPending: false }),
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
    }, [key]);
    const data = useInLocale(state.data);
    return { ...state, data };
};
