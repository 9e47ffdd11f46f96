import { getToken } from '../../providers/session';

/** An export the server queued as a job (202): where to poll it and, once done, its file (cms/src/api/export-job). */
export interface ExportJob { id: string; state: string; total: number; written: number; message: string | null; finishedAt: string | null; poll: string; file: string | null }

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Downloads a file from the API with the session's token (xlsx exports), under the server's file name.
 * A large export answers 202 with its job: the job is polled (`onProgress` is told each state) and
 * its file downloaded when the server says it is ready; a failed job is an error with the server's reason.
 */
export async function downloadFile(url: string, fallbackName: string, init: RequestInit = {}, onProgress?: (job: ExportJob) => void) {
    const headers = new Headers(init.headers);
    const token = getToken();
    if (token) headers.set('Authorization', `Bearer ${token}`);
    const response = await fetch(url, { ...init, headers });
    if (response.status === 202) {
        let job = (await response.json()).data as ExportJob;
        // the server says when it ended (finishedAt) and where the file is (file): no states known here
        while (!job.file && !job.finishedAt) {
            onProgress?.(job);
            await sleep(2000);
            const polled = await fetch(job.poll, { headers });
            if (!polled.ok) throw Object.assign(new Error(`HTTP ${polled.status}`), { status: polled.status, body: await polled.json().catch(() => null) });
            job = (await polled.json()).data as ExportJob;
        }
        onProgress?.(job);
        if (!job.file) throw Object.assign(new Error(job.message ?? 'export failed'), { status: 500, body: { error: { message: job.message } } });
        return downloadFile(job.file, fallbackName, { headers });
    }
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
