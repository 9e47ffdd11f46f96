import { useState } from 'react';
import { Alert, Box, Button, Card, CardContent, Chip, Table, TableBody, TableCell, TableHead, TableRow, TextField as MuiTextField, ToggleButton, ToggleButtonGroup, Typography } from '@mui/material';
import { Loading, Title, useNotify, useTranslate } from 'react-admin';
import { useApi } from '../../providers/useApi';
import { httpClient } from '../../providers/http';
import { useMe } from '../../providers/useMe';
import { useDictionaries } from '../children/useDictionaries';
import { useRegionLevels } from '../../providers/useServerFacts';

type Check = { key: string; label: string; standard: string; actual: number; required: number; childrenPerAdult: number | null; ok: boolean };
type Staffing = { kindergarten: { code: string; name: string }; children: number; classes: number; checks: Check[]; compliant: boolean };

/** 配备核查: a kindergarten's staff against config/staffing.json (its own, or one in reach by code). */
export const StaffingCheck = () => {
    const translate = useTranslate();
    const { me } = useMe();
    const [code, setCode] = useState('');
    const [asked, setAsked] = useState<string | null>(null);
    const target = me?.level === 'institution' ? me.institutionCode ?? null : asked;
    const { data, error, isPending } = useApi<{ data: Staffing }>(target ? `/api/staffing?kindergarten=${target}` : null);
    return (
        <Box sx={{ mt: 2, display: 'grid', gap: 2 }}>
            <Title title="app.funds.staffing.title" />
            {me?.level !== 'institution' && (
                <Box sx={{ display: 'flex', gap: 1 }}>
                    <MuiTextField size="small" fullWidth={false} label={translate('app.funds.staffing.kindergarten')} value={code} onChange={(e) => setCode(e.target.value.trim())} />
                    <Button variant="contained" onClick={() => setAsked(code)} disabled={!/^\d{10}$/.test(code)}>{translate('app.funds.staffing.check')}</Button>
                </Box>
            )}
            {target && (isPending ? <Loading /> : error ? <Alert severity="error">{error.message}</Alert> : data && (
                <Card><CardContent>
                    <Typography variant="h6">{data.data.kindergarten.name}</Typography>
                    <Typography variant="body2" color="text.secondary">
                        {translate('app.funds.staffing.children')} {data.data.children} · {translate('app.funds.staffing.classes')} {data.data.classes}
                    </Typography>
                    <Alert severity={data.data.compliant ? 'success' : 'warning'} sx={{ my: 1 }}>
                        {translate(data.data.compliant ? 'app.funds.staffing.compliant' : 'app.funds.staffing.not_compliant')}
                    </Alert>
                    <Table size="small">
                        <TableHead><TableRow>
                            <TableCell />
                            <TableCell>{translate('app.funds.staffing.standard')}</TableCell>
                            <TableCell align="right">{translate('app.funds.staffing.actual')}</TableCell>
                            <TableCell align="right">{translate('app.funds.staffing.required')}</TableCell>
                            <TableCell align="right">{translate('app.funds.staffing.per_adult')}</TableCell>
                            <TableCell />
                        </TableRow></TableHead>
                        <TableBody>
                            {data.data.checks.map((c) => (
                                <TableRow key={c.key}>
                                    <TableCell>{c.label}</TableCell><TableCell>{c.standard}</TableCell>
                                    <TableCell align="right">{c.actual}</TableCell><TableCell align="right">{c.required}</TableCell>
                                    <TableCell align="right">{c.childrenPerAdult ?? '—'}</TableCell>
                                    <TableCell><Chip size="small" color={c.ok ? 'success' : 'error'} label={translate(c.ok ? 'app.funds.staffing.ok' : 'app.funds.staffing.not_ok')} /></TableCell>
                                </TableRow>
                            ))}
                        </TableBody>
                    </Table>
                </CardContent></Card>
            ))}
        </Box>
    );
};

type Breakdown = Record<string, number>;
type AnalysisRow = { code: string; name: string; total: number; ageBands: Breakdown; degree: Breakdown; title: Breakdown; establishment: Breakdown; certificateRate: number | null };
type Analysis = { rows: AnalysisRow[]; total: AnalysisRow; ageBands: { code: string; name: string }[] };

const percent = (value: number | null) => (value === null ? '—' : `${(value * 100).toFixed(1)}%`);

/** 教职工分析: age bands, highest degree, 持证率, 职称 and 编制 per region in reach. */
export const StaffAnalysis = () => {
    const regionLevels = useRegionLevels();
    const translate = useTranslate();
    const codes = useDictionaries();
    const [groupBy, setGroupBy] = useState('county');
    const { data, error, isPending } = useApi<Analysis>(`/api/staff-analysis?groupBy=${groupBy}`);
    const degrees = codes('degree');
    const titles = codes('staffTitle');
    const establishments = codes('establishment');
    const columns = (row: AnalysisRow) => [
        ...(data?.ageBands ?? []).map((b) => row.ageBands[b.code] ?? 0),
        ...degrees.map((d) => row.degree[d.id] ?? 0),
        ...titles.map((t) => row.title[t.id] ?? 0),
        ...establishments.map((e) => row.establishment[e.id] ?? 0),
    ];
    return (
        <Box sx={{ mt: 2 }}>
            <Title title="app.funds.analysis.title" />
            <ToggleButtonGroup size="small" exclusive value={groupBy} onChange={(_e, v) => v && setGroupBy(v)} sx={{ mb: 2 }}>
                {[...regionLevels].reverse().map((g) => <ToggleButton key={g} value={g}>{translate(`app.funds.analysis.${g}`)}</ToggleButton>)}
            </ToggleButtonGroup>
            {isPending ? <Loading /> : error ? <Alert severity="error">{error.message}</Alert> : data && (
                <Card sx={{ overflowX: 'auto' }}><CardContent>
                    <Table size="small" sx={{ '& th, & td': { whiteSpace: 'nowrap' } }}>
                        <TableHead>
                            <TableRow>
                                <TableCell rowSpan={2}>{translate('app.funds.analysis.region')}</TableCell>
                                <TableCell rowSpan={2} align="right">{translate('app.funds.analysis.staff')}</TableCell>
                                <TableCell rowSpan={2} align="right">{translate('app.funds.analysis.certificate_rate')}</TableCell>
                                <TableCell colSpan={data.ageBands.length} align="center">{translate('app.funds.analysis.age_bands')}</TableCell>
                                <TableCell colSpan={degrees.length} align="center">{translate('app.funds.analysis.degree')}</TableCell>
                                <TableCell colSpan={titles.length} align="center">{translate('app.funds.analysis.title_dist')}</TableCell>
                                <TableCell colSpan={establishments.length} align="center">{translate('app.funds.analysis.establishment')}</TableCell>
                            </TableRow>
                            <TableRow>
                                {[...data.ageBands, ...degrees, ...titles, ...establishments].map((c: any, i) => <TableCell key={i} align="right">{c.name}</TableCell>)}
                            </TableRow>
                        </TableHead>
                        <TableBody>
                            {[...data.rows, data.total].map((row) => (
                                <TableRow key={row.code + row.name} sx={row === data.total ? { '& td': { fontWeight: 700 } } : undefined}>
                                    <TableCell>{row.name}</TableCell>
                                    <TableCell align="right">{row.total}</TableCell>
                                    <TableCell align="right">{percent(row.certificateRate)}</TableCell>
                                    {columns(row).map((n, i) => <TableCell key={i} align="right">{n}</TableCell>)}
                                </TableRow>
                            ))}
                        </TableBody>
                    </Table>
                </CardContent></Card>
            )}
        </Box>
    );
};

/** 我的档案: a teacher's own record, training history and correction requests (GET /api/me/staff). */
export const MyStaff = () => {
    const translate = useTranslate();
    const notify = useNotify();
    const codes = useDictionaries();
    const [version, setVersion] = useState(0);
    const { data, error, isPending } = useApi<{ data: any }>(`/api/me/staff?v=${version}`);
    const [changes, setChanges] = useState<Record<string, string>>({});
    const [reason, setReason] = useState('');
    if (isPending) return <Loading />;
    if (error || !data) return <Alert severity="info" sx={{ mt: 2 }}>{translate('app.funds.my.not_linked')}</Alert>;
    const staff = data.data;
    const name = (table: string, code: string) => codes(table).find((c) => c.id === code)?.name ?? code ?? '—';
    const submit = async () => {
        try {
            await httpClient('/api/me/staff/corrections', { method: 'POST', body: JSON.stringify({ data: { changes, reason } }) });
            notify('app.funds.my.submitted', { type: 'success' });
            setChanges({});
            setReason('');
            setVersion((v) => v + 1);
        } catch (e: any) {
            notify(e?.message ?? 'ra.notification.http_error', { type: 'error' });
        }
    };
    return (
        <Box sx={{ mt: 2, display: 'grid', gap: 2 }}>
            <Title title="app.funds.my.title" />
            <Card><CardContent>
                <Typography variant="h6">{staff.name}</Typography>
                <Typography variant="body2">
                    {name('staffPost', staff.post)} · {name('degree', staff.degree)} · {name('staffTitle', staff.title)} · {name('establishment', staff.establishment)} · {staff.idNumberMasked}
                </Typography>
            </CardContent></Card>
            <Card><CardContent>
                <Typography variant="h6">{translate('app.funds.my.trainings')}</Typography>
                <Table size="small"><TableBody>
                    {(staff.trainings ?? []).map((t: any) => (
                        <TableRow key={t.documentId}><TableCell>{t.course}</TableCell><TableCell>{t.startDate} – {t.endDate}</TableCell><TableCell>{t.hours}</TableCell><TableCell>{t.provider ?? '—'}</TableCell></TableRow>
                    ))}
                    {(staff.trainings ?? []).length === 0 && <TableRow><TableCell>{translate('app.funds.my.none')}</TableCell></TableRow>}
                </TableBody></Table>
            </CardContent></Card>
            <Card><CardContent sx={{ display: 'grid', gap: 1, maxWidth: 560 }}>
                <Typography variant="h6">{translate('app.funds.my.request_correction')}</Typography>
                {['major', 'certificateNumber', 'phone'].map((field) => (
                    <MuiTextField key={field} size="small" label={translate(`resources.staff-members.fields.${field}`)} placeholder={staff[field] ?? ''} value={changes[field] ?? ''} onChange={(e) => setChanges({ ...changes, [field]: e.target.value })} />
                ))}
                <MuiTextField size="small" fullWidth={false} label={translate('app.funds.my.reason')} value={reason} onChange={(e) => setReason(e.target.value)} multiline minRows={2} />
                <Button variant="contained" onClick={submit} disabled={!Object.values(changes).some(Boolean)}>{translate('app.funds.my.request_correction')}</Button>
                <Typography variant="subtitle2" sx={{ mt: 1 }}>{translate('app.funds.my.corrections')}</Typography>
                {(staff.corrections ?? []).map((r: any) => (
                    <Typography key={r.id} variant="body2">{r.submittedAt?.slice(0, 10)} · {r.changes.map((c: any) => `${c.label}: ${c.to}`).join('，')} · {translate(`resources.requests.state.${r.state}`, { _: r.state })}</Typography>
                ))}
            </CardContent></Card>
        </Box>
    );
};
