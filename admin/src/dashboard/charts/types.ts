/** The answer of the statistics query service (POST /api/statistics/query, trends, chart data). */
export interface QueryRow {
    key: string;
    label: string;
    value: number | null;
    numerator?: number;
    denominator?: number;
}
export interface QueryResult {
    indicator: { key: string; label: string; unit: string; scale: number; target: { op: string; value: number } | null };
    dimension: { key: string; label: string };
    filters: Record<string, string>;
    rows: QueryRow[];
    total: QueryRow | null;
}
export interface ChartSpec {
    title: string;
    indicator: string;
    dimension: string;
    filters: Record<string, string>;
    type: 'bar' | 'line' | 'pie' | 'table';
}
export interface Catalog {
    indicators: { key: string; label: string; unit: string; scale: number; target: { op: string; value: number } | null }[];
    figures: { key: string; label: string; unit: string }[];
    keyIndicators: string[];
    dimensions: { key: string; label: string; kind: string }[];
    filters: { key: string; label: string; kind: string; options?: { code: string; name: string }[] }[];
    chartTypes: string[];
    /** The collection tasks the caller reads, each a data source of its own (indicators task:<task>:<field>). */
    tasks?: { id: string; title: string; taskVersion: number; state: string; indicators: { key: string; label: string; unit: string }[]; dimensions: { key: string; label: string; kind: string }[] }[];
}
