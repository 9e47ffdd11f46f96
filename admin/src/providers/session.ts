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
}

const TOKEN_KEY = 'preschool.jwt';
const ME_KEY = 'preschool.me';

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

export const clearSession = () => {
    localStorage.removeItem(TOKEN_KEY);
    localStorage.removeItem(ME_KEY);
};
