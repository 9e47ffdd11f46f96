import { getStoredMe } from './session';

/** A named code in both languages, as the server's vocabulary gives it (config/vocabulary.json). */
export type Named = { code: string; name: string; nameEn: string };
export type Vocabulary = { yesNo: Named[]; states: Record<string, Named[]>; tablesEn: Record<string, Record<string, string>> };

const EMPTY: Vocabulary = { yesNo: [], states: {}, tablesEn: {} };

/** The vocabulary of the last GET /api/me (kept with the session). */
export const vocabulary = (): Vocabulary => getStoredMe()?.facts?.vocabulary ?? EMPTY;

const STATE_KEY = /^resources\.([a-z-]+)\.([a-zA-Z]+)\.([^.]+)$/;

/** The server's name of `resources.<resource>.<field>.<code>` in the locale, or undefined when it names no state. */
export const vocabularyName = (key: string, locale: string): string | undefined => {
    const match = typeof key === 'string' ? STATE_KEY.exec(key) : null;
    if (!match) return undefined;
    const found = vocabulary().states[`${match[1]}.${match[2]}`]?.find((item) => item.code === match[3]);
    return found ? (locale.startsWith('en') ? found.nameEn : found.name) : undefined;
};

/** The choices of a state field ('children.status'), named through the vocabulary (SelectInput/SelectField translate them). */
export const stateChoices = (group: string) => {
    const [resource, field] = group.split('.');
    return (vocabulary().states[group] ?? []).map((item) => ({ id: item.code, name: `resources.${resource}.${field}.${item.code}` }));
};

/** 是/否 (Yes/No) in the locale. */
export const yesNoName = (value: unknown, locale: string): string => {
    if (value !== true && value !== false) return '';
    const found = vocabulary().yesNo.find((item) => item.code === String(value));
    return found ? (locale.startsWith('en') ? found.nameEn : found.name) : String(value);
};
