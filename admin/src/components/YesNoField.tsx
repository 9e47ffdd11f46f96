import { useFieldValue, useLocaleState, type FieldProps } from 'react-admin';
import { yesNoName } from '../providers/vocabulary';

/** A yes/no field as 是/否 (Yes/No), the one vocabulary's words (config/vocabulary.json), not a tick. */
export const YesNoField = ({ source, ...rest }: FieldProps) => {
    const [locale] = useLocaleState();
    const value = useFieldValue({ source, ...rest } as any);
    return <span>{yesNoName(value, locale ?? 'zh-CN') || '—'}</span>;
};
