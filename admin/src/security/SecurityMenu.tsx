import KeyIcon from '@mui/icons-material/Key';
import PhonelinkLockIcon from '@mui/icons-material/PhonelinkLock';
import { ListItemIcon, ListItemText, MenuItem } from '@mui/material';
import { Logout, UserMenu, useTranslate, useUserMenu } from 'react-admin';
import { setPending } from '../providers/session';

/** Opens the security page (DutyPage) for a voluntary password change or TOTP enrolment. */
const SecurityItem = ({ duty, icon, label }: { duty: string; icon: JSX.Element; label: string }) => {
    const translate = useTranslate();
    const userMenu = useUserMenu();
    return (
        <MenuItem
            onClick={() => {
                userMenu?.onClose();
                setPending([duty]);
                window.location.reload();
            }}
        >
            <ListItemIcon>{icon}</ListItemIcon>
            <ListItemText>{translate(label)}</ListItemText>
        </MenuItem>
    );
};

/** The user menu: change password, enrol a one-time code (optional below the province), log out. */
export const SecurityUserMenu = () => (
    <UserMenu>
        <SecurityItem duty="password" icon={<KeyIcon fontSize="small" />} label="app.security.duty.password_title" />
        <SecurityItem duty="totp" icon={<PhonelinkLockIcon fontSize="small" />} label="app.security.duty.totp_title" />
        <Logout />
    </UserMenu>
);
