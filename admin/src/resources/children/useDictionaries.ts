import { useTranslate } from 'react-admin';
import { useApi } from '../../providers/useApi';

type Entry = { code: string; name: string; retired?: boolean };

/**
 * The code tables of `GET /api/dictionaries` as react-admin choices. A retired code (代码表维护)
 * stays as a disabled choice, so a record that has it still shows its label but no one picks it.
 */
export const useDictionaries = () => {
    const translate = useTranslate();
    const { data } = useApi<Record<string, Entry[]>>('/api/dictionaries');
    return (table: string) =>
        (data?.[table] ?? []).map((entry) =>
            entry.retired
                ? { id: entry.code, name: `${entry.name}（${translate('app.settings.code_tables.retired')}）`, disabled: true }
                : { id: entry.code, name: entry.name }
        );
};
