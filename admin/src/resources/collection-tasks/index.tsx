import { stateChoices } from '../../providers/vocabulary';
import AddIcon from '@mui/icons-material/Add';
import DeleteIcon from '@mui/icons-material/Delete';
import { useEffect, useState } from 'react';
import { Link as RouterLink, useNavigate, useParams } from 'react-router-dom';
import {
    Alert, Box, Button, Card, CardContent, Checkbox, Chip, FormControlLabel, IconButton, Link, MenuItem, Stack, Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography,
} from '@mui/material';
import { Title, useNotify, useTranslate } from 'react-admin';
import { httpClient } from '../../providers/http';
import { useApi } from '../../providers/useApi';
import { downloadFile } from '../../dashboard/charts/download';
import { useDictionaries } from '../children/useDictionaries';
import { FormView, problemsOf, type Answers, type FormField, type FormRule, type Problems, type TaskForm } from './FormView';

const SCALAR_TYPES = ['text', 'number', 'date', 'boolean', 'choice', 'region'] as const;
const FIELD_TYPES = [...SCALAR_TYPES, 'file', 'table'] as const;
const json = (data: unknown) => ({ method: 'POST', body: JSON.stringify({ data }) });
const percent = (value: number | null) => (value == null ? '—' : `${(value * 100).toFixed(1)}%`);
const useStateName = () => {
    const translate = useTranslate();
    // the server's one vocabulary names every state (config/vocabulary.json, through the i18n provider)
    return (group: string, code: string) => translate(`resources.${group}.${code}`, { _: translate(`app.collection_tasks.states.${code}`, { _: code }) });
};

/* ───────────────────────── the designers' list ───────────────────────── */

/** 专项填报 for the bureaus: their tasks (the server's reach), a new one. */
export const TaskList = () => {
    const translate = useTranslate();
    const name = useStateName();
    const { data } = useApi<{ data: any[] }>('/api/collection-tasks?sort=createdAt:desc&pagination[pageSize]=100');
    return (
        <Box sx={{ p: { xs: 1, sm: 2 } }}>
            <Title title={translate('app.collection_tasks.title')} />
            <Stack direction="row" justifyContent="space-between" alignItems="center" sx={{ mb: 2 }}>
                <Typography variant="h5">{translate('app.collection_tasks.title')}</Typography>
                <Button variant="contained" component={RouterLink} to="/collection-tasks/new" startIcon={<AddIcon />}>{translate('app.collection_tasks.new')}</Button>
            </Stack>
            <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>{translate('app.collection_tasks.help')}</Typography>
            <Table size="small">
                <TableHead><TableRow>
                    <TableCell>{translate('app.collection_tasks.fields.title')}</TableCell>
                    <TableCell>{translate('app.collection_tasks.fields.state')}</TableCell>
                    <TableCell>{translate('app.collection_tasks.fields.version')}</TableCell>
                    <TableCell>{translate('app.collection_tasks.fields.due')}</TableCell>
                    <TableCell>{translate('app.collection_tasks.assigned')}</TableCell>
                </TableRow></TableHead>
                <TableBody>
                    {(data?.data ?? []).map((task) => (
                        <TableRow key={task.documentId}>
                            <TableCell><Link component={RouterLink} to={`/collection-tasks/${task.documentId}`}>{task.title}</Link></TableCell>
                            <TableCell>{name('collection-tasks.state', task.state)}</TableCell>
                            <TableCell>{task.taskVersion}</TableCell>
                            <TableCell>{task.dueDate ?? '—'}</TableCell>
                            <TableCell>{task.assignedCount ?? 0}</TableCell>
                        </TableRow>
                    ))}
                </TableBody>
            </Table>
        </Box>
    );
};

/* ───────────────────────── the designer ───────────────────────── */

const emptyField = (type: FormField['type'] = 'text'): FormField => ({ key: '', label: '', type, required: false, ...(type === 'table' ? { columns: [{ key: '', label: '', type: 'text' }] } : {}) });

/** One field's settings: name, type, required, code table (choice), range, named format; a table's columns. */
const FieldEditor = ({ field, onChange, onRemove, types, tables, formats, problems, path }: {
    field: FormField; onChange: (field: FormField) => void; onRemove: () => void; types: readonly string[]; tables: { id: string; name: string }[];
    formats: { key: string; name: string; type: string }[]; problems: Problems; path: string;
}) => {
    const translate = useTranslate();
    const set = (patch: Partial<FormField>) => onChange({ ...field, ...patch });
    const error = (name: string) => problems[`${path}.${name}`];
    return (
        <Card variant="outlined" sx={{ mb: 1 }}>
            <CardContent sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', sm: '2fr 1fr 1fr auto' }, gap: 1, alignItems: 'center', pb: '8px !important' }}>
                <TextField size="small" label={translate('app.collection_tasks.fields.label')} value={field.label} onChange={(e) => set({ label: e.target.value })}
                    error={Boolean(error('label') || error('key'))} helperText={error('label') || error('key')} inputProps={{ 'data-testid': `${path}.label` }} />
                <TextField select size="small" label={translate('app.collection_tasks.fields.type')} value={field.type}
                    onChange={(e) => set({ type: e.target.value as FormField['type'], ...(e.target.value === 'table' ? { columns: field.columns?.length ? field.columns : [emptyField()] } : {}) })}
                    SelectProps={{ SelectDisplayProps: { 'data-testid': `${path}.type` } as any }} error={Boolean(error('type'))}>
                    {types.map((t) => <MenuItem key={t} value={t}>{translate(`app.collection_tasks.types.${t}`)}</MenuItem>)}
                </TextField>
                <FormControlLabel control={<Checkbox size="small" checked={Boolean(field.required)} onChange={(e) => set({ required: e.target.checked })} />} label={translate('app.collection_tasks.fields.required')} />
                <IconButton aria-label={translate('app.collection_tasks.remove')} onClick={onRemove}><DeleteIcon fontSize="small" /></IconButton>
                {field.type === 'choice' && (
                    <TextField select size="small" label={translate('app.collection_tasks.fields.code_table')} value={field.codeTable ?? ''} onChange={(e) => set({ codeTable: e.target.value })}
                        SelectProps={{ SelectDisplayProps: { 'data-testid': `${path}.codeTable` } as any }} error={Boolean(error('codeTable'))} helperText={error('codeTable')}>
                        {tables.map((t) => <MenuItem key={t.id} value={t.id}>{t.name}</MenuItem>)}
                    </TextField>
                )}
                {(field.type === 'number' || field.type === 'text') && (
                    <TextField select size="small" label={translate('app.collection_tasks.fields.format')} value={field.format ?? ''} onChange={(e) => set({ format: e.target.value || null })} error={Boolean(error('format'))} helperText={error('format')}>
                        <MenuItem value="">{translate('app.collection_tasks.no_format')}</MenuItem>
                        {formats.filter((f) => f.type === field.type).map((f) => <MenuItem key={f.key} value={f.key}>{f.name}</MenuItem>)}
                    </TextField>
                )}
                {field.type === 'number' && (
                    <Stack direction="row" spacing={1}>
                        <TextField size="small" type="number" label={translate('app.collection_tasks.fields.min')} value={field.min ?? ''} onChange={(e) => set({ min: e.target.value === '' ? null : Number(e.target.value) })} />
                        <TextField size="small" type="number" label={translate('app.collection_tasks.fields.max')} value={field.max ?? ''} onChange={(e) => set({ max: e.target.value === '' ? null : Number(e.target.value) })} error={Boolean(error('max'))} helperText={error('max')} />
                    </Stack>
                )}
                {field.type === 'table' && (
                    <Box sx={{ gridColumn: '1 / -1', pl: { xs: 0, sm: 3 } }}>
                        <Typography variant="caption" color={error('columns') ? 'error' : 'text.secondary'}>{error('columns') ?? translate('app.collection_tasks.columns')}</Typography>
                        {(field.columns ?? []).map((column, i) => (
                            <FieldEditor key={i} field={column} types={SCALAR_TYPES} tables={tables} formats={formats} problems={problems} path={`${path}.columns.${i}`}
                                onChange={(c) => set({ columns: (field.columns ?? []).map((old, j) => (j === i ? c : old)) })}
                                onRemove={() => set({ columns: (field.columns ?? []).filter((_, j) => j !== i) })} />
                        ))}
                        <Button size="small" startIcon={<AddIcon />} onClick={() => set({ columns: [...(field.columns ?? []), emptyField()] })} data-testid={`${path}.add-column`}>{translate('app.collection_tasks.add_column')}</Button>
                    </Box>
                )}
            </CardContent>
        </Card>
    );
};

type Design = { title: string; instructions: string; deadlineWorkingDays: number; countyReview: boolean; assignees: { ownership: string | null; inclusive: boolean | null; regions: string[] }; form: TaskForm };
const newDesign = (): Design => ({ title: '', instructions: '', deadlineWorkingDays: 10, countyReview: true, assignees: { ownership: null, inclusive: null, regions: [] }, form: { sections: [{ title: '', fields: [] }] } });

/**
 * The task designer (no code): title, instructions, who fills it, the deadline in working days,
 * review by the county; sections of fields, repeating tables; a preview of the generated form. A
 * published task is read-only here (the server answers 409 to any edit): 建立新版本 copies it.
 * Below, its results: completion per county, the answers' export, figures of a field.
 */
export const TaskDesigner = () => {
    const { id } = useParams();
    const creating = !id || id === 'new';
    const translate = useTranslate();
    const notify = useNotify();
    const navigate = useNavigate();
    const name = useStateName();
    const [design, setDesign] = useState<Design>(newDesign());
    const [task, setTask] = useState<any>(null);
    const [problems, setProblems] = useState<Problems>({});
    const [reload, setReload] = useState(0);
    const tables = (useApi<{ data: { key: string; name: string }[] }>('/api/code-tables').data?.data ?? []).map((t) => ({ id: t.key, name: t.name }));
    const formats = useApi<{ data: { key: string; name: string; type: string }[] }>('/api/custom-fields/formats').data?.data ?? [];
    useEffect(() => {
        if (creating) return;
        httpClient(`/api/collection-tasks/${id}`).then(({ json: body }) => {
            setTask(body.data);
            const t = body.data;
            setDesign({ title: t.title, instructions: t.instructions ?? '', deadlineWorkingDays: t.deadlineWorkingDays, countyReview: t.countyReview !== false, assignees: { ownership: null, inclusive: null, regions: [], ...(t.assignees ?? {}) }, form: t.form ?? { sections: [] } });
        }, (error) => notify(error.message, { type: 'error' }));
    }, [id, reload]);
    const frozen = Boolean(task && task.state !== 'draft');
    const setSection = (s: number, patch: any) => setDesign({ ...design, form: { ...design.form, sections: design.form.sections.map((old, i) => (i === s ? { ...old, ...patch } : old)) } });
    const save = async () => {
        try {
            setProblems({});
            const { json: body } = creating
                ? await httpClient('/api/collection-tasks', json(design))
                : await httpClient(`/api/collection-tasks/${id}`, { method: 'PUT', body: JSON.stringify({ data: design }) });
            notify('app.collection_tasks.saved', { type: 'success' });
            if (creating) navigate(`/collection-tasks/${body.data.documentId}`);
            else setReload(reload + 1);
        } catch (error: any) {
            setProblems(problemsOf(error));
            notify(error.message, { type: 'error' });
        }
    };
    const act = async (action: 'publish' | 'close' | 'new-version') => {
        try {
            const { json: body } = await httpClient(`/api/collection-tasks/${id}/${action}`, json({}));
            notify(`app.collection_tasks.done.${action}`, { type: 'success' });
            if (action === 'new-version') navigate(`/collection-tasks/${body.data.documentId}`);
            else setReload(reload + 1);
        } catch (error: any) {
            setProblems(problemsOf(error));
            notify(error.message, { type: 'error' });
        }
    };
    const a = design.assignees;
    return (
        <Box sx={{ p: { xs: 1, sm: 2 }, maxWidth: 1100 }}>
            <Title title={translate('app.collection_tasks.designer')} />
            <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1} alignItems={{ sm: 'center' }} sx={{ mb: 2 }}>
                <Typography variant="h5" sx={{ flex: 1 }}>{creating ? translate('app.collection_tasks.new') : design.title}</Typography>
                {task && <Chip label={`${name('collection-tasks.state', task.state)} · v${task.taskVersion}`} data-testid="task-state" />}
            </Stack>
            {frozen && <Alert severity="info" sx={{ mb: 2 }}>{translate('app.collection_tasks.frozen')}</Alert>}
            <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', sm: '1fr 1fr' }, gap: 1.5, mb: 2 }}>
                <TextField label={translate('app.collection_tasks.fields.title')} value={design.title} disabled={frozen} onChange={(e) => setDesign({ ...design, title: e.target.value })}
                    error={Boolean(problems.title)} helperText={problems.title} inputProps={{ 'data-testid': 'task-title' }} size="small" />
                <TextField label={translate('app.collection_tasks.fields.deadline')} type="number" value={design.deadlineWorkingDays} disabled={frozen} size="small"
                    onChange={(e) => setDesign({ ...design, deadlineWorkingDays: Number(e.target.value) })} error={Boolean(problems.deadlineWorkingDays)} helperText={problems.deadlineWorkingDays} />
                <TextField label={translate('app.collection_tasks.fields.instructions')} value={design.instructions} disabled={frozen} multiline minRows={2} size="small" sx={{ gridColumn: '1 / -1' }}
                    onChange={(e) => setDesign({ ...design, instructions: e.target.value })} />
                <TextField select size="small" label={translate('app.collection_tasks.fields.ownership')} value={a.ownership ?? ''} disabled={frozen}
                    onChange={(e) => setDesign({ ...design, assignees: { ...a, ownership: e.target.value || null } })} SelectProps={{ SelectDisplayProps: { 'data-testid': 'task-ownership' } as any }}>
                    <MenuItem value="">{translate('app.collection_tasks.any')}</MenuItem>
                    <MenuItem value="public">{translate('app.collection_tasks.public')}</MenuItem>
                    <MenuItem value="private">{translate('app.collection_tasks.private')}</MenuItem>
                </TextField>
                <TextField select size="small" label={translate('app.collection_tasks.fields.inclusive')} value={a.inclusive === null ? '' : String(a.inclusive)} disabled={frozen}
                    onChange={(e) => setDesign({ ...design, assignees: { ...a, inclusive: e.target.value === '' ? null : e.target.value === 'true' } })}>
                    <MenuItem value="">{translate('app.collection_tasks.any')}</MenuItem>
                    <MenuItem value="true">{translate('app.collection_tasks.yes')}</MenuItem>
                    <MenuItem value="false">{translate('app.collection_tasks.no')}</MenuItem>
                </TextField>
                <TextField size="small" label={translate('app.collection_tasks.fields.regions')} value={a.regions.join(',')} disabled={frozen}
                    onChange={(e) => setDesign({ ...design, assignees: { ...a, regions: e.target.value.split(/[,，\s]+/).filter(Boolean) } })}
                    error={Boolean(problems['assignees.regions'])} helperText={problems['assignees.regions'] ?? translate('app.collection_tasks.regions_help')} inputProps={{ 'data-testid': 'task-regions' }} />
                <FormControlLabel control={<Checkbox checked={design.countyReview} disabled={frozen} onChange={(e) => setDesign({ ...design, countyReview: e.target.checked })} />} label={translate('app.collection_tasks.fields.county_review')} />
            </Box>
            {problems.form && <Alert severity="error" sx={{ mb: 1 }}>{problems.form}</Alert>}
            {problems.assignees && <Alert severity="error" sx={{ mb: 1 }}>{problems.assignees}</Alert>}
            {!frozen && design.form.sections.map((section, s) => (
                <Box key={s} sx={{ mb: 2, p: 1, border: 1, borderColor: 'divider', borderRadius: 1 }}>
                    <Stack direction="row" spacing={1} alignItems="center" sx={{ mb: 1 }}>
                        <TextField size="small" fullWidth label={translate('app.collection_tasks.fields.section')} value={section.title} onChange={(e) => setSection(s, { title: e.target.value })}
                            error={Boolean(problems[`form.sections.${s}.title`])} helperText={problems[`form.sections.${s}.title`]} inputProps={{ 'data-testid': `section-${s}-title` }} />
                        <IconButton aria-label={translate('app.collection_tasks.remove')} onClick={() => setDesign({ ...design, form: { ...design.form, sections: design.form.sections.filter((_, i) => i !== s) } })}><DeleteIcon fontSize="small" /></IconButton>
                    </Stack>
                    {section.fields.map((field, f) => (
                        <FieldEditor key={f} field={field} types={FIELD_TYPES} tables={tables} formats={formats} problems={problems} path={`form.sections.${s}.fields.${f}`}
                            onChange={(changed) => setSection(s, { fields: section.fields.map((old, j) => (j === f ? changed : old)) })}
                            onRemove={() => setSection(s, { fields: section.fields.filter((_, j) => j !== f) })} />
                    ))}
                    <Stack direction="row" spacing={1}>
                        <Button size="small" startIcon={<AddIcon />} onClick={() => setSection(s, { fields: [...section.fields, emptyField()] })} data-testid={`section-${s}-add-field`}>{translate('app.collection_tasks.add_field')}</Button>
                        <Button size="small" startIcon={<AddIcon />} onClick={() => setSection(s, { fields: [...section.fields, emptyField('table')] })} data-testid={`section-${s}-add-table`}>{translate('app.collection_tasks.add_table')}</Button>
                    </Stack>
                </Box>
            ))}
            {!frozen && <Button startIcon={<AddIcon />} onClick={() => setDesign({ ...design, form: { ...design.form, sections: [...design.form.sections, { title: '', fields: [] }] } })} data-testid="add-section">{translate('app.collection_tasks.add_section')}</Button>}
            <RulesEditor form={design.form} frozen={frozen} problems={problems} onChange={(rules) => setDesign({ ...design, form: { ...design.form, rules } })} />
            <Stack direction="row" spacing={1} sx={{ my: 2 }} flexWrap="wrap" useFlexGap>
                {!frozen && <Button variant="contained" onClick={save} data-testid="task-save">{translate('app.collection_tasks.save')}</Button>}
                {task?.actions?.includes('publish') && <Button variant="contained" color="success" onClick={() => act('publish')} data-testid="task-publish">{translate('app.collection_tasks.publish')}</Button>}
                {task?.actions?.includes('close') && <Button variant="outlined" onClick={() => act('close')}>{translate('app.collection_tasks.close')}</Button>}
                {frozen && task?.actions !== undefined && task.state !== 'draft' && <Button variant="outlined" onClick={() => act('new-version')} data-testid="task-new-version">{translate('app.collection_tasks.new_version')}</Button>}
            </Stack>
            <Typography variant="h6">{translate('app.collection_tasks.preview')}</Typography>
            <Card variant="outlined" sx={{ p: 1, mb: 2 }} data-testid="task-preview">
                <FormView form={{ sections: design.form.sections.map((s) => ({ ...s, fields: s.fields.map((f, i) => ({ ...f, key: f.key || `preview_${i}` })) })) }} answers={{}} disabled />
            </Card>
            {task && task.state !== 'draft' && <TaskResults id={task.documentId} form={task.form} />}
        </Box>
    );
};

const OPS = ['<=', '<', '>=', '>', '='];

/**
 * The form's cross-field rules (checked by the server on submit, cms/src/domain/collection-forms.ts):
 * each a kind and the fields it names, picked from the form's saved fields (their keys).
 */
const RulesEditor = ({ form, frozen, problems, onChange }: { form: TaskForm; frozen: boolean; problems: Problems; onChange: (rules: FormRule[]) => void }) => {
    const translate = useTranslate();
    const dictionary = useDictionaries();
    const rules = form.rules ?? [];
    const fields = form.sections.flatMap((section) => section.fields).filter((f) => f.key);
    const of = (types: string[]) => fields.filter((f) => types.includes(f.type));
    const set = (i: number, patch: Partial<FormRule>) => onChange(rules.map((rule, j) => (j === i ? { ...rule, ...patch, text: undefined } : rule)));
    const select = (i: number, name: keyof FormRule, label: string, choices: { id: string; name: string }[]) => (
        <TextField select size="small" sx={{ minWidth: 150 }} label={label} value={String(rules[i][name] ?? '')} disabled={frozen}
            onChange={(e) => set(i, { [name]: name === 'equals' && (e.target.value === 'true' || e.target.value === 'false') ? e.target.value === 'true' : e.target.value })}
            error={Boolean(problems[`form.rules.${i}.${name}`])} helperText={problems[`form.rules.${i}.${name}`]} SelectProps={{ SelectDisplayProps: { 'data-testid': `rule-${i}-${name}` } as any }}>
            {choices.map((c) => <MenuItem key={c.id} value={c.id}>{c.name}</MenuItem>)}
        </TextField>
    );
    const named = (list: FormField[]) => list.map((f) => ({ id: f.key, name: f.label }));
    if (frozen && rules.length === 0) return null;
    return (
        <Box sx={{ mb: 2, p: 1, border: 1, borderColor: 'divider', borderRadius: 1 }} data-testid="task-rules">
            <Typography variant="subtitle1">{translate('app.collection_tasks.rules')}</Typography>
            <Typography variant="caption" color="text.secondary">{translate(fields.length ? 'app.collection_tasks.rules_help' : 'app.collection_tasks.rules_need_keys')}</Typography>
            {rules.map((rule, i) => {
                const when = fields.find((f) => f.key === rule.when);
                const table = fields.find((f) => f.key === rule.table);
                const k = (name: string) => translate(`app.collection_tasks.rule_fields.${name}`);
                return (
                    <Stack key={i} direction={{ xs: 'column', sm: 'row' }} spacing={1} alignItems={{ sm: 'flex-start' }} sx={{ my: 1 }} flexWrap="wrap" useFlexGap>
                        {select(i, 'kind', translate('app.collection_tasks.fields.type'), ['compare', 'requiredIf', 'sum'].map((id) => ({ id, name: translate(`app.collection_tasks.rule_kinds.${id}`) })))}
                        {rule.kind === 'compare' && <>{select(i, 'field', k('field'), named(of(['number'])))}{select(i, 'op', k('op'), OPS.map((id) => ({ id, name: id })))}{select(i, 'other', k('other'), named(of(['number'])))}</>}
                        {rule.kind === 'requiredIf' && <>{select(i, 'when', k('when'), named(of(['boolean', 'choice'])))}
                            {select(i, 'equals', k('equals'), when?.type === 'boolean' ? [{ id: 'true', name: translate('app.collection_tasks.yes') }, { id: 'false', name: translate('app.collection_tasks.no') }] : dictionary(when?.codeTable ?? '').map((c: any) => ({ id: c.id, name: c.name })))}
                            {select(i, 'field', k('field'), named(fields.filter((f) => f.type !== 'table')))}</>}
                        {rule.kind === 'sum' && <>{select(i, 'table', k('table'), named(of(['table'])))}{select(i, 'column', k('column'), named((table?.columns ?? []).filter((c) => c.type === 'number')))}{select(i, 'field', k('total'), named(of(['number'])))}</>}
                        {rule.text && <Typography variant="body2" sx={{ alignSelf: 'center' }}>{rule.text}</Typography>}
                        {!frozen && <IconButton aria-label={translate('app.collection_tasks.remove')} onClick={() => onChange(rules.filter((_, j) => j !== i))}><DeleteIcon fontSize="small" /></IconButton>}
                    </Stack>
                );
            })}
            {!frozen && fields.length > 0 && <Button size="small" startIcon={<AddIcon />} onClick={() => onChange([...rules, { kind: 'compare' }])} data-testid="add-rule">{translate('app.collection_tasks.add_rule')}</Button>}
        </Box>
    );
};

/** Completion per county (assigned / submitted / approved / overdue), the answers' export, a field's figures. */
export const TaskResults = ({ id, form }: { id: string; form: TaskForm }) => {
    const translate = useTranslate();
    const notify = useNotify();
    const { data } = useApi<{ data: any }>(`/api/collection-tasks/${id}/completion`);
    const fields = (form?.sections ?? []).flatMap((s) => s.fields).filter((f) => ['number', 'boolean', 'choice'].includes(f.type));
    const [field, setField] = useState<string>('');
    const figures = useApi<{ data: any }>(field ? `/api/collection-tasks/${id}/figures?field=${encodeURIComponent(field)}` : null).data?.data;
    const c = data?.data;
    const max = Math.max(1, ...(figures?.rows ?? []).map((r: any) => (r.sum ?? r.count)));
    return (
        <Box data-testid="task-results">
            <Typography variant="h6">{translate('app.collection_tasks.completion')}</Typography>
            {c && <Typography variant="body2" sx={{ mb: 1 }}>{translate('app.collection_tasks.due_on', { date: c.task.dueDate ?? '—' })}</Typography>}
            <Box sx={{ overflowX: 'auto' }}>
                <Table size="small">
                    <TableHead><TableRow>
                        {['county', 'assigned', 'submitted_count', 'returned', 'approved', 'overdue', 'completion_rate'].map((k) => <TableCell key={k}>{translate(`app.collection_tasks.${k}`)}</TableCell>)}
                    </TableRow></TableHead>
                    <TableBody>
                        {(c?.byCounty ?? []).map((row: any) => (
                            <TableRow key={row.countyCode}>
                                <TableCell>{row.countyName}</TableCell><TableCell>{row.assigned}</TableCell><TableCell>{row.submitted}</TableCell><TableCell>{row.returned}</TableCell>
                                <TableCell>{row.approved}</TableCell><TableCell sx={{ color: row.overdue ? 'error.main' : undefined }}>{row.overdue}</TableCell><TableCell>{percent(row.completion)}</TableCell>
                            </TableRow>
                        ))}
                        {c && (
                            <TableRow sx={{ '& td': { fontWeight: 600 } }} data-testid="completion-total">
                                <TableCell>{translate('app.collection_tasks.total')}</TableCell><TableCell>{c.total.assigned}</TableCell><TableCell>{c.total.submitted}</TableCell><TableCell>{c.total.returned}</TableCell>
                                <TableCell>{c.total.approved}</TableCell><TableCell>{c.total.overdue}</TableCell><TableCell>{percent(c.total.completion)}</TableCell>
                            </TableRow>
                        )}
                    </TableBody>
                </Table>
            </Box>
            <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1} sx={{ my: 2 }}>
                <Button variant="outlined" onClick={() => downloadFile(`/api/collection-tasks/${id}/export`, 'answers.xlsx').catch((e) => notify(e.message, { type: 'error' }))}>{translate('app.collection_tasks.export')}</Button>
                <TextField select size="small" sx={{ minWidth: 220 }} label={translate('app.collection_tasks.chart_field')} value={field} onChange={(e) => setField(e.target.value)}>
                    {fields.map((f) => <MenuItem key={f.key} value={f.key}>{f.label}</MenuItem>)}
                </TextField>
            </Stack>
            {figures && (
                <Box data-testid="task-figures">
                    {figures.rows.map((r: any) => (
                        <Stack key={r.key} direction="row" spacing={1} alignItems="center" sx={{ mb: 0.5 }}>
                            <Typography variant="body2" sx={{ width: 120 }}>{r.label}</Typography>
                            <Box sx={{ height: 14, bgcolor: 'primary.main', width: `${(100 * (r.sum ?? r.count)) / max}%`, maxWidth: '60%', minWidth: 4 }} />
                            <Typography variant="body2">{r.sum ?? r.count}</Typography>
                        </Stack>
                    ))}
                </Box>
            )}
        </Box>
    );
};

/* ───────────────────────── inbox, review list, the generated form ───────────────────────── */

/** The kindergarten's inbox (its submissions) or the county's review list (its kindergartens' submissions): the server's reach. */
export const TaskInbox = () => {
    const translate = useTranslate();
    const name = useStateName();
    const [state, setState] = useState('');
    const { data } = useApi<{ data: any[] }>(`/api/task-submissions?sort=updatedAt:desc&pagination[pageSize]=100${state ? `&filters[state]=${state}` : ''}`);
    return (
        <Box sx={{ p: { xs: 1, sm: 2 } }}>
            <Title title={translate('app.collection_tasks.inbox')} />
            <Typography variant="h5" sx={{ mb: 1 }}>{translate('app.collection_tasks.inbox')}</Typography>
            <TextField select size="small" sx={{ mb: 2, minWidth: 160 }} label={translate('app.collection_tasks.fields.state')} value={state} onChange={(e) => setState(e.target.value)}>
                <MenuItem value="">{translate('app.collection_tasks.any')}</MenuItem>
                {stateChoices('task-submissions.state').map(({ id }) => <MenuItem key={id} value={id}>{name('task-submissions.state', id)}</MenuItem>)}
            </TextField>
            <Stack spacing={1}>
                {(data?.data ?? []).map((s) => (
                    <Card key={s.documentId} variant="outlined">
                        <CardContent sx={{ pb: '12px !important' }}>
                            <Link component={RouterLink} to={`/task-submissions/${s.documentId}`} variant="subtitle1">{s.taskTitle}</Link>
                            <Typography variant="body2" color="text.secondary">
                                {s.kindergartenName} · {name('task-submissions.state', s.state)} · {translate('app.collection_tasks.due_on', { date: s.dueDate ?? '—' })}{s.late ? ` · ${translate('app.collection_tasks.late')}` : ''}
                            </Typography>
                        </CardContent>
                    </Card>
                ))}
                {data && !data.data.length && <Typography color="text.secondary">{translate('app.collection_tasks.empty')}</Typography>}
            </Stack>
        </Box>
    );
};

/** The form generated from the task's design: save a draft, submit, fill from its Excel template; the county approves or returns. */
export const SubmissionPage = () => {
    const { id } = useParams();
    const translate = useTranslate();
    const notify = useNotify();
    const name = useStateName();
    const [record, setRecord] = useState<any>(null);
    const [answers, setAnswers] = useState<Answers>({});
    const [problems, setProblems] = useState<Problems>({});
    const [report, setReport] = useState<any[]>([]);
    const [comment, setComment] = useState('');
    const load = () => httpClient(`/api/task-submissions/${id}`).then(({ json: body }) => { setRecord(body.data); setAnswers(body.data.answers ?? {}); }, (e) => notify(e.message, { type: 'error' }));
    useEffect(() => { load(); }, [id]);
    if (!record) return null;
    const call = async (path: string, data: unknown, method = 'POST', done = 'app.collection_tasks.saved') => {
        try {
            setProblems({});
            const { json: body } = await httpClient(`/api/task-submissions/${id}${path}`, { method, body: JSON.stringify({ data }) });
            setRecord(body.data);
            setAnswers(body.data.answers ?? {});
            notify(done, { type: 'success' });
        } catch (error: any) {
            setProblems(problemsOf(error));
            notify(error.message, { type: 'error' });
        }
    };
    const upload = async (key: string, file: File) => {
        const body = new FormData();
        body.append('files', file);
        try {
            const { json: files } = await httpClient('/api/upload', { method: 'POST', body });
            setAnswers({ ...answers, [key]: { id: files[0].id, name: files[0].name } });
        } catch (error: any) {
            notify(error.message, { type: 'error' });
        }
    };
    const importFile = async (file: File) => {
        const body = new FormData();
        body.append('file', file);
        try {
            setReport([]);
            const { json: result } = await httpClient(`/api/task-submissions/${id}/import`, { method: 'POST', body });
            setRecord(result.data);
            setAnswers(result.data.answers ?? {});
            notify('app.collection_tasks.imported', { type: 'success' });
        } catch (error: any) {
            setReport(error?.body?.error?.details?.rows ?? []);
            notify(error.message, { type: 'error' });
        }
    };
    const editable = record.actions?.includes('submit');
    return (
        <Box sx={{ p: { xs: 1, sm: 2 }, maxWidth: 1000 }}>
            <Title title={record.task.title} />
            <Typography variant="h5">{record.task.title}</Typography>
            <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }} data-testid="submission-state">
                {record.kindergartenName} · {name('task-submissions.state', record.state)} · {translate('app.collection_tasks.due_on', { date: record.dueDate ?? '—' })}
            </Typography>
            {record.task.instructions && <Alert severity="info" sx={{ mb: 1, whiteSpace: 'pre-wrap' }}>{record.task.instructions}</Alert>}
            {record.reviewComment && <Alert severity={record.state === 'returned' ? 'warning' : 'success'} sx={{ mb: 1 }} data-testid="review-comment">{translate('app.collection_tasks.review_comment')}：{record.reviewComment}</Alert>}
            <FormView form={record.task.form} answers={answers} onChange={(next) => { setAnswers(next); setProblems({}); }} disabled={!editable} problems={problems} onUpload={upload} />
            {report.length > 0 && (
                <Alert severity="error" sx={{ my: 1 }} data-testid="import-report">
                    {report.map((r, i) => <div key={i}>{r.sheet}{r.row ? ` ${translate('app.collection_tasks.row', { n: r.row })}` : ''}{r.column ? `「${r.column}」` : ''}：{r.message}</div>)}
                </Alert>
            )}
            <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1} sx={{ my: 2 }}>
                {editable && <Button variant="outlined" onClick={() => call('', { answers }, 'PUT')} data-testid="submission-save">{translate('app.collection_tasks.save_draft')}</Button>}
                {editable && <Button variant="contained" onClick={() => call('/submit', { answers, version: record.version }, 'POST', 'app.collection_tasks.submitted')} data-testid="submission-submit">{translate('app.collection_tasks.submit')}</Button>}
                {editable && <Button variant="text" onClick={() => downloadFile(`/api/task-submissions/${id}/template`, 'template.xlsx').catch((e) => notify(e.message, { type: 'error' }))}>{translate('app.collection_tasks.template')}</Button>}
                {editable && (
                    <Button variant="text" component="label">
                        {translate('app.collection_tasks.import')}
                        <input hidden type="file" accept=".xlsx" onChange={(e) => e.target.files?.[0] && importFile(e.target.files[0])} data-testid="submission-import" />
                    </Button>
                )}
            </Stack>
            {(record.actions?.includes('approve') || record.actions?.includes('return')) && (
                <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1} alignItems={{ sm: 'center' }}>
                    <TextField size="small" fullWidth label={translate('app.collection_tasks.review_comment')} value={comment} onChange={(e) => setComment(e.target.value)} error={Boolean(problems.comment)} helperText={problems.comment} inputProps={{ 'data-testid': 'review-comment-input' }} />
                    <Button variant="contained" color="success" onClick={() => call('/review', { decision: 'approve', comment, version: record.version }, 'POST', 'app.collection_tasks.approved')} data-testid="review-approve">{translate('app.collection_tasks.approve')}</Button>
                    <Button variant="outlined" color="warning" onClick={() => call('/review', { decision: 'return', comment, version: record.version }, 'POST', 'app.collection_tasks.returned_done')} data-testid="review-return">{translate('app.collection_tasks.return')}</Button>
                </Stack>
            )}
        </Box>
    );
};
