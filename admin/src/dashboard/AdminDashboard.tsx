import { Alert, Box, Button, Card, CardContent, List as MuiList, ListItem, ListItemText, Typography } from '@mui/material';
import { Title, useTranslate } from 'react-admin';
import { Link } from 'react-router-dom';
import type { Me } from '../providers/session';
import { useApi } from '../providers/useApi';
import { formatDateTime } from '../i18n';

/** Whether the role may call `action` of `api` (GET /api/me calls). */
const may = (me: Me, api: string, action: string) => Boolean(me.calls?.[api]?.includes(action));

const Duty = ({ title, children, to, action }: { title: string; children: React.ReactNode; to?: string; action?: string }) => (
    <Card sx={{ flex: '1 1 320px', minWidth: 300 }} data-duty={title}>
        <CardContent>
            <Typography variant="h6" gutterBottom>{title}</Typography>
            {children}
            {to && action && (
                <Button component={Link} to={to} size="small" sx={{ mt: 1 }}>
                    {action}
                </Button>
            )}
        </CardContent>
    </Card>
);

/** 系统管理员: the delegations waiting for consent. */
const PendingDelegations = () => {
    const translate = useTranslate();
    const { data, error } = useApi<{ data: { id: string; delegator?: string; delegate?: string; state: string; startsAt?: string; reason?: string }[] }>('/api/delegations');
    const pending = (data?.data ?? []).filter((row) => row.state === 'requested');
    return (
        <Duty title={translate('app.admin_dashboard.delegations')} to="/delegations" action={translate('app.admin_dashboard.open_delegations')}>
            {error ? <Alert severity="error">{String((error as Error).message)}</Alert> : (
                <>
                    <Typography variant="h4" data-testid="pending-delegations">{data ? pending.length : '…'}</Typography>
                    <Typography variant="body2" color="text.secondary">{translate('app.admin_dashboard.pending_delegations')}</Typography>
                    <MuiList dense>
                        {pending.slice(0, 5).map((row) => (
                            <ListItem key={row.id} disableGutters>
                                <ListItemText primary={`${row.delegator ?? ''} → ${row.delegate ?? ''}`} secondary={`${formatDateTime(row.startsAt)} ${row.reason ?? ''}`} />
                            </ListItem>
                        ))}
                    </MuiList>
                </>
            )}
        </Duty>
    );
};

/** 安全管理员: the policy in force, what differs from the shipped defaults, who changed it last. */
const PolicyStatus = () => {
    const translate = useTranslate();
    const { data, error } = useApi<{ data: { changed: string[]; changedBy: string | null; changedAt: string | null } }>('/api/security-policy');
    const policy = data?.data;
    return (
        <Duty title={translate('app.admin_dashboard.policy')} to="/security-policy" action={translate('app.admin_dashboard.open_policy')}>
            {error ? <Alert severity="error">{String((error as Error).message)}</Alert> : !policy ? '…' : (
                <>
                    <Typography variant="h4" data-testid="policy-changed">{policy.changed.length}</Typography>
                    <Typography variant="body2" color="text.secondary">
                        {policy.changed.length ? translate('app.admin_dashboard.policy_changed') : translate('app.admin_dashboard.policy_default')}
                    </Typography>
                    {policy.changedBy && (
                        <Typography variant="body2" sx={{ mt: 1 }}>
                            {translate('app.admin_dashboard.changed_by', { who: policy.changedBy, at: formatDateTime(policy.changedAt) })}
                        </Typography>
                    )}
                </>
            )}
        </Duty>
    );
};

/** 审计管理员: refused and failed actions in the trail, the most recent first. */
const AuditHighlights = () => {
    const translate = useTranslate();
    const query = (outcome: string) => `/api/audit-entries?filters[outcome]=${outcome}&pagination[limit]=5&sort=at:desc`;
    type Page = { data: { id: number; at: string; actorUsername: string | null; action: string; outcome: string }[]; meta?: { pagination?: { total?: number } } };
    const refused = useApi<Page>(query('refused'));
    const failed = useApi<Page>(query('failed'));
    const rows = [...(refused.data?.data ?? []), ...(failed.data?.data ?? [])].sort((a, b) => b.at.localeCompare(a.at)).slice(0, 6);
    const total = (refused.data?.meta?.pagination?.total ?? 0) + (failed.data?.meta?.pagination?.total ?? 0);
    return (
        <Duty title={translate('app.admin_dashboard.audit')} to="/audit-entries" action={translate('app.admin_dashboard.open_audit')}>
            <Typography variant="h4" data-testid="audit-highlights">{refused.data && failed.data ? total : '…'}</Typography>
            <Typography variant="body2" color="text.secondary">{translate('app.admin_dashboard.audit_refused')}</Typography>
            <MuiList dense>
                {rows.map((row) => (
                    <ListItem key={`${row.outcome}-${row.id}`} disableGutters>
                        <ListItemText primary={`${row.actorUsername ?? '—'} · ${row.action}`} secondary={formatDateTime(row.at)} />
                    </ListItem>
                ))}
            </MuiList>
        </Duty>
    );
};

/**
 * The dashboard of a 三员 administrator: a card per duty the server grants the role (GET /api/me
 * calls), so a role sees its own duties — pending delegations, the security policy's status, the
 * audit trail's refused and failed actions — and a link to act on each.
 */
export const AdminDashboard = ({ me }: { me: Me }) => {
    const translate = useTranslate();
    return (
        <>
            <Title title={translate('app.admin_dashboard.title')} />
            <Typography variant="h5" sx={{ mt: 2 }}>{translate('app.admin_dashboard.title')}</Typography>
            <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap', mt: 2 }}>
                {may(me, 'delegations', 'approve') && <PendingDelegations />}
                {may(me, 'security-policies', 'find') && <PolicyStatus />}
                {may(me, 'security-policies', 'find') && may(me, 'permission-matrix', 'find') && (
                    <Duty title={translate('app.admin_dashboard.matrix')} to="/permission-matrix" action={translate('app.admin_dashboard.open_matrix')}>
                        <Typography variant="body2" color="text.secondary">{translate('app.admin_dashboard.matrix_help')}</Typography>
                    </Duty>
                )}
                {may(me, 'audit-entry', 'find') && <AuditHighlights />}
                {may(me, 'account', 'find') && (
                    <Duty title={translate('app.admin_dashboard.accounts')} to="/accounts" action={translate('app.admin_dashboard.open_accounts')}>
                        <Typography variant="body2" color="text.secondary">{translate('app.admin_dashboard.accounts_help')}</Typography>
                    </Duty>
                )}
            </Box>
        </>
    );
};
