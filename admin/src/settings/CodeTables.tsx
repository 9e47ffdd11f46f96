import { useState } from 'react';
import {
    Alert, Box, Button, Card, CardContent, Chip, Dialog, DialogActions, DialogContent, DialogTitle, MenuItem, Stack,
    Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography,
} from '@mui/material';
import { Title, useNotify, useTranslate } from 'react-admin';
import { httpClient } from '../providers/http';
import { useAllowed } from '../providers/useServerFacts';
import { reasonOf, useReloadable } from './useReloadable';

type CodeEntry = { code: string; name: string; retired: boolean; source: 'default' | 'added'; defaultName: string | null; changed: boolean };
type CodeTable = { key: string; name: string; nameEn: string; own: boolean; entries: CodeEntry[] };

/** 新建代码表: a name and its items, one per line, numbered 1, 2, 3… in that order (the key is made by the server). */
const NewTableDialog = ({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (key: string) => void }) => {
    const translate = useTranslate();
    const notify = useNotify();
    const [name, setName] = useState('');
    const [items, setItems] = useState('');
    const codes = items.split('\n').map((line) => line.trim()).filter(Boolean).map((item) => ({ name: item }));
    const create = async () => {
        try {
            const { json } = await httpClient('/api/code-tables', { method: 'POST', body: JSON.stringify({ data: { name: name.trim(), codes } }) });
            notify('app.settings.code_tables.table_created', { type: 'success', messageArgs: { name: name.trim() } });
            setName('');
            setItems('');
            onCreated(json?.data?.key);
        } catch (failure) {
            notify(reasonOf(failure), { type: 'error' });
        }
    };
    return (
        <Dialog open={open} onClose={onClose} fullWidth maxWidth="sm">
            <DialogTitle>{translate('app.settings.code_tables.new_table')}</DialogTitle>
            <DialogContent sx={{ pt: '8px !important' }}>
                <Stack spacing={2}>
                    <TextField name="tableName" label={translate('app.settings.code_tables.table_name')} value={name} onChange={(e) => setName(e.target.value)} fullWidth />
                    <TextField name="tableItems" label={translate('app.settings.code_tables.table_items')} helperText={translate('app.settings.code_tables.table_items_help')}
                        value={items} onChange={(e) => setItems(e.target.value)} multiline minRows={4} fullWidth />
                </Stack>
            </DialogContent>
            <DialogActions>
                <Button onClick={onClose}>{translate('ra.action.cancel')}</Button>
                <Button variant="contained" disabled={!name.trim()} onClick={create}>{translate('app.settings.code_tables.create_table')}</Button>
            </DialogActions>
        </Dialog>
    );
};


/**
 * 代码表维护: the province (and the Ministry) create tables of their own, add codes (numbered when
 * left empty), rename labels, order the codes of their own tables, retire and restore codes; other
 * levels read. A code is never deleted nor recoded. Tables: those of config/code-tables.json and
 * the province's own.
 */
export const CodeTablesPage = () => {
    const translate = useTranslate();
    const notify = useNotify();
    // who edits: the permission matrix (code-tables × edit), as /api/me says
    const editable = useAllowed()('code-tables', 'edit');
    const { data: tables, reload } = useReloadable<CodeTable[]>('/api/code-tables');
    const [selected, setSelected] = useState('');
    const [code, setCode] = useState('');
    const [name, setName] = useState('');
    const [renaming, setRenaming] = useState<CodeEntry | null>(null);
    const [newName, setNewName] = useState('');
    const [creating, setCreating] = useState(false);
    if (!tables) return null;
    const table = tables.find((t) => t.key === selected) ?? tables[0];
    const send = async (url: string, method: 'POST' | 'PUT', data: object) => {
        try {
            await httpClient(url, { method, body: JSON.stringify({ data }) });
            notify('app.settings.code_tables.saved', { type: 'success' });
            reload();
            return true;
        } catch (failure) {
            notify(reasonOf(failure), { type: 'error' });
            return false;
        }
    };
    const add = async () => {
        if (await send(`/api/code-tables/${table.key}`, 'POST', { ...(code.trim() ? { code: code.trim() } : {}), name: name.trim() })) {
            setCode('');
            setName('');
        }
    };
    return (
        <Card sx={{ mt: 2 }}>
            <Title title="app.settings.code_tables.title" />
            <CardContent>
                <Stack spacing={2}>
                    <Alert severity="info">{translate(editable ? 'app.settings.code_tables.help' : 'app.settings.code_tables.read_only')}</Alert>
                    <Stack direction="row" spacing={2} alignItems="center" flexWrap="wrap" useFlexGap>
                        <TextField select label={translate('app.settings.code_tables.table')} value={table.key} onChange={(e) => setSelected(e.target.value)} sx={{ minWidth: 240, maxWidth: 320 }} inputProps={{ 'data-testid': 'code-table-select' }}>
                            {tables.map((t) => <MenuItem key={t.key} value={t.key}>{t.own ? translate('app.settings.code_tables.own_name', { name: t.name }) : t.name}</MenuItem>)}
                        </TextField>
                        {editable && <Button variant="outlined" onClick={() => setCreating(true)}>{translate('app.settings.code_tables.new_table')}</Button>}
                    </Stack>
                    {editable && (
                        <Stack direction="row" spacing={1} alignItems="center" flexWrap="wrap" useFlexGap>
                            <TextField size="small" name="name" label={translate('app.settings.code_tables.name')} value={name} onChange={(e) => setName(e.target.value)} />
                            <TextField size="small" name="code" label={translate('app.settings.code_tables.code_optional')} value={code} onChange={(e) => setCode(e.target.value)} />
                            <Button variant="contained" onClick={add} disabled={!name.trim()}>{translate('app.settings.code_tables.add')}</Button>
                        </Stack>
                    )}
                    <Table size="small">
                        <TableHead>
                            <TableRow>
                                <TableCell>{translate('app.settings.code_tables.code')}</TableCell>
                                <TableCell>{translate('app.settings.code_tables.name')}</TableCell>
                                <TableCell>{translate('app.settings.code_tables.status')}</TableCell>
                                <TableCell>{translate('app.settings.code_tables.source')}</TableCell>
                                {editable && <TableCell />}
                            </TableRow>
                        </TableHead>
                        <TableBody>
                            {table.entries.map((entry, index) => (
                                <TableRow key={entry.code} data-code={entry.code}>
                                    <TableCell>{entry.code}</TableCell>
                                    <TableCell>
                                        {entry.name}
                                        {entry.defaultName && entry.defaultName !== entry.name && (
                                            <Typography variant="caption" color="text.secondary" sx={{ ml: 1 }}>
                                                {translate('app.settings.code_tables.default_name', { name: entry.defaultName })}
                                            </Typography>
                                        )}
                                    </TableCell>
                                    <TableCell>
                                        <Chip size="small" color={entry.retired ? 'default' : 'success'} label={translate(entry.retired ? 'app.settings.code_tables.retired' : 'app.settings.code_tables.active')} />
                                    </TableCell>
                                    <TableCell>{translate(entry.source === 'added' ? 'app.settings.code_tables.added' : 'app.settings.code_tables.default')}</TableCell>
                                    {editable && (
                                        <TableCell>
                                            <Box sx={{ display: 'flex', gap: 1 }}>
                                                {table.own && (
                                                    <>
                                                        <Button size="small" disabled={index === 0} aria-label={translate('app.settings.code_tables.move_up')}
                                                            onClick={() => send(`/api/code-tables/${table.key}/${encodeURIComponent(entry.code)}`, 'PUT', { order: index })}>↑</Button>
                                                        <Button size="small" disabled={index === table.entries.length - 1} aria-label={translate('app.settings.code_tables.move_down')}
                                                            onClick={() => send(`/api/code-tables/${table.key}/${encodeURIComponent(entry.code)}`, 'PUT', { order: index + 2 })}>↓</Button>
                                                    </>
                                                )}
                                                <Button size="small" onClick={() => { setRenaming(entry); setNewName(entry.name); }}>{translate('app.settings.code_tables.rename')}</Button>
                                                <Button size="small" color={entry.retired ? 'primary' : 'warning'} onClick={() => send(`/api/code-tables/${table.key}/${encodeURIComponent(entry.code)}`, 'PUT', { retired: !entry.retired })}>
                                                    {translate(entry.retired ? 'app.settings.code_tables.restore' : 'app.settings.code_tables.retire')}
                                                </Button>
                                            </Box>
                                        </TableCell>
                                    )}
                                </TableRow>
                            ))}
                        </TableBody>
                    </Table>
                </Stack>
            </CardContent>
            <NewTableDialog open={creating} onClose={() => setCreating(false)} onCreated={(key) => { setCreating(false); if (key) setSelected(key); reload(); }} />
            <Dialog open={Boolean(renaming)} onClose={() => setRenaming(null)}>
                <DialogTitle>{translate('app.settings.code_tables.rename')} {renaming?.code}</DialogTitle>
                <DialogContent sx={{ pt: '8px !important' }}>
                    <TextField name="newName" fullWidth label={translate('app.settings.code_tables.name')} value={newName} onChange={(e) => setNewName(e.target.value)} />
                </DialogContent>
                <DialogActions>
                    <Button onClick={() => setRenaming(null)}>{translate('ra.action.cancel')}</Button>
                    <Button variant="contained" disabled={!newName.trim()} onClick={async () => {
                        if (renaming && (await send(`/api/code-tables/${table.key}/${encodeURIComponent(renaming.code)}`, 'PUT', { name: newName.trim() }))) setRenaming(null);
                    }}>{translate('ra.action.save')}</Button>
                </DialogActions>
            </Dialog>
        </Card>
    );
};
