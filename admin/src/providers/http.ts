import { fetchUtils, HttpError } from 'react-admin';
import { getToken, setPending, setToken } from './session';

/**
 * Sent with every call that uses the refresh cookie (renewal, logout): the server renews a session
 * by cookie only with it, which a cross-site form cannot send (cms/src/security/sessions.ts).
 */
export const PANEL_HEADER = { 'X-Requested-With': 'preschool-panel' } as const;

let refreshing: Promise<boolean> | null = null;

/**
 * Renews the short-lived access token with the refresh token, which the browser keeps in an
 * httpOnly cookie the page cannot read (the server rotates it), once for all requests waiting.
 * Another tab may have renewed already: then its new token is simply used.
 */
export const refreshSession = (failedToken: string | null): Promise<boolean> => {
    if (getToken() !== failedToken) return Promise.resolve(Boolean(getToken()));
    // never signed in here: nothing to renew
    if (!failedToken) return Promise.resolve(false);
    if (!refreshing) {
        refreshing = (async () => {
            try {
                const response = await fetch('/api/auth/refresh', {
                    method: 'POST',
                    credentials: 'same-origin',
                    headers: { Accept: 'application/json', ...PANEL_HEADER },
                });
                if (!response.ok) return false;
                const body = await response.json();
                setToken(body.jwt);
                setPending(body.pending);
                return true;
            } catch {
                return false;
            }
        })().finally(() => {
            refreshing = null;
        });
    }
    return refreshing;
};

/**
 * fetchJson with the session's bearer token. Errors are react-admin HttpErrors (status + parsed
 * body, so `body.errors` reaches the forms); Strapi's `{ error: { message } }` becomes the message.
 */
export const httpClient = async (url: string, options: fetchUtils.Options = {}, retried = false): Promise<any> => {
    const headers = new Headers(options.headers || { Accept: 'application/json' });
    const token = getToken();
    if (token) headers.set('Authorization', `Bearer ${token}`);
    try {
        return await fetchUtils.fetchJson(url, { ...options, headers });
    } catch (error) {
        // The access token lives 15 minutes: renew it transparently and try once more.
        if (error instanceof HttpError && error.status === 401 && !retried && (await refreshSession(token))) {
            return httpClient(url, options, true);
        }
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
