import { Chip } from '@mui/material';
import { useRecordContext, useTranslate } from 'react-admin';

const COLORS: Record<string, 'default' | 'primary' | 'success' | 'error' | 'warning' | 'info'> = {
    submitted: 'primary',
    resubmitted: 'info',
    returned: 'warning',
    approved: 'success',
    rejected: 'error',
};

/** The request's state as a coloured chip, with 逾期 when it is past its due date. */
export const StateField = (_props: { label?: string }) => {
    const record = useRecordContext();
    const translate = useTranslate();
    if (!record) return null;
    return (
        <span>
            <Chip size="small" color={COLORS[record.state] ?? 'default'} label={translate(`resources.requests.state.${record.state}`)} />
            {record.overdue && <Chip size="small" color="error" variant="outlined" sx={{ ml: 0.5 }} label={translate('resources.requests.overdue')} />}
        </span>
    );
};
