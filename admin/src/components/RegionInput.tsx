import { Autocomplete, Box, FormHelperText, TextField, Typography } from '@mui/material';
import { useMemo, useState } from 'react';
import { FieldTitle, useInput, useResourceContext, useTranslate, type Validator } from 'react-admin';
import { useRegionLevels } from '../providers/useServerFacts';
import { matchesRegion, useRegionTree, type Region, type RegionLevel, type RegionTree } from './regions';

const MAX_OPTIONS = 60;

/** The chain province → prefecture → county of a code (those the tree has). */
const chainOf = (tree: RegionTree, code: string | null | undefined) => {
    const chain: Partial<Record<RegionLevel, Region>> = {};
    for (let at = code ? tree.byCode.get(String(code)) : undefined, guard = 0; at && guard < 4; guard++, at = at.parentCode ? tree.byCode.get(at.parentCode) : undefined) chain[at.level] = at;
    return chain;
};

type Props = {
    source: string;
    label?: string;
    validate?: Validator | Validator[];
    /** only a county may be chosen (a kindergarten's 所属区县) */
    countyOnly?: boolean;
    /** only regions whose code starts with this prefix (the user's own reach) */
    within?: string | null;
    helperText?: string | false;
    readOnly?: boolean;
    /** a place may also be written out (籍贯 "福建泉州"): text typed in the county box that is no code is kept as it is */
    freeText?: boolean;
    /** a region prefix (2, 4 or 6 digits, as the statistics filters take it) instead of a 6-digit code */
    prefix?: boolean;
};

const toCode = (value: unknown) => (value ? String(value).padEnd(6, '0') : '');
const toPrefix = (value: unknown) => (value ? String(value).replace(/(00)+$/, '') : '');

/**
 * The one region picker (出生地, 籍贯, 户口所在地, a kindergarten's county, custom region fields):
 * province → prefecture → county, each box searchable by name, pinyin initials (lcq → 鲤城区) or
 * code; a box with nothing chosen above it searches the whole country, and choosing there fills the
 * boxes above. A 6-digit code typed in any box is taken as it is when the tree has it. The value is
 * the code of the deepest region chosen (a county when `countyOnly`).
 */
export const RegionInput = ({ source, label, validate, countyOnly = false, within, helperText, readOnly = false, freeText = false, prefix: asPrefix = false }: Props) => {
    const translate = useTranslate();
    const resource = useResourceContext();
    const tree = useRegionTree();
    const { field, fieldState, isRequired } = useInput({ source, validate, ...(asPrefix ? { format: toCode, parse: toPrefix } : {}) });
    const [typed, setTyped] = useState<Partial<Record<RegionLevel, string>>>({});
    const chain = useMemo(() => (tree ? chainOf(tree, field.value) : {}), [tree, field.value]);
    const prefix = within ? String(within).replace(/(00)+$/, '') : '';

    // the region levels of config/levels.json, top first (province, prefecture, county)
    const levels = useRegionLevels() as RegionLevel[];
    const optionsOf = (level: RegionLevel): Region[] => {
        if (!tree) return [];
        const index = levels.indexOf(level);
        const parent = [...levels.slice(0, index)].reverse().map((above) => chain[above]).find(Boolean);
        const base = parent
            ? (tree.children.get(parent.code) ?? []).filter((region) => region.level === level)
            : tree.all.filter((region) => region.level === level);
        return base.filter((region) => region.code.startsWith(prefix) || prefix.startsWith(region.code.replace(/(00)+$/, '')));
    };
    const choose = (region: Region | null, level: RegionLevel) => {
        if (region) return field.onChange(region.code);
        // cleared: keep what is above
        const index = levels.indexOf(level);
        const above = [...levels.slice(0, index)].reverse().map((l) => chain[l]).find(Boolean);
        field.onChange(above ? above.code : '');
    };
    const takeCode = (text: string, level: RegionLevel) => {
        setTyped((current) => ({ ...current, [level]: text }));
        const code = text.trim();
        if (tree && /^\d{6}$/.test(code) && tree.byCode.has(code)) {
            if (code !== field.value) field.onChange(code);
        } else if (freeText && level === 'county') field.onChange(text);
    };
    const unknownCode = field.value && tree && !tree.byCode.has(String(field.value)) && (!freeText || /^\d{6}$/.test(String(field.value)));
    const error = fieldState.error?.message ? translate(fieldState.error.message, { _: fieldState.error.message }) : unknownCode ? translate('app.regions.unknown_code', { code: field.value }) : null;

    return (
        <Box sx={{ width: '100%', mb: 1 }} data-region-input={source}>
            <Typography variant="caption" color="text.secondary" component="div" sx={{ mb: 0.5 }}>
                <FieldTitle label={label} source={source} resource={resource} isRequired={isRequired} />
            </Typography>
            <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>
                {levels.map((level) => (
                    <Autocomplete<Region>
                        key={level}
                        size="small"
                        sx={{ minWidth: 180, flex: '1 1 180px', maxWidth: { xs: '100%', sm: 280 } }}
                        disabled={readOnly || !tree}
                        options={optionsOf(level)}
                        value={chain[level] ?? null}
                        inputValue={typed[level] ?? chain[level]?.name ?? (freeText && level === 'county' && field.value && !tree?.byCode.has(String(field.value)) ? String(field.value) : '')}
                        onInputChange={(_event, text, reason) => {
                            if (reason === 'input') takeCode(text, level);
                            else setTyped((current) => ({ ...current, [level]: undefined }));
                        }}
                        onChange={(_event, region) => {
                            setTyped({});
                            choose(region, level);
                        }}
                        isOptionEqualToValue={(a, b) => a.code === b.code}
                        getOptionLabel={(region) => region.name}
                        filterOptions={(options, state) => options.filter((region) => matchesRegion(region, state.inputValue)).slice(0, MAX_OPTIONS)}
                        renderOption={(props, region) => (
                            <li {...props} key={region.code} title={region.code}>
                                <span>{chain[levels[levels.indexOf(level) - 1]] ? region.name : region.path}</span>
                                <Typography component="span" variant="caption" color="text.secondary" sx={{ ml: 1 }}>
                                    {region.code}
                                </Typography>
                            </li>
                        )}
                        noOptionsText={translate('app.regions.no_match')}
                        renderInput={(params) => (
                            <TextField
                                {...params}
                                label={translate(`app.regions.levels.${level}`)}
                                placeholder={translate('app.regions.search')}
                                // the county box carries the field's name: typing a code there is the quickest entry
                                inputProps={{ ...params.inputProps, 'data-region-level': level, ...(level === 'county' ? { name: source } : {}) }}
                                error={Boolean(error) && (level === 'county' || !countyOnly)}
                            />
                        )}
                    />
                ))}
            </Box>
            <FormHelperText error={Boolean(error)}>
                {error ??
                    (field.value && tree?.byCode.get(String(field.value))
                        ? `${tree.byCode.get(String(field.value))!.path}（${field.value}）`
                        : helperText === false
                        ? ''
                        : translate(helperText || (countyOnly ? 'app.regions.help_county' : 'app.regions.help'), { _: helperText || '' }))}
            </FormHelperText>
        </Box>
    );
};

/** A region code validator for a county-only field: the chosen region must be a county. */
export const countyRequired = (tree: RegionTree | null) => (value: unknown) =>
    value && tree && tree.byCode.get(String(value))?.level !== 'county' ? 'app.regions.choose_county' : undefined;
