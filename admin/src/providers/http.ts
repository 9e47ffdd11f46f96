import { fetchUtils, HttpError } from 'react-admin';
import { getToken } from './session';

/**
 * fetchJson with the session's bearer token. Errors are react-admin HttpErrors (status + parsed
 * body, so `body.errors` reaches the forms); Strapi's `{ error: { message } }` becomes the message.
 */
export const httpClient = async (url: string, options: fetchUtils.Options = {}) => {
    const headers = new Headers(options.headers || { Accept: 'application/json' });
    const token = getToken();
    if (token) headers.set('Authorization', `Bearer ${token}`);
    try {
        return await fetchUtils.fetchJson(url, { ...options, headers });
    } catch (error) {
        if (error instanceof HttpError && !error.body?.message && error.body?.error?.message) {
            throw new HttpError(error.body.error.message, error.status, error.body);
        }
        throw error;
    }
};

/** GET a JSON document from the API, e.g. `apiGet<Me>('/api/me')`. */
export const apiGet = async <T>(url: string): Promise<T> => {
    const { json } = await httpClient(url);
    return json as T;
};
