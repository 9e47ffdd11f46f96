import { Tooltip } from '@mui/material';
import { useFieldValue, type FieldProps } from 'react-admin';
import { useRegionTree } from './regions';

/** A region code by its full name ("福建省泉州市鲤城区"), the code on hover; a value that is not a code is shown as it is. */
export const RegionName = ({ code, short = false }: { code: unknown; short?: boolean }) => {
    const tree = useRegionTree();
    if (code === null || code === undefined || code === '') return null;
    const region = tree?.byCode.get(String(code));
    if (!region) return <span>{String(code)}</span>;
    return (
        <Tooltip title={String(code)}>
            <span data-region-code={String(code)}>{short ? region.name : region.path}</span>
        </Tooltip>
    );
};

/** The field of a record holding a region code, shown by name (lists, record pages). */
export const RegionField = ({ source, short, ...rest }: FieldProps & { short?: boolean }) => {
    const value = useFieldValue({ source, ...rest } as any);
    return <RegionName code={value} short={short} />;
};
