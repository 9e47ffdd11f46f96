import { useMemo } from 'react';
import { useLocaleState } from 'react-admin';

/**
 * The server names figures, indicators, dimensions and filters in both languages (`label`, and
 * `labelEn` from config/indicators.json `labelsEn`): in English mode every `label` that has a
 * `labelEn` beside it is read as that, wherever it sits in the answer (dashboards, catalog, charts).
 */
export function inLocale<T>(value: T, locale: string): T {
    if (!locale.startsWith('en') || value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((item) => inLocale(item, locale)) as T;
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) copy[key] = inLocale(item, locale);
    if (typeof copy.labelEn === 'string' && copy.labelEn) copy.label = copy.labelEn;
    return copy as T;
}

/** `inLocale` of an answer, for the panel's current language. */
export const useInLocale = <T,>(value: T): T => {
    const [locale] = useLocaleState();
    return useMemo(() => inLocale(value, locale), [value, locale]);
};
