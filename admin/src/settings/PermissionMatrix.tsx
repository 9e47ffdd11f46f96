import { useState } from 'react';
import {
    Alert, Button, Card, CardContent, Checkbox, Chip, Dialog, DialogActions, DialogContent, DialogTitle, IconButton, MenuItem, Stack, Table,
    TableBody, TableCell, TableHead, TableRow, TextField, Tooltip, Typography,
} from '@mui/material';
import RestoreIcon from '@mui/icons-material/Restore';
import { Title, useNotify, useTranslate } from 'react-admin';
import { useQueryClient } from '@tanstack/react-query';
import { httpClient } from '../providers/http';
import { forgetMe } from '../providers/auth';
import { useReason } from '../providers/errors';
import { formatDateTime } from '../i18n';
import { useReloadable } from './useReloadable';

type Cell = {
    granted: boolean; byDefault: boolean; changed: boolean; grantable: boolean; restorable?: boolean;
    changedBy?: string | null; changedAt?: string | null;
};
type Change = { resource: string; action: string; granted?: boolean; restore?: boolean };
type Duty = { key: string; name: string; nameEn: string };
type Matrix = {
    actions: { key: string; name: string; nameEn: string }[];
    resources: { key: string; name: string; nameEn: string; actions: string[] }[];
    roles: { type: string; name: string; scope: string | null; editable: boolean; cells: Record<string, Record<string, Cell>> }[];
};

/**
 * 角色权限: a role's permissions as resource × action (config/permission-matrix.json) with its
 * scope. Each tick is one PUT /api/permission-matrix, in force at once and audited; the server
 * decides who may change what (roles below one's own, only what one holds, undoing what one's own
 * level changed; 三员 read-only). Each cell shows its default and who changed it when; a change
 * that leaves a core duty without anyone (409 CONFIRM_REQUIRED) is asked again in a dialog.
 * After a change the user's own /api/me is asked again, so menus and buttons follow.
 */
export const PermissionMatrixPage = () => {
    const translate = useTranslate();
    const notify = useNotify();
    const { data: matrix, reload } = useReloadable<Matrix>('/api/permission-matrix');
    const [selected, setSelected] = useState('');
    const [busy, setBusy] = useState(false);
    const [confirming, setConfirming] = useState<{ change: Change; duties: Duty[] } | null>(null);
    const reason = useReason();
    const queryClient = useQueryClient();
    if (!matrix) return null;
    const role = matrix.roles.find((r) => r.type === selected) ?? matrix.roles.find((r) => r.editable) ?? matrix.roles[0];
    const send = async (change: Change, confirm = false) => {
        setBusy(true);
        try {
            await httpClient('/api/permission-matrix', { method: 'PUT', body: JSON.stringify({ data: { role: role.type, ...change, ...(confirm ? { confirm: true } : {}) } }) });
            notify(change.restore ? 'app.settings.permissions.restored' : 'app.settings.permissions.saved', { type: 'success' });
            setConfirming(null);
            reload();
            // the panel follows at once: the next access question asks /api/me again
            forgetMe();
            queryClient.invalidateQueries({ queryKey: ['auth'] });
        } catch (failure: any) {
            const details = failure?.body?.error?.details;
            if (failure?.status === 409 && details?.code === 'CONFIRM_REQUIRED') setConfirming({ change, duties: details.confirm ?? [] });
            else notify(reason(failure), { type: 'error' });
        } finally {
            setBusy(false);
        }
    };
    const change = (resource: string, action: string, granted: boolean) => send({ resource, action, granted });
    const describe = (cell: Cell) =>
        [
            translate('app.settings.permissions.by_default', { value: translate(cell.byDefault ? 'app.settings.permissions.granted' : 'app.settings.permissions.not_granted') }),
            cell.changed && cell.changedBy ? translate('app.settings.permissions.changed_by', { by: cell.changedBy, at: formatDateTime(cell.changedAt) }) : null,
        ].filter(Boolean).join('；');
    return (
        <Card sx={{ mt: 2 }}>
            <Title title="app.settings.permissions.title" />
            <CardContent>
                <Stack spacing={2}>
                    <Alert severity="info">{translate('app.settings.permissions.help')}</Alert>
                    <Stack direction="row" spacing={2} alignItems="center">
                        <TextField select label={translate('app.settings.permissions.role')} value={role.type} onChange={(e) => setSelected(e.target.value)} sx={{ minWidth: 240 }} inputProps={{ 'data-testid': 'role-select' }}>
                            {matrix.roles.map((r) => <MenuItem key={r.type} value={r.type}>{r.name}</MenuItem>)}
                        </TextField>
                        {role.scope && <Chip label={translate('app.settings.permissions.scope', { scope: role.scope })} />}
                        {!role.editable && <Chip color="default" variant="outlined" label={translate('app.settings.permissions.read_only')} />}
                    </Stack>
                    <Table size="small" data-testid="permission-matrix">
                        <TableHead>
                            <TableRow>
                                <TableCell>{translate('app.settings.permissions.resource')}</TableCell>
                                {matrix.actions.map((action) => <TableCell key={action.key} align="center">{action.name}</TableCell>)}
                            </TableRow>
                        </TableHead>
                        <TableBody>
                            {matrix.resources.map((resource) => (
                                <TableRow key={resource.key}>
                                    <TableCell>{resource.name}</TableCell>
                                    {matrix.actions.map((action) => {
                                        const cell = role.cells[resource.key]?.[action.key];
                                        if (!cell) return <TableCell key={action.key} align="center">—</TableCell>;
                                        const disabled = busy || !role.editable || (!cell.granted && !cell.grantable);
                                        return (
                                            <TableCell key={action.key} align="center" sx={cell.changed ? { bgcolor: 'warning.light' } : undefined} data-cell={`${resource.key}:${action.key}`}>
                                                <Tooltip title={describe(cell)}>
                                                    <span>
                                                        <Checkbox
                                                            size="small"
                                                            checked={cell.granted}
                                                            disabled={disabled}
                                                            inputProps={{ 'aria-label': `${resource.key}:${action.key}` }}
                                                            onChange={(e) => change(resource.key, action.key, e.target.checked)}
                                                        />
                                                    </span>
                                                </Tooltip>
                                                {cell.changed && (
                                                    <Typography variant="caption" display="block" color="text.secondary">
                                                        {translate('app.settings.permissions.by_default', { value: translate(cell.byDefault ? 'app.settings.permissions.granted' : 'app.settings.permissions.not_granted') })}
                                                        {cell.changedBy ? ` · ${cell.changedBy}` : ''}
                                                        {cell.changedAt ? ` · ${formatDateTime(cell.changedAt)}` : ''}
                                                    </Typography>
                                                )}
                                                {cell.changed && cell.restorable && (
                                                    <Tooltip title={translate('app.settings.permissions.restore')}>
                                                        <span>
                                                            <IconButton size="small" disabled={busy} aria-label={`${translate('app.settings.permissions.restore')} ${resource.key}:${action.key}`} onClick={() => send({ resource: resource.key, action: action.key, restore: true })}>
                                                                <RestoreIcon fontSize="small" />
                                                            </IconButton>
                                                        </span>
                                                    </Tooltip>
                                                )}
                                            </TableCell>
                                        );
                                    })}
                                </TableRow>
                            ))}
                        </TableBody>
                    </Table>
                </Stack>
            </CardContent>
            <Dialog open={confirming !== null} onClose={() => setConfirming(null)} data-testid="confirm-duties">
                <DialogTitle>{translate('app.settings.permissions.confirm_title')}</DialogTitle>
                <DialogContent>
                    <Alert severity="warning">
                        {translate('app.settings.permissions.confirm_body', { duties: (confirming?.duties ?? []).map((duty) => duty.name).join('、') })}
                    </Alert>
                </DialogContent>
                <DialogActions>
                    <Button onClick={() => setConfirming(null)}>{translate('ra.action.cancel')}</Button>
                    <Button color="error" variant="contained" disabled={busy} onClick={() => confirming && send(confirming.change, true)}>
                        {translate('app.settings.permissions.confirm')}
                    </Button>
                </DialogActions>
            </Dialog>
        </Card>
    );
};
