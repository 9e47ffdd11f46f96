import { Typography } from '@mui/material';
import {
    DateInput, FunctionField, Labeled, NullableBooleanInput, NumberInput, SelectInput, TextInput, useLocaleState, useRecordContext, useTranslate,
} from 'react-admin';
import type { ReactNode } from 'react';
import { RegionInput } from './RegionInput';
import { RegionName } from './RegionField';
import { yesNoName } from '../providers/vocabulary';
import { useApi } from '../providers/useApi';
import { useDictionaries } from '../resources/children/useDictionaries';

/** A custom field as `GET /api/custom-fields/applicable` describes it (cms/src/domain/custom-fields.ts). */
export type CustomFieldDefinition = {
    id: string;
    key: string;
    label: string;
    type: 'text' | 'number' | 'date' | 'boolean' | 'choice' | 'region';
    required: boolean;
    help?: string | null;
    min?: number | string | null;
    max?: number | string | null;
    pattern?: string | null;
    /** The rule of its named format (手机号码, 邮政编码…), as the server sends it. */
    formatRule?: { pattern: string | null; integer: boolean; message: string } | null;
    codeTable?: string | null;
    regionCode: string;
};
export type CustomEntity = 'child' | 'kindergarten' | 'staff' | 'healthCheck' | 'safety-inspection' | 'incident' | 'resource-inventory';

/**
 * The active custom fields of `entity` for the caller: those of a county (a record's, or the
 * kindergarten's own), or all that concern the caller's reach (lists).
 */
export const useCustomFields = (entity: CustomEntity, countyCode?: string | null) => {
    const { data } = useApi<{ data: CustomFieldDefinition[] }>(`/api/custom-fields/applicable?entity=${entity}${countyCode ? `&countyCode=${countyCode}` : ''}`);
    return data?.data ?? [];
};

const isEmpty = (value: unknown) => value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
const numberOf = (value: unknown) => (value === undefined || value === null || value === '' ? null : Number(value));

/**
 * The client side of the server's rules (the yup schema of custom-fields.ts), with the same
 * messages: required, number range, text length, named format and pattern, 6-digit region codes.
 */
export const customValidators = (definition: CustomFieldDefinition) => {
    const { label, type } = definition;
    const min = numberOf(definition.min);
    const max = numberOf(definition.max);
    const validators: ((value: any) => string | undefined)[] = [];
    if (definition.required) {
        const requiredValue = (value: unknown) => (isEmpty(value) ? `${label}必填` : undefined);
        // react-admin marks an input required (the *) when one of its validators says so
        (requiredValue as any).isRequired = true;
        validators.push(requiredValue);
    }
    if (type === 'number') {
        validators.push((value) => (!isEmpty(value) && Number.isNaN(Number(value)) ? `${label}须为数字` : undefined));
        if (min !== null) validators.push((value) => (!isEmpty(value) && Number(value) < min ? `${label}不能小于 ${min}` : undefined));
        if (max !== null) validators.push((value) => (!isEmpty(value) && Number(value) > max ? `${label}不能大于 ${max}` : undefined));
    }
    if (type === 'text') {
        if (min !== null) validators.push((value) => (!isEmpty(value) && String(value).length < min ? `${label}至少 ${min} 个字` : undefined));
        if (max !== null) validators.push((value) => (!isEmpty(value) && String(value).length > max ? `${label}不超过 ${max} 个字` : undefined));
        if (definition.pattern) {
            let pattern: RegExp | null = null;
            try {
                pattern = new RegExp(definition.pattern);
            } catch {
                pattern = null;
            }
            if (pattern) validators.push((value) => (!isEmpty(value) && !pattern!.test(String(value)) ? `${label}格式不正确` : undefined));
        }
    }
    // a region is chosen in the region picker (RegionInput), which flags a code the tree does not have
    const rule = definition.formatRule;
    if (rule && (type === 'text' || type === 'number')) {
        let pattern: RegExp | null = null;
        try {
            pattern = rule.pattern ? new RegExp(rule.pattern) : null;
        } catch {
            pattern = null;
        }
        const fails = (value: unknown) => (rule.integer && !Number.isInteger(Number(value))) || (pattern !== null && !pattern.test(String(value)));
        validators.push((value) => (!isEmpty(value) && fails(value) ? `${label}${rule.message}` : undefined));
    }
    return validators;
};

/** One input for one custom field, its value at `customFields.<key>`. */
export const CustomFieldInput = ({ definition }: { definition: CustomFieldDefinition }) => {
    const dictionary = useDictionaries();
    const common = {
        source: `customFields.${definition.key}`,
        label: definition.label,
        helperText: definition.help || false,
        validate: customValidators(definition),
    } as const;
    switch (definition.type) {
        case 'boolean':
            // yes / no / not answered: a required one must be answered either way
            return <NullableBooleanInput {...common} />;
        case 'number':
            return <NumberInput {...common} />;
        case 'date':
            return <DateInput {...common} />;
        case 'choice':
            return <SelectInput {...common} choices={dictionary(definition.codeTable ?? '')} />;
        case 'region':
            return <RegionInput {...common} helperText={definition.help || undefined} />;
        default:
            return <TextInput {...common} />;
    }
};

/**
 * The inputs of the custom fields that apply to the record in the form (its county), or to a new
 * record of the kindergarten's own county; nothing when the province has defined none.
 */
export const CustomFieldInputs = ({ entity, countyCode, title = true }: { entity: CustomEntity; countyCode?: string | null; title?: boolean }) => {
    const record = useRecordContext();
    const translate = useTranslate();
    const definitions = useCustomFields(entity, countyCode ?? record?.countyCode ?? null);
    if (!definitions.length) return null;
    return (
        <>
            {title && <Typography variant="subtitle1" sx={{ mt: 2, mb: 1, fontWeight: 600, width: '100%' }}>{translate('app.custom_fields.section')}</Typography>}
            {definitions.map((definition) => <CustomFieldInput key={definition.key} definition={definition} />)}
        </>
    );
};

/** How a custom value reads in a list or a record: yes/no, code names, the value itself. */
export const customDisplay = (definition: CustomFieldDefinition, value: unknown, names: (table: string) => { id: string; name: string }[], locale = 'zh-CN'): ReactNode => {
    if (value === undefined || value === null || value === '') return '';
    if (definition.type === 'boolean') return yesNoName(value, locale) || String(value);
    if (definition.type === 'region') return <RegionName code={value} />;
    if (definition.type === 'choice') return names(definition.codeTable ?? '').find((c) => c.id === value)?.name ?? String(value);
    return String(value);
};

/** List columns, one per custom field that concerns the caller (put them inside a Datagrid). */
export const useCustomColumns = (entity: CustomEntity) => {
    const definitions = useCustomFields(entity);
    const dictionary = useDictionaries();
    const [locale] = useLocaleState();
    return definitions.map((definition) => (
        <FunctionField
            key={`custom-${definition.key}`}
            source={`customFields.${definition.key}`}
            label={definition.label}
            sortable={false}
            render={(record: any) => customDisplay(definition, record?.customFields?.[definition.key], dictionary, locale)}
        />
    ));
};

/** List filters on the yes/no and code-table custom fields (sent as `customFilters`, applied by the server). */
export const useCustomFilters = (entity: CustomEntity) => {
    const definitions = useCustomFields(entity);
    const dictionary = useDictionaries();
    return definitions
        .filter((d) => d.type === 'boolean' || d.type === 'choice')
        .map((d) =>
            d.type === 'boolean'
                ? <NullableBooleanInput key={`custom-${d.key}`} source={`customFilters.${d.key}`} label={d.label} />
                : <SelectInput key={`custom-${d.key}`} source={`customFilters.${d.key}`} label={d.label} choices={dictionary(d.codeTable ?? '')} />
        );
};

/** The custom values of the record on its page (the fields that apply to its county), each under its label. */
export const CustomFieldValues = ({ entity }: { entity: CustomEntity }) => {
    const record = useRecordContext();
    const dictionary = useDictionaries();
    const definitions = useCustomFields(entity, record?.countyCode ?? null);
    const [locale] = useLocaleState();
    if (!record) return null;
    return (
        <>
            {definitions.map((definition) => (
                <Labeled key={definition.key} label={definition.label}>
                    <span data-testid={`custom-${definition.key}`}>{customDisplay(definition, record.customFields?.[definition.key], dictionary, locale) || '—'}</span>
                </Labeled>
            ))}
        </>
    );
};
