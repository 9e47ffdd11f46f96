import { useState } from 'react';
import LockResetIcon from '@mui/icons-material/LockReset';
import { Button, Confirm, useDataProvider, useNotify, useRecordContext } from 'react-admin';
import { PreschoolDataProvider } from '../providers/data';
import { OneTimePasswordDialog } from './OneTimePasswordDialog';

/** 重置密码: asks, calls `dataProvider.resetPassword(id)`, shows the new password once. */
export const ResetPasswordButton = ({ label = 'resources.accounts.actions.reset_password' }: { label?: string }) => {
    const record = useRecordContext();
    const dataProvider = useDataProvider<PreschoolDataProvider>();
    const notify = useNotify();
    const [confirming, setConfirming] = useState(false);
    const [loading, setLoading] = useState(false);
    const [password, setPassword] = useState<string | null>(null);

    if (!record) return null;

    const reset = async () => {
        setLoading(true);
        try {
            const { data } = await dataProvider.resetPassword(record.id);
            setConfirming(false);
            setPassword(data.password);
        } catch (error: any) {
            setConfirming(false);
            notify(error?.message || 'ra.notification.http_error', { type: 'error' });
        } finally {
            setLoading(false);
        }
    };

    // The span stops clicks (also those inside the dialogs' portals) from reaching a Datagrid row.
    return (
        <span onClick={(event) => event.stopPropagation()}>
            <Button
                label={label}
                onClick={() => setConfirming(true)}
                disabled={loading}
            >
                <LockResetIcon />
            </Button>
            <Confirm
                isOpen={confirming}
                loading={loading}
                title="resources.accounts.actions.reset_password_confirm_title"
                content="resources.accounts.actions.reset_password_confirm_content"
                translateOptions={{ username: record.username }}
                onConfirm={reset}
                onClose={() => setConfirming(false)}
            />
            <OneTimePasswordDialog
                open={password != null}
                title="resources.accounts.dialogs.new_password_title"
                content="resources.accounts.dialogs.new_password_content"
                username={record.username}
                password={password}
                onClose={() => setPassword(null)}
            />
        </span>
    );
};
