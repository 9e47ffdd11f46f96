import { useState } from 'react';
import { Alert, Box, Button, Dialog, DialogActions, DialogContent, DialogTitle, IconButton, Tooltip } from '@mui/material';
import ContentCopyIcon from '@mui/icons-material/ContentCopy';
import { useTranslate } from 'react-admin';

export interface OneTimePasswordDialogProps {
    open: boolean;
    title: string;
    content: string;
    username?: string;
    password?: string | null;
    onClose: () => void;
}

/** Shows a server-generated password once (account creation, password reset). */
export const OneTimePasswordDialog = ({ open, title, content, username, password, onClose }: OneTimePasswordDialogProps) => {
    const translate = useTranslate();
    const [copied, setCopied] = useState(false);
    const copy = async () => {
        if (!password) return;
        try {
            await navigator.clipboard.writeText(password);
            setCopied(true);
        } catch {
            // Clipboard refused (insecure context): the password stays selectable on screen.
        }
    };
    return (
        <Dialog open={open} onClose={onClose} maxWidth="xs" fullWidth aria-labelledby="one-time-password-title">
            <DialogTitle id="one-time-password-title">{translate(title)}</DialogTitle>
            <DialogContent>
                <Alert severity="warning" sx={{ mb: 2 }}>
                    {translate(content, { username: username ?? '' })}
                </Alert>
                <Box
                    sx={{
                        display: 'flex',
                        alignItems: 'center',
                        justifyContent: 'space-between',
                        px: 2,
                        py: 1.5,
                        borderRadius: 1,
                        bgcolor: 'action.hover',
                        fontFamily: 'monospace',
                        fontSize: '1.25rem',
                        letterSpacing: 1,
                    }}
                >
                    <span data-testid="one-time-password">{password ?? '—'}</span>
                    <Tooltip title={translate(copied ? 'resources.accounts.actions.copied' : 'resources.accounts.actions.copy')}>
                        <IconButton onClick={copy} size="small" aria-label={translate('resources.accounts.actions.copy')}>
                            <ContentCopyIcon fontSize="small" />
                        </IconButton>
                    </Tooltip>
                </Box>
            </DialogContent>
            <DialogActions>
                <Button onClick={onClose} variant="contained">
                    {translate('ra.action.close')}
                </Button>
            </DialogActions>
        </Dialog>
    );
};
