import { AuthProvider, HttpError } from 'react-admin';
import { apiGet } from './http';
import { clearSession, getStoredMe, getToken, Me, setStoredMe, setToken } from './session';

const fetchMe = async (): Promise<Me> => {
    const me = await apiGet<Me>('/api/me');
    setStoredMe(me);
    return me;
};

/**
 * Real login against Strapi's users-permissions (`POST /api/auth/local`).
 * Nothing is accepted without the server's answer.
 */
export const authProvider: AuthProvider = {
    login: async ({ username, password }: { username: string; password: string }) => {
        const response = await fetch('/api/auth/local', {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
            body: JSON.stringify({ identifier: username, password }),
        });
        let body: any = null;
        try {
            body = await response.json();
        } catch {
            body = null;
        }
        if (!response.ok || !body?.jwt) {
            // Wrong credentials → the translated "sign in failed"; anything else (e.g. 503 database down) → the server's words.
            const message =
                response.status === 400 || response.status === 401
                    ? 'ra.auth.sign_in_error'
                    : body?.error?.message || body?.message || 'ra.notification.http_error';
            throw new HttpError(message, response.status, body);
        }
        setToken(body.jwt);
        try {
            await fetchMe();
        } catch (error) {
            clearSession();
            throw error;
        }
    },

    logout: async () => {
        clearSession();
    },

    checkAuth: async () => {
        if (!getToken()) throw new Error('ra.auth.auth_check_error');
    },

    checkError: async (error: any) => {
        const status = error?.status;
        if (status === 401) {
            clearSession();
            throw new Error('ra.notification.logged_out');
        }
        // 403 (outside one's reach) and 503 (database down) keep the session: the page shows the error.
    },

    getIdentity: async () => {
        let me: Me;
        try {
            me = await fetchMe();
        } catch (error: any) {
            // Server trouble (e.g. 503, database down): keep working with what we knew at login.
            const stored = getStoredMe();
            if (error?.status === 401 || !stored) throw error;
            me = stored;
        }
        return { ...me, id: me.id, fullName: me.fullName || me.username };
    },

    getPermissions: async () => {
        if (!getToken()) return undefined;
        const stored = getStoredMe();
        if (stored?.level) return stored.level;
        const me = await fetchMe();
        return me.level;
    },
};
