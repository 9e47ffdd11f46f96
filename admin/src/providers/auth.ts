import { AuthProvider, HttpError } from 'react-admin';
import { apiGet, PANEL_HEADER } from './http';
import { clearSession, getPending, getStoredMe, getToken, Me, setPending, setStoredMe, setToken } from './session';
import { allows } from './access';

/** The 三员 roles, which have no level: the panel shows them their own pages only. */
export const ADMIN_ROLES = ['sysadmin', 'secadmin', 'auditadmin'];

const fetchMe = async (): Promise<Me> => {
    const me = await apiGet<Me>('/api/me');
    setStoredMe(me);
    return me;
};

/**
 * `/api/me` as of at most ME_TTL_MS ago, shared by every access question asked at once (a page
 * asks one per button). Forgotten on every navigation and after a permission-matrix change, so a
 * revoke shows on the next page (admin/src/layout/Layout.tsx, admin/src/settings/PermissionMatrix.tsx).
 */
const ME_TTL_MS = 5_000;
let recentMe: { at: number; value: Promise<Me> } | null = null;
export const forgetMe = () => {
    recentMe = null;
};
const currentMe = (): Promise<Me> => {
    if (recentMe && Date.now() - recentMe.at < ME_TTL_MS) return recentMe.value;
    const value = fetchMe();
    recentMe = { at: Date.now(), value };
    value.catch(() => {
        if (recentMe?.value === value) recentMe = null;
    });
    return value;
};

/**
 * Real login against the system's login (`POST /api/auth/login`: lockout, second factor, password
 * duties, a session whose refresh token the answer sets as an httpOnly cookie). Nothing is
 * accepted without the server's answer.
 */
export const authProvider: AuthProvider = {
    login: async ({ username, password, totp }: { username: string; password: string; totp?: string }) => {
        const response = await fetch('/api/auth/login', {
            method: 'POST',
            credentials: 'same-origin',
            headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
            body: JSON.stringify({ identifier: username, password, ...(totp ? { totp } : {}) }),
        });
        let body: any = null;
        try {
            body = await response.json();
        } catch {
            body = null;
        }
        const code = body?.error?.details?.code;
        if (code === 'TOTP_REQUIRED' || code === 'TOTP_INVALID') {
            throw new HttpError(code === 'TOTP_REQUIRED' ? 'app.security.login.totp_required' : 'app.security.login.totp_invalid', response.status, body);
        }
        if (!response.ok || !body?.jwt) {
            // Wrong credentials → the translated "sign in failed"; anything else (e.g. 503 database down, a lock) → the server's words.
            const message =
                response.status === 400 || response.status === 401
                    ? 'ra.auth.sign_in_error'
                    : body?.error?.message || body?.message || 'ra.notification.http_error';
            throw new HttpError(message, response.status, body);
        }
        // the refresh token stays in the httpOnly cookie the answer set; the page never keeps it
        setToken(body.jwt);
        setPending(body.pending);
        try {
            forgetMe();
            await currentMe();
        } catch (error) {
            clearSession();
            throw error;
        }
    },

    logout: async () => {
        const token = getToken();
        if (token) {
            // Ends the session on the server too (by the bearer, or by the refresh cookie when the
            // access token has expired) and clears the cookie; the panel forgets it whatever the answer.
            await fetch('/api/auth/logout', {
                method: 'POST',
                credentials: 'same-origin',
                headers: { Authorization: `Bearer ${token}`, ...PANEL_HEADER },
            }).catch(() => undefined);
        }
        clearSession();
        forgetMe();
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
        // A duty the server insists on (first-login or expired password, TOTP enrolment): show it.
        const code = error?.body?.error?.details?.code;
        if (status === 403 && (code === 'PASSWORD_CHANGE_REQUIRED' || code === 'TOTP_ENROLMENT_REQUIRED')) {
            setPending(error.body.error.details.pending ?? [code === 'PASSWORD_CHANGE_REQUIRED' ? 'password' : 'totp']);
            window.location.reload();
            return;
        }
        // 403 (outside one's reach) and 503 (database down) keep the session: the page shows the error.
    },

    getIdentity: async () => {
        let me: Me;
        try {
            me = await currentMe();
        } catch (error: any) {
            // Server trouble (e.g. 503, database down): keep working with what we knew at login.
            const stored = getStoredMe();
            if (error?.status === 401 || !stored) throw error;
            me = stored;
        }
        return { ...me, id: me.id, fullName: me.fullName || me.username };
    },

    /** react-admin's access control: menus and buttons follow the user's effective actions from `/api/me`. */
    canAccess: async ({ resource, action }) => {
        if (!getToken()) return false;
        let me: Me | null;
        try {
            me = await currentMe();
        } catch {
            me = getStoredMe();
        }
        return allows(me, resource, action);
    },

    getPermissions: async () => {
        if (!getToken()) return undefined;
        // Duties first (first-login or expired password, TOTP enrolment): the layout shows only them.
        if (getPending().length) return 'duty';
        const stored = getStoredMe();
        if (stored?.level) return stored.level;
        if (stored?.role && ADMIN_ROLES.includes(stored.role)) return stored.role;
        const me = await fetchMe();
        return me.level ?? (me.role && ADMIN_ROLES.includes(me.role) ? me.role : undefined);
    },
};
