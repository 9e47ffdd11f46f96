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

Chart.register(...registerables, whiteBackground);
Chart.defaults.font.family = '"Microsoft YaHei", "PingFang SC", "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif';
Chart.defaults.animation = false;
