import BuildIcon from '@mui/icons-material/Build';
import AlarmIcon from '@mui/icons-material/Alarm';
import ReportIcon from '@mui/icons-material/Report';
import HealthAndSafetyIcon from '@mui/icons-material/HealthAndSafety';
import MenuBookIcon from '@mui/icons-material/MenuBook';
import { Box, Grid, Typography } from '@mui/material';
import { useTranslate } from 'react-admin';
import { useApi } from '../providers/useApi';
import { useAllowed } from '../providers/useServerFacts';
import { formatNumber } from '../i18n';
import { StatCard } from './StatCard';
import { IndicatorCard } from './StatisticsPanels';
import type { DashboardIndicator } from './types';

/**
 * 卫生保健 and 安全管理 cards of the caller's reach (体检率, 接种证查验率, overdue findings, incidents
 * this term): which cards, their labels, values and targets come from `GET /api/dashboard` `cards`
 * (config/indicators.json dashboardCards), grouped as the server groups them.
 */
export const ReachCards = () => {
    const translate = useTranslate();
    const { data } = useApi<{ cards?: (DashboardIndicator & { group: string })[] }>('/api/dashboard');
    const cards = data?.cards ?? [];
    if (!cards.length) return null;
    const groups = [...new Set(cards.map((card) => card.group))];
    return (
        <>
            {groups.map((group) => (
                <Box key={group} data-testid={`reach-cards-${group}`}>
                    <Typography variant="h6" sx={{ mt: 3 }}>{translate(`app.safety.dashboard.group_${group}`, { _: group })}</Typography>
                    <Grid container spacing={2} sx={{ mt: 0.5 }}>
                        {cards.filter((card) => card.group === group).map((card) => (
                            <Grid key={card.key} size={{ xs: 12, sm: 6, md: 3 }}>
                                <IndicatorCard indicator={card} />
                            </Grid>
                        ))}
                    </Grid>
                </Box>
            ))}
        </>
    );
};

/**
 * 安全与配备 cards (docs/safety-and-resources.md): open and overdue hazards, incidents awaiting
 * review, kindergartens without this month's self-inspection, kindergartens short of toys or books —
 * each from its summary route, for the caller's reach; shown when the role may read them.
 */
export const SafetyCards = () => {
    const translate = useTranslate();
    const allowed = useAllowed();
    const findings = useApi<any>(allowed('safety-findings', 'list') ? '/api/safety-findings/summary' : null);
    const incidents = useApi<any>(allowed('incidents', 'list') ? '/api/incidents/summary' : null);
    const coverage = useApi<any>(allowed('safety-inspections', 'list') ? '/api/safety-inspections/coverage' : null);
    const resources = useApi<any>(allowed('resource-inventories', 'list') ? '/api/resource-inventories/shortfalls' : null);
    if (!findings.data && !incidents.data && !coverage.data && !resources.data) return <ReachCards />;
    const sum = (rows: any[] | undefined, field: string) => (rows ?? []).reduce((total, row) => total + Number(row[field] ?? 0), 0);
    const cards = [
        findings.data && { icon: <BuildIcon />, label: 'open_findings', value: (findings.data.total.open ?? 0) + (findings.data.total.returned ?? 0) },
        findings.data && { icon: <AlarmIcon />, label: 'overdue_findings', value: findings.data.total.overdue ?? 0, color: 'error.main' },
        incidents.data && { icon: <ReportIcon />, label: 'incidents_waiting', value: incidents.data.total.awaitingReview ?? 0 },
        coverage.data && { icon: <HealthAndSafetyIcon />, label: 'missing_self', value: sum(coverage.data.counties, 'missingSelfCount'), color: 'warning.main' },
        resources.data && { icon: <MenuBookIcon />, label: 'resources_flagged', value: sum(resources.data.counties, 'flagged'), color: 'warning.main' },
    ].filter(Boolean) as { icon: JSX.Element; label: string; value: number; color?: string }[];
    return (
        <>
            <ReachCards />
            <Typography variant="h6" sx={{ mt: 3 }}>{translate('app.safety.dashboard.title')}</Typography>
            <Grid container spacing={2} sx={{ mt: 0.5 }}>
                {cards.map((card) => (
                    <Grid key={card.label} size={{ xs: 12, sm: 6, md: 2.4 }}>
                        <StatCard icon={card.icon} label={translate(`app.safety.dashboard.${card.label}`)} value={formatNumber(card.value)} color={card.color} />
                    </Grid>
                ))}
            </Grid>
        </>
    );
};
