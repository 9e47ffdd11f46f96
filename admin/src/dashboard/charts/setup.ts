import { Chart, registerables, type Plugin } from 'chart.js';

/** A white background under every chart, so that a chart saved as PNG is readable on any viewer. */
const whiteBackground: Plugin = {
    id: 'whiteBackground',
    beforeDraw: (chart) => {
        const { ctx } = chart;
        ctx.save();
        ctx.globalCompositeOperation = 'destination-over';
        ctx.fillStyle = '#ffffff';
        ctx.fillRect(0, 0, chart.width, chart.height);
        ctx.restore();
    },
};

/**
 * Values on the chart itself (options.plugins.valueLabels.display): every bar and point carries its
 * value, every pie slice its value and its share of the whole ("1,234 · 45.6%"); a dataset opts out
 * with `valueLabels: false` (target lines). `format` writes a value (with % for ratios); `share`
 * adds the share of the whole to bars too (counts split by a dimension).
 */
export type ValueLabelOptions = { display?: boolean; format?: (value: number) => string; share?: boolean };
const valueLabels: Plugin = {
    id: 'valueLabels',
    afterDatasetsDraw: (chart, _args, options: ValueLabelOptions) => {
        if (!options?.display) return;
        const { ctx } = chart;
        const written: string[] = [];
        const format = options.format ?? ((v: number) => v.toLocaleString('zh-CN'));
        const horizontal = (chart.options as any).indexAxis === 'y';
        ctx.save();
        ctx.font = `600 11px ${Chart.defaults.font.family}`;
        chart.data.datasets.forEach((dataset: any, index) => {
            const meta = chart.getDatasetMeta(index);
            if (dataset.valueLabels === false || !chart.isDatasetVisible(index)) return;
            const values = (dataset.data as (number | null)[]).map((v) => (typeof v === 'number' ? v : null));
            const total = values.reduce<number>((sum, v) => sum + Math.max(v ?? 0, 0), 0);
            const pie = meta.type === 'pie' || meta.type === 'doughnut';
            meta.data.forEach((element: any, i) => {
                const value = values[i];
                if (value == null || element.skip) return;
                const share = total > 0 ? `${((Math.max(value, 0) / total) * 100).toFixed(1)}%` : '';
                if (pie) {
                    if (total <= 0 || value / total < 0.03) return; // too thin a slice to write in: the tooltip has it
                    const { x, y } = element.tooltipPosition();
                    ctx.fillStyle = '#ffffff';
                    ctx.textAlign = 'center';
                    ctx.textBaseline = 'middle';
                    ctx.fillText(format(value), x, y - 7);
                    ctx.fillText(share, x, y + 7);
                    written.push(`${chart.data.labels?.[i] ?? ''} ${format(value)} ${share}`);
                    return;
                }
                const text = options.share && share ? `${format(value)}（${share}）` : format(value);
                written.push(`${chart.data.labels?.[i] ?? ''} ${text}`);
                ctx.fillStyle = '#333333';
                if (horizontal) {
                    ctx.textAlign = 'left';
                    ctx.textBaseline = 'middle';
                    ctx.fillText(text, Math.max(element.x, element.base ?? element.x) + 4, element.y);
                } else {
                    ctx.textAlign = 'center';
                    ctx.textBaseline = 'bottom';
                    ctx.fillText(text, element.x, Math.min(element.y, element.base ?? element.y) - 3);
                }
            });
        });
        ctx.restore();
        // what was written, readable without the picture (screen readers' summary, browser tests)
        chart.canvas.setAttribute('data-value-labels', written.join(' | '));
    },
};

Chart.register(...registerables, whiteBackground, valueLabels);
Chart.defaults.font.family = '"Microsoft YaHei", "PingFang SC", "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif';
Chart.defaults.animation = false;
