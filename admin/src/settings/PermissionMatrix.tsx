import { useState } from 'react';
import { Alert, Card, CardContent, Checkbox, Chip, MenuItem, Stack, Table, TableBody, TableCell, TableHead, TableRow, TextField, Tooltip } from '@mui/material';
import { Title, useNotify, useTranslate } from 'react-admin';
import { httpClient } from '../providers/http';
import { reasonOf, useReloadable } from './useReloadable';

type Cell = { granted: boolean; byDefault: boolean; changed: boolean; grantable: boolean };
type Matrix = {
    actions: { key: string; name: string; nameEn: string }[];
    resources: { key: string; name: string; nameEn: string; actions: string[] }[];
    roles: { type: string; name: string; scope: string | null; editable: boolean; cells: Record<string, Record<string, Cell>> }[];
};

/**
 * 角色权限: a role's permissions as resource × action (config/permission-matrix.json) with its
 * scope. Each tick is one PUT /api/permission-matrix, in force at once and audited; the server
 * decides who may change what (roles below one's own, only what one holds; 三员 read-only).
 */
export const PermissionMatrixPage = () => {
    const translate = useTranslate();
    const notify = useNotify();
    const { data: matrix, reload } = useReloadable<Matrix>('/api/permission-matrix');
    const [selected, setSelected] = useState('');
    const [busy, setBusy] = useState(false);
    if (!matrix) return null;
    const role = matrix.roles.find((r) => r.type === selected) ?? matrix.roles.find((r) => r.editable) ?? matrix.roles[0];
    const change = async (resource: string, action: string, granted: boolean) => {
        setBusy(true);
        try {
            await httpClient('/api/permission-matrix', { method: 'PUT', body: JSON.stringify({ data: { role: role.type, resource, action, granted } }) });
            notify('app.settings.permissions.saved', { type: 'success' });
            reload();
        } catch (failure) {
            notify(reasonOf(failure), { type: 'error' });
        } finally {
            setBusy(false);
        }
    };
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
                                            <TableCell key={action.key} align="center" sx={cell.changed ? { bgcolor: 'warning.light' } : undefined}>
                                                <Tooltip title={cell.changed ? translate('app.settings.permissions.changed') : ''}>
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
                                            </TableCell>
                                        );
                                    })}
                                </TableRow>
                            ))}
                        </TableBody>
                    </Table>
                </Stack>
            </CardContent>
        </Card>
    );
};
