import { useCallback, useEffect, useState } from 'react';
import { useLogoutIfAccessDenied } from 'react-admin';
import { apiGet } from '../providers/http';

/** GET `url` (answer `{ data }`), with a reload after each change. */
export const useReloadable = <T,>(url: string) => {
    const [data, setData] = useState<T | undefined>();
    const [error, setError] = useState<any>(null);
    const [version, setVersion] = useState(0);
    const logoutIfAccessDenied = useLogoutIfAccessDenied();
    useEffect(() => {
        let cancelled = false;
        apiGet<{ data: T }>(url).then(
            (answer) => !cancelled && setData(answer.data),
            (failure) => {
                if (cancelled) return;
                logoutIfAccessDenied(failure);
                setError(failure);
            }
        );
        return () => {
            cancelled = true;
        };
        // eslint-disable-next-line react-hooks/exhaustive-deps
    }, [url, version]);
    const reload = useCallback(() => setVersion((v) => v + 1), []);
    return { data, error, reload };
};

export { reasonOf } from '../providers/errors';

/** Field path → message, from a 400 of the API. */
export const fieldErrorsOf = (failure: any): Record<string, string> =>
    Object.fromEntries((failure?.body?.error?.details?.errors ?? []).map((e: any) => [(e.path ?? []).join('.'), e.message]));
