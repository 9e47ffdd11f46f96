import { Button, useListContext, useNotify, useRefresh, useUnselectAll, useTranslate } from 'react-admin';
import DoneAllIcon from '@mui/icons-material/DoneAll';
import { postRequestAction } from './api';
import { useReason } from '../../providers/errors';

/** 批量通过: approves the selected requests; those that fail are reported, the others go through. */
export const BulkApproveButton = () => {
    const { selectedIds, resource } = useListContext();
    const notify = useNotify();
    const refresh = useRefresh();
    const unselectAll = useUnselectAll(resource);
    const translate = useTranslate();
    const reason = useReason();
    const approve = async () => {
        try {
            const result = await postRequestAction('/bulk-approve', { ids: selectedIds });
            const failed = result?.failed ?? [];
            notify(translate('resources.requests.bulk_done', { approved: result?.approved?.length ?? 0, failed: failed.length }), {
                type: failed.length ? 'warning' : 'success',
            });
        } catch (e: any) {
            notify(reason(e), { type: 'error' });
        }
        unselectAll();
        refresh();
    };
    return (
        <Button label="resources.requests.actions.bulk_approve" onClick={approve}>
            <DoneAllIcon />
        </Button>
    );
};
