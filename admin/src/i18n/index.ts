import polyglotI18nProvider from 'ra-i18n-polyglot';
import chineseMessages from './zh-CN';
import englishMessages from './en';
import type { I18nProvider } from 'react-admin';
import { vocabularyName } from '../providers/vocabulary';

export const DEFAULT_LOCALE = 'zh-CN';

/** Chinese by default; the app bar's LocalesMenuButton switches to English (getLocales lists both). */
const messages = polyglotI18nProvider(
    (locale) => (locale === 'en' ? englishMessages : chineseMessages),
    DEFAULT_LOCALE,
    [
        { locale: 'zh-CN', name: '简体中文' },
        { locale: 'en', name: 'English' },
    ],
    { allowMissing: false }
);

/**
 * The panel's messages, with the server's one vocabulary over them: a state's name
 * (`resources.<resource>.<field>.<code>`, e.g. resources.children.status.registered → 在籍) is
 * read from GET /api/me facts.vocabulary (config/vocabulary.json), the same word the exports,
 * chart workbooks and the 确认表 print; the panel types no state name of its own.
 */
export const i18nProvider: I18nProvider = {
    ...messages,
    translate: (key: string, options?: any) => vocabularyName(key, messages.getLocale()) ?? messages.translate(key, options),
};

/** Dates and numbers always follow Chinese conventions. */
export const FORMAT_LOCALE = 'zh-CN';
export const formatNumber = (value: number | null | undefined) =>
    value == null ? '—' : value.toLocaleString(FORMAT_LOCALE);
export const formatDateTime = (value: string | number | Date | null | undefined) =>
    value == null || value === '' ? '—' : new Date(value).toLocaleString(FORMAT_LOCALE);
