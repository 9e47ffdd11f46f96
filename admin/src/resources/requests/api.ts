import { httpClient } from '../../providers/http';

/** The approval mechanism's actions (`/api/requests/...`); errors are react-admin HttpErrors. */
export const postRequestAction = async (path: string, data: Record<string, unknown>) => {
    const { json } = await httpClient(`/api/requests${path}`, { method: 'POST', body: JSON.stringify({ data }) });
    return json?.data;
};
