/** Where the panel keeps the session in the browser (the refresh token: an httpOnly cookie). Cleared on logout. */
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
    /** What the user may do now: resource → the permission matrix's actions (after its overrides). */
    actions?: Record<string, string[]>;
    /** Every route the role may call: resource (a content type's plural name, or the API's name) → controller actions. */
    calls?: Record<string, string[]>;
    /** The server's facts the panel follows instead of copies (admin/src/providers/useServerFacts.ts). */
    facts?: ServerFacts;
}

/** `GET /api/me` facts: read from the server's configuration (cms/src/api/me/services/me.ts). */
export interface ServerFacts {
    timeZone: string;
    levels: { key: Level; name: string; nameEn: string; regionDigits: number; byInstitution: boolean }[];
    workflows: { key: string; name: string; nameEn: string; subject: string; submitters: string[]; reviewer: string }[];
    requestStates: string[];
    /** the states in which a reviewer decides */
    reviewableStates: string[];
    childStates: string[];
    childStateGroups: { inSchool: string[]; closed: string[] };
    keyFields: { kindergarten: string[]; child: string[] };
    /** resource → every action the permission matrix governs. */
    matrix: Record<string, string[]>;
    /** the one vocabulary: states and yes/no by name in both languages (admin/src/providers/vocabulary.ts) */
    vocabulary?: import('./vocabulary').Vocabulary;
    /** 安全管理 and 玩教具与图书: checklist, severities, incident types, toy categories (config/safety.json, config/resources.json) */
    safety?: SafetyFacts;
}

type NamedCode = { code: string; name: string; nameEn: string };
export type SafetyFacts = {
    checklist: { key: string; name: string; nameEn: string; items: { key: string; name: string; nameEn: string; severity: string }[] }[];
    severities: NamedCode[];
    rectificationWorkingDays: Record<string, number>;
    inspectionKinds: (NamedCode & { level: string })[];
    incidentTypes: NamedCode[];
    incidentSeverities: NamedCode[];
    reportWithinHours: number;
    books: { name: string; nameEn: string; unit: string; perChild: number };
    toyCategories: { key: string; name: string; nameEn: string; unit: string; perChild: number }[];
};

const TOKEN_KEY = 'preschool.jwt';
const ME_KEY = 'preschool.me';
/**
 * Where earlier versions kept the rotating refresh token. It now lives in an httpOnly cookie the
 * page cannot read (cms/src/security/sessions.ts), so an injected script cannot carry it away.
 */
const LEGACY_REFRESH_KEY = 'preschool.refresh';
// on load: forget a refresh token an earlier version left readable
localStorage.removeItem(LEGACY_REFRESH_KEY);
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

export const getPending = (): string[] => (localStorage.getItem(PENDING_KEY) || '').split(',').filter(Boolean);
export const setPending = (pending: string[] | undefined) => localStorage.setItem(PENDING_KEY, (pending ?? []).join(','));

export const clearSession = () => {
    localStorage.removeItem(TOKEN_KEY);
    localStorage.removeItem(ME_KEY);
    localStorage.removeItem(LEGACY_REFRESH_KEY);
    localStorage.removeItem(PENDING_KEY);
};
