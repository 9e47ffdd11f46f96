import { useLocaleState } from 'react-admin';
import { useMe } from './useMe';
import { allows } from './access';
import { getStoredMe, ServerFacts } from './session';

const EMPTY: ServerFacts = { timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone, levels: [], workflows: [], requestStates: [], reviewableStates: [], childStates: [], childStateGroups: { inSchool: [], closed: [] }, keyFields: { kindergarten: [], child: [] }, matrix: {} };

/**
 * The server's facts (`GET /api/me` → facts): workflows, levels, states, key fields, time zone.
 * The panel reads them here and never types them again (docs/security/panel-follows-server.md).
 */
export const useServerFacts = (): ServerFacts => {
    const { me } = useMe();
    return me?.facts ?? serverFacts();
};

/** The facts as of the last `/api/me` (kept with the session), for choice lists built at render time. */
export const serverFacts = (): ServerFacts => getStoredMe()?.facts ?? EMPTY;

/** The region levels (province, prefecture, county), top first: the levels of config/levels.json that hold a region code. */
export const regionLevels = (facts: ServerFacts = serverFacts()): string[] =>
    facts.levels.filter((level) => level.regionDigits > 0 && !level.byInstitution).map((level) => level.key);

/** Whether the user may take `action` on `resource` now, from the identity's effective actions. */
export const useAllowed = () => {
    const { me } = useMe();
    return (resource: string, action: string) => allows(me ?? getStoredMe(), resource, action);
};

/** A name of a server fact in the panel's language. */
export const useFactName = () => {
    const [locale] = useLocaleState();
    return (fact: { name: string; nameEn: string }) => (locale?.startsWith('en') ? fact.nameEn : fact.name);
};

/** The levels that are regions (province, prefecture, county: config/levels.json), top first. */
export const useRegionLevels = (): string[] => regionLevels(useServerFacts());

/** The region level whose code this is (a province code ends in 0000, a prefecture's in 00), from config/levels.json. */
export const regionLevelOf = (regionCode: string | null | undefined, facts: ServerFacts = serverFacts()): string | undefined => {
    const regions = facts.levels.filter((level) => level.regionDigits > 0 && !level.byInstitution).sort((a, b) => a.regionDigits - b.regionDigits);
    return regions.find((level) => /^0*$/.test(String(regionCode ?? '').slice(level.regionDigits)))?.key;
};

/** 'YYYY-MM' now, in the server's time zone (config/calendar.json). */
export const monthIn = (timeZone: string, at = new Date()) =>
    new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' }).format(at);

/** () => this month as 'YYYY-MM' in the server's time zone. */
export const useThisMonth = () => {
    const { timeZone } = useServerFacts();
    return () => monthIn(timeZone);
};
