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
    /** simple-rest's list, plus `meta.totalEstimated` when the server estimated the total (header X-Total-Estimated). */
    getList: async (resource, params) => {
        let estimated = false;
        const client: typeof httpClient = (url, options) => httpClient(url, options).then((response) => {
            estimated = response.headers.get('X-Total-Estimated') === 'true';
            return response;
        });
        const result = await simpleRestProvider(API_URL, client).getList(resource, params);
        return estimated ? { ...result, meta: { ...result.meta, totalEstimated: true } } : result;
    },
    resetPassword: async (id) => {
        const { json } = await httpClient(`${API_URL}/accounts/${encodeURIComponent(String(id))}/reset-password`, {
            method: 'POST',
            body: '{}',
        });
        return { data: { id, ...(json?.data ?? json) } };
    },
};
