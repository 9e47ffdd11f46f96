/** `GET /api/dashboard`, already limited to the user's reach. */
export interface DashboardData {
    level: string;
    kindergartens: number;
    publicKindergartens: number;
    inclusiveKindergartens: number;
    byCounty: { countyCode: string; countyName: string; kindergartens: number }[];
}
