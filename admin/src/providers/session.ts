/** Where the panel keeps the session in the browser. Cleared on logout. */
export type Level = 'ministry' | 'province' | 'prefecture' | 'county' | 'institution';

/** `GET /api/me`. */
export interface Me {
    id: number | string;
    username: string;
    fullName?: string | null;
    level: Level;
    levelName?: string | null;
    regionCode?: string | null;
    regionName?: string | null;
    institutionCode?: string | null;
    institutionName?: string | null;
    institutionId?: string | null;
    manages?: { key: Level; name: string } | null;
    /** 三员 roles (sysadmin, secadmin, auditadmin) have no level. */
    role?: string | null;
}

const TOKEN_KEY = 'preschool.jwt';
const ME_KEY = 'preschool.me';
/** The rotating refresh token of the session (cms/src/security/sessions.ts). */
const REFRESH_KEY = 'preschool.refresh';
/** What the user must do before anything else: 'password' (change it), 'totp' (enrol a second factor). */
const PENDING_KEY = 'preschool.pending';

export const getToken = (): string | null => localStorage.getItem(TOKEN_KEY);
export const setToken = (jwt: string) => localStorage.setItem(TOKEN_KEY, jwt);

export const getStoredMe = (): Me | null => {
    const raw = localStorage.getItem(ME_KEY);
    if (!raw) return null;
    try {
        return JSON.parse(raw) as Me;
    } catch {
        return null;
    }
};
export const setStoredMe = (me: Me) => localStorage.setItem(ME_KEY, JSON.stringify(me));

export const getRefreshToken = (): string | null => localStorage.getItem(REFRESH_KEY);
export const setRefreshToken = (token: string) => localStorage.setItem(REFRESH_KEY, token);
export const getPending = (): string[] => (localStorage.getItem(PENDING_KEY) || '').split(',').filter(Boolean);
export const setPending = (pending: string[] | undefined) => localStorage.setItem(PENDING_KEY, (pending ?? []).join(','));

export const clearSession = () => {
    localStorage.removeItem(TOKEN_KEY);
    localStorage.removeItem(ME_KEY);
    localStorage.removeItem(REFRESH_KEY);
    localStorage.removeItem(PENDING_KEY);
};
