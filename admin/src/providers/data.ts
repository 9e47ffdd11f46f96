import simpleRestProvider from 'ra-data-simple-rest';
import { DataProvider } from 'react-admin';
import { httpClient } from './http';

export const API_URL = '/ra';

export interface PreschoolDataProvider extends DataProvider {
    /** Server generates a new temporary password for the account and returns it once. */
    resetPassword: (id: string | number) => Promise<{ data: { id: string | number; password: string } }>;
}

const base = simpleRestProvider(API_URL, httpClient);

export const dataProvider: PreschoolDataProvider = {
    ...base,
    resetPassword: async (id) => {
        const { json } = await httpClient(`${API_URL}/accounts/${encodeURIComponent(String(id))}/reset-password`, {
            method: 'POST',
            body: '{}',
        });
        return { data: { id, ...(json?.data ?? json) } };
    },
};
