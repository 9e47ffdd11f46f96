import { Typography } from '@mui/material';
import SchoolIcon from '@mui/icons-material/School';
import { Login, useTranslate } from 'react-admin';
import { SecureLoginForm } from '../security';

/** The login form (real server check in authProvider.login; a one-time code when asked) with the system's name. */
export const LoginPage = () => {
    const translate = useTranslate();
    return (
        <Login avatarIcon={<SchoolIcon />}>
            <Typography variant="h6" align="center" sx={{ px: 2, mt: 1 }}>
                {translate('app.title')}
            </Typography>
            <SecureLoginForm />
        </Login>
    );
};
