import polyglotI18nProvider from 'ra-i18n-polyglot';
import chineseMessages from './zh-CN';
import englishMessages from './en';

export const DEFAULT_LOCALE = 'zh-CN';

/** Chinese by default; the app bar's LocalesMenuButton switches to English (getLocales lists both). */
export const i18nProvider = polyglotI18nProvider(
    (locale) => (locale === 'en' ? englishMessages : chineseMessages),
    DEFAULT_LOCALE,
    [
        { locale: 'zh-CN', name: '简体中文' },
        { locale: 'en', name: 'English' },
    ],
    { allowMissing: false }
);

/** Dates and numbers always follow Chinese conventions. */
export const FORMAT_LOCALE = 'zh-CN';
export const formatNumber = (value: number | null | undefined) =>
    value == null ? '—' : value.toLocaleString(FORMAT_LOCALE);
export const formatDateTime = (value: string | number | Date | null | undefined) =>
    value == null || value === '' ? '—' : new Date(value).toLocaleString(FORMAT_LOCALE);
