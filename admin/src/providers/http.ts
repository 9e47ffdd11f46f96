import { fetchUtils } from 'react-admin';
import { getToken } from './session';

/**
 * fetchJson with the session's bearer token. Errors are react-admin HttpErrors
 * (status + parsed body), so `body.errors` reaches the forms.
 */
export const httpClient = (url: string, options: fetchUtils.Options = {}) => {
    const headers = new Headers(options.headers || { Accept: 'application/json' });
    const token = getToken();
    if (token) headers.set('Authorization', `Bearer ${token}`);
    return fetchUtils.fetchJson(url, { ...options, headers });
};

/** GET a JSON document from the API, e.g. `apiGet<Me>('/api/me')`. */
export const apiGet = async <T>(url: string): Promise<T> => {
    const { json } = await httpClient(url);
    return json as T;
};
