import { useLocaleState, useTranslate } from 'react-admin';
import { useApi } from '../../providers/useApi';
import { vocabulary } from '../../providers/vocabulary';

type Entry = { code: string; name: string; retired?: boolean };

/**
 * The code tables of `GET /api/dictionaries` as react-admin choices. A retired code (代码表维护)
 * stays as a disabled choice, so a record that has it still shows its label but no one picks it.
 * In English an entry takes its English name from the server's one vocabulary
 * (config/vocabulary.json `tablesEn`, through GET /api/me), or its Chinese name when it has none.
 */
export const useDictionaries = () => {
    const translate = useTranslate();
    const [locale] = useLocaleState();
    const { data } = useApi<Record<string, Entry[]>>('/api/dictionaries');
    const english = locale?.startsWith('en') ? vocabulary().tablesEn : undefined;
    return (table: string) =>
        (data?.[table] ?? []).map((entry) => {
            const name = english?.[table]?.[entry.code] ?? entry.name;
            return entry.retired
                ? { id: entry.code, name: `${name}（${translate('app.settings.code_tables.retired')}）`, disabled: true }
                : { id: entry.code, name };
        });
};
