import { ReactNode } from 'react';
import { Box, Card, CardContent, Typography } from '@mui/material';

export interface StatCardProps {
    icon: ReactNode;
    label: string;
    value: string;
    caption?: string;
    color?: string;
}

/** One figure of the dashboard. */
export const StatCard = ({ icon, label, value, caption, color = 'primary.main' }: StatCardProps) => (
    <Card sx={{ height: '100%' }}>
        <CardContent sx={{ display: 'flex', alignItems: 'center', gap: 2 }}>
            <Box
                sx={{
                    width: 52,
                    height: 52,
                    borderRadius: '50%',
                    display: 'flex',
                    alignItems: 'center',
                    justifyContent: 'center',
                    bgcolor: 'action.hover',
                    color,
                    flexShrink: 0,
                }}
            >
                {icon}
            </Box>
            <Box sx={{ minWidth: 0 }}>
                <Typography variant="body2" color="text.secondary" noWrap>
                    {label}
                </Typography>
                <Typography variant="h4" component="div" sx={{ fontWeight: 500, lineHeight: 1.2 }} data-testid="stat-value">
                    {value}
                </Typography>
                {caption && (
                    <Typography variant="caption" color="text.secondary">
                        {caption}
                    </Typography>
                )}
            </Box>
        </CardContent>
    </Card>
);
