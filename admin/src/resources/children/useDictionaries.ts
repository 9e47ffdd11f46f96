import { useApi } from '../../providers/useApi';

type Entry = { code: string; name: string };

/** The code tables of `GET /api/dictionaries` as react-admin choices. */
export const useDictionaries = () => {
    const { data } = useApi<Record<string, Entry[]>>('/api/dictionaries');
    return (table: string) => (data?.[table] ?? []).map((entry) => ({ id: entry.code, name: entry.name }));
};
