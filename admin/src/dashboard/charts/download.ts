import { getToken } from '../../providers/session';

/** Downloads a file from the API with the session's token (xlsx exports), under the server's file name. */
export async function downloadFile(url: string, fallbackName: string, init: RequestInit = {}) {
    const headers = new Headers(init.headers);
    const token = getToken();
    if (token) headers.set('Authorization', `Bearer ${token}`);
    const response = await fetch(url, { ...init, headers });
    if (!response.ok) {
        const body = await response.json().catch(() => null);
        // the status and body travel with the error, so the notification can say why (admin/src/providers/errors.ts)
        throw Object.assign(new Error(body?.error?.message ?? body?.message ?? `HTTP ${response.status}`), { status: response.status, body });
    }
    const disposition = response.headers.get('Content-Disposition') ?? '';
    const match = disposition.match(/filename\*=UTF-8''([^;]+)/);
    const name = match ? decodeURIComponent(match[1]) : fallbackName;
    saveBlob(await response.blob(), name);
}

export function saveBlob(blob: Blob, name: string) {
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

/** Saves a chart.js chart as PNG (chart.toBase64Image). */
export function saveChartPng(chart: { toBase64Image: () => string } | null | undefined, title: string) {
    if (!chart) return;
    const link = document.createElement('a');
    link.href = chart.toBase64Image();
    link.download = `${title || 'chart'}.png`;
    document.body.appendChild(link);
    link.click();
    link.remove();
}
