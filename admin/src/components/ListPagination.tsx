import { Pagination, useListContext, useTranslate, type PaginationProps } from 'react-admin';
import { Tooltip, type LabelDisplayedRowsArgs } from '@mui/material';
import type { ComponentType } from 'react';
import { formatNumber } from '../i18n';

/** react-admin passes its remaining props on to MUI's TablePagination, whose label this overrides (not in react-admin's types). */
const LabelledPagination = Pagination as unknown as ComponentType<PaginationProps & { labelDisplayedRows: (args: LabelDisplayedRowsArgs) => string }>;

/**
 * The list's pagination; when the server estimated the total of a very large list
 * (`X-Total-Estimated`, see cms/src/domain/list-counts.ts) it reads "共约 N 条", with the reason on hover.
 */
export const ListPagination = (props: PaginationProps) => {
    const { meta } = useListContext();
    const translate = useTranslate();
    if (!meta?.totalEstimated) return <Pagination {...props} />;
    return (
        <Tooltip title={translate('app.list.estimated_hint')}>
            <div data-testid="estimated-total">
                <LabelledPagination
                    {...props}
                    labelDisplayedRows={({ from, to, count }) => translate('app.list.estimated_range', { offsetBegin: formatNumber(from), offsetEnd: formatNumber(to), total: formatNumber(count) })}
                />
            </div>
        </Tooltip>
    );
};
