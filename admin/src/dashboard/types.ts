/** `GET /api/dashboard`, already limited to the user's reach. */
export interface DashboardData {
    level: string;
    kindergartens: number;
    publicKindergartens: number;
    inclusiveKindergartens: number;
    byCounty: { countyCode: string; countyName: string; kindergartens: number }[];
    statistics?: DashboardStatistics['statistics'];
    indicators?: DashboardIndicator[];
}

/** A key indicator of the dashboard against its target (config/indicators.json). */
export interface DashboardIndicator {
    key: string;
    label: string;
    unit: string;
    scale: number;
    value: number | null;
    target: { op: '>=' | '<='; value: number } | null;
    meets: boolean | null;
}

export interface DashboardStatistics {
    statistics: { digits: number; total: { figures: Record<string, number>; indicators: Record<string, number | null> }; rows: { code: string; name: string; figures: Record<string, number> }[] } | null;
    indicators: DashboardIndicator[];
}
