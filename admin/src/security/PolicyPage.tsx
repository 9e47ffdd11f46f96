import { useEffect, useState } from 'react';
import { Card, CardContent, List, ListItem, ListItemText, Typography } from '@mui/material';
import { Title, useTranslate } from 'react-admin';
import { apiGet } from '../providers/http';

/** The security policies in force (config/security.json), for the security administrator. */
export const PolicyPage = () => {
    const translate = useTranslate();
    const [policy, setPolicy] = useState<any>(null);
    useEffect(() => {
        apiGet<{ data: any }>('/api/security/policy').then((answer) => setPolicy(answer.data)).catch(() => setPolicy(null));
    }, []);
    if (!policy) return null;
    const lines = [
        translate('app.security.policy.password', { min: policy.password.minLength, kinds: policy.password.minKinds, days: policy.password.maxAgeDays, history: policy.password.historySize }),
        translate('app.security.policy.lockout', { failures: policy.lockout.maxFailures, minutes: policy.lockout.lockMinutes }),
        translate('app.security.policy.session', { access: policy.session.accessTokenMinutes, idle: policy.session.idleMinutes, hours: policy.session.absoluteHours }),
        translate('app.security.policy.totp', { levels: policy.totp.requiredLevels.join('、'), roles: policy.totp.requiredRoles.join('、') }),
        translate('app.security.policy.audit', { days: policy.audit.retentionDays }),
    ];
    return (
        <Card sx={{ mt: 2 }}>
            <Title title="app.security.policy.title" />
            <CardContent>
                <Typography variant="h6">{translate('app.security.policy.title')}</Typography>
                <List>
                    {lines.map((line) => (
                        <ListItem key={line}><ListItemText primary={line} /></ListItem>
                    ))}
                </List>
            </CardContent>
        </Card>
    );
};
