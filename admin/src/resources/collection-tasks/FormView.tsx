import AddIcon from '@mui/icons-material/Add';
import DeleteIcon from '@mui/icons-material/Delete';
import { Alert, Box, Button, Card, CardContent, FormControlLabel, IconButton, MenuItem, Radio, RadioGroup, TextField, Typography } from '@mui/material';
import { useTranslate } from 'react-admin';
import { useDictionaries } from '../children/useDictionaries';

/** A field of a task's form, as the server keeps it (cms/src/domain/collection-forms.ts). */
export type FormField = {
    key: string;
    label: string;
    type: 'text' | 'number' | 'date' | 'boolean' | 'choice' | 'region' | 'file' | 'table';
    required?: boolean;
    help?: string | null;
    min?: number | null;
    max?: number | null;
    format?: string | null;
    codeTable?: string | null;
    columns?: FormField[];
    minRows?: number | null;
    maxRows?: number | null;
};
/** A cross-field rule (cms/src/domain/collection-forms.ts FormRule), with its words from the server. */
export type FormRule = { kind: 'compare' | 'requiredIf' | 'sum'; field?: string; op?: string; other?: string; when?: string; equals?: string | boolean; table?: string; column?: string; text?: string };
export type TaskForm = { sections: { title: string; fields: FormField[] }[]; rules?: FormRule[] };
export type Answers = Record<string, any>;

/** The server's problems of a 400 by path (`answers.key` or `answers.table.0.column`). */
export type Problems = Record<string, string>;

const ScalarInput = ({ field, value, onChange, disabled, error, idPrefix }: { field: FormField; value: any; onChange: (value: any) => void; disabled?: boolean; error?: string; idPrefix: string }) => {
    const translate = useTranslate();
    const dictionary = useDictionaries();
    const label = `${field.label}${field.required ? ' *' : ''}`;
    const common = { fullWidth: true, size: 'small' as const, label, disabled, error: Boolean(error), helperText: error || field.help || undefined, inputProps: { 'data-testid': `${idPrefix}${field.key}` } };
    if (field.type === 'boolean') {
        return (
            <Box sx={{ mb: 1 }}>
                <Typography variant="body2" color={error ? 'error' : 'text.secondary'}>{label}</Typography>
                <RadioGroup row value={value === true ? 'true' : value === false ? 'false' : ''} onChange={(e) => onChange(e.target.value === 'true')} data-testid={`${idPrefix}${field.key}`}>
                    <FormControlLabel value="true" control={<Radio size="small" disabled={disabled} />} label={translate('app.collection_tasks.yes')} />
                    <FormControlLabel value="false" control={<Radio size="small" disabled={disabled} />} label={translate('app.collection_tasks.no')} />
                </RadioGroup>
                {error && <Typography variant="caption" color="error">{error}</Typography>}
            </Box>
        );
    }
    if (field.type === 'choice') {
        return (
            <TextField select {...common} value={value ?? ''} onChange={(e) => onChange(e.target.value || null)} SelectProps={{ SelectDisplayProps: { 'data-testid': `${idPrefix}${field.key}` } as any }} inputProps={{}}>
                <MenuItem value="">—</MenuItem>
                {dictionary(field.codeTable ?? '').map((c: any) => <MenuItem key={c.id} value={c.id} disabled={c.disabled}>{c.name}</MenuItem>)}
            </TextField>
        );
    }
    if (field.type === 'number') return <TextField {...common} type="number" value={value ?? ''} onChange={(e) => onChange(e.target.value === '' ? null : Number(e.target.value))} />;
    if (field.type === 'date') return <TextField {...common} type="date" InputLabelProps={{ shrink: true }} value={value ?? ''} onChange={(e) => onChange(e.target.value || null)} />;
    return <TextField {...common} value={value ?? ''} onChange={(e) => onChange(e.target.value)} />;
};

/** A repeating table: one card per row (usable at phone width), add and remove rows. */
const TableInput = ({ field, rows, onChange, disabled, problems }: { field: FormField; rows: Answers[]; onChange: (rows: Answers[]) => void; disabled?: boolean; problems: Problems }) => {
    const translate = useTranslate();
    return (
        <Box sx={{ mb: 2 }} data-testid={`table-${field.key}`}>
            <Typography variant="subtitle2" color={problems[`answers.${field.key}`] ? 'error' : undefined}>{field.label}{field.required ? ' *' : ''}</Typography>
            {problems[`answers.${field.key}`] && <Typography variant="caption" color="error">{problems[`answers.${field.key}`]}</Typography>}
            {rows.map((row, i) => (
                <Card key={i} variant="outlined" sx={{ my: 1 }}>
                    <CardContent sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', sm: 'repeat(auto-fill, minmax(180px, 1fr))' }, gap: 1, pb: '8px !important' }}>
                        <Typography variant="caption" sx={{ gridColumn: '1 / -1' }}>{translate('app.collection_tasks.row', { n: i + 1 })}</Typography>
                        {(field.columns ?? []).map((column) => (
                            <ScalarInput key={column.key} field={column} value={row[column.key]} disabled={disabled} idPrefix={`${field.key}-${i}-`}
                                error={problems[`answers.${field.key}.${i}.${column.key}`]}
                                onChange={(value) => onChange(rows.map((r, j) => (j === i ? { ...r, [column.key]: value } : r)))} />
                        ))}
                        {!disabled && (
                            <Box sx={{ gridColumn: '1 / -1', textAlign: 'right' }}>
                                <IconButton size="small" aria-label={translate('app.collection_tasks.remove_row')} onClick={() => onChange(rows.filter((_, j) => j !== i))}><DeleteIcon fontSize="small" /></IconButton>
                            </Box>
                        )}
                    </CardContent>
                </Card>
            ))}
            {!disabled && <Button size="small" startIcon={<AddIcon />} onClick={() => onChange([...rows, {}])} data-testid={`add-row-${field.key}`}>{translate('app.collection_tasks.add_row')}</Button>}
        </Box>
    );
};

/**
 * The screen generated from a task's form: its sections, each field as the input of its type
 * (the custom fields' types), repeating tables as cards of rows, file fields as uploads. The same
 * component is the designer's preview (disabled) and the kindergarten's form.
 */
export const FormView = ({ form, answers, onChange, disabled, problems = {}, onUpload }: {
    form: TaskForm; answers: Answers; onChange?: (answers: Answers) => void; disabled?: boolean; problems?: Problems; onUpload?: (key: string, file: File) => void;
}) => {
    const translate = useTranslate();
    const set = (key: string, value: any) => onChange?.({ ...answers, [key]: value });
    const rules = (form?.rules ?? []).filter((rule) => rule.text);
    return (
        <Box>
            {rules.length > 0 && (
                <Alert severity="info" sx={{ mb: 1 }} data-testid="form-rules">
                    <Typography variant="subtitle2">{translate('app.collection_tasks.form_rules')}</Typography>
                    {rules.map((rule, i) => <Typography key={i} variant="body2">{rule.text}</Typography>)}
                </Alert>
            )}
            {(form?.sections ?? []).map((section, s) => (
                <Box key={s} sx={{ mb: 2 }}>
                    <Typography variant="h6" sx={{ mb: 1 }}>{section.title}</Typography>
                    <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', md: '1fr 1fr' }, gap: 1.5 }}>
                        {section.fields.map((field) => {
                            if (field.type === 'table') {
                                return (
                                    <Box key={field.key} sx={{ gridColumn: '1 / -1' }}>
                                        <TableInput field={field} rows={Array.isArray(answers[field.key]) ? answers[field.key] : []} onChange={(rows) => set(field.key, rows)} disabled={disabled} problems={problems} />
                                    </Box>
                                );
                            }
                            if (field.type === 'file') {
                                return (
                                    <Box key={field.key}>
                                        <Typography variant="body2" color={problems[`answers.${field.key}`] ? 'error' : 'text.secondary'}>{field.label}{field.required ? ' *' : ''}</Typography>
                                        <Typography variant="body2">{answers[field.key]?.name ?? translate('app.collection_tasks.no_file')}</Typography>
                                        {!disabled && onUpload && <input type="file" aria-label={field.label} onChange={(e) => e.target.files?.[0] && onUpload(field.key, e.target.files[0])} />}
                                        {problems[`answers.${field.key}`] && <Typography variant="caption" color="error">{problems[`answers.${field.key}`]}</Typography>}
                                    </Box>
                                );
                            }
                            return <ScalarInput key={field.key} field={field} value={answers[field.key]} onChange={(value) => set(field.key, value)} disabled={disabled} error={problems[`answers.${field.key}`]} idPrefix="field-" />;
                        })}
                    </Box>
                </Box>
            ))}
        </Box>
    );
};

/** The problems of a 400 by path, for the inputs; and the message. */
export const problemsOf = (error: any): Problems => {
    const problems: Problems = {};
    // a field may break several rules: every message is shown under it
    for (const e of error?.body?.error?.details?.errors ?? []) {
        const path = (e.path ?? []).join('.');
        problems[path] = problems[path] ? `${problems[path]}；${e.message}` : e.message;
    }
    return problems;
};
