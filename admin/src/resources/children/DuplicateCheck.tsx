import { useEffect, useState } from 'react';
import { Alert, Box } from '@mui/material';
import { useFormContext, useWatch } from 'react-hook-form';
import { useTranslate } from 'react-admin';
import { httpClient } from '../../providers/http';

type Result = {
    identity: { ok: boolean; reason?: string; sex?: string; birthDate?: string } | null;
    exact: { kindergartenName: string | null; countyName: string | null } | null;
    candidates: { name: string | null; kindergartenName: string | null; countyName: string | null; reasons: string[] }[];
};

/**
 * As the user types: the ID number's own check (and the sex and birth date it gives, filled in when
 * empty), an exact duplicate anywhere in the province, and likely duplicates with their reasons.
 */
export const DuplicateCheck = () => {
    const translate = useTranslate();
    const { setValue, getValues } = useFormContext();
    const [idType, idNumber, name, birthDate, sex] = useWatch({ name: ['idType', 'idNumber', 'name', 'birthDate', 'sex'] });
    const [result, setResult] = useState<Result | null>(null);
    useEffect(() => {
        if (!idNumber && !(name && birthDate)) {
            setResult(null);
            return;
        }
        const timer = setTimeout(async () => {
            try {
                const { json } = await httpClient('/api/children/check-duplicates', {
                    method: 'POST',
                    body: JSON.stringify({ data: { idType, idNumber, name, birthDate, sex, id: getValues('id') } }),
                });
                const data: Result = json.data;
                setResult(data);
                if (data.identity?.ok) {
                    if (data.identity.sex && !getValues('sex')) setValue('sex', data.identity.sex, { shouldDirty: true });
                    if (data.identity.birthDate && !getValues('birthDate')) setValue('birthDate', data.identity.birthDate, { shouldDirty: true });
                }
            } catch {
                setResult(null);
            }
        }, 400);
        return () => clearTimeout(timer);
        // eslint-disable-next-line react-hooks/exhaustive-deps
    }, [idType, idNumber, name, birthDate, sex]);
    if (!result) return null;
    /** "泉州市鲤城区实验幼儿园", or "某某幼儿园（鲤城区）" when the kindergarten's name does not say where it is. */
    const place = (countyName: string | null, kindergartenName: string | null) =>
        !kindergartenName ? countyName ?? '' : !countyName || kindergartenName.includes(countyName)
            ? kindergartenName
            : translate('resources.children.place_in_county', { kindergarten: kindergartenName, county: countyName });
    // the child holding the ID number is already named by the exact alert: not again as a likely duplicate
    const candidates = result.exact
        ? result.candidates.filter((c) => c.kindergartenName !== result.exact!.kindergartenName || c.countyName !== result.exact!.countyName)
        : result.candidates;
    return (
        <Box sx={{ display: 'grid', gap: 1, my: 1, width: '100%' }} data-testid="duplicate-check">
            {result.identity && !result.identity.ok && <Alert severity="error">{result.identity.reason}</Alert>}
            {result.exact && (
                <Alert severity="error">
                    {translate('resources.children.exact_duplicate', { place: place(result.exact.countyName, result.exact.kindergartenName) })}
                </Alert>
            )}
            {candidates.map((candidate, index) => (
                <Alert key={index} severity="warning">
                    {translate('resources.children.likely_duplicate', {
                        place: `${place(candidate.countyName, candidate.kindergartenName)}${candidate.name ? ` · ${candidate.name}` : ''}`,
                        reasons: candidate.reasons.join('；'),
                    })}
                </Alert>
            ))}
        </Box>
    );
};
