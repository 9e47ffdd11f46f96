import { Typography } from '@mui/material';
import SchoolIcon from '@mui/icons-material/School';
import { Login, LoginForm, useTranslate } from 'react-admin';

/** react-admin's login form (real server check in authProvider.login) with the system's name. */
export const LoginPage = () => {
    const translate = useTranslate();
    return (
        <Login avatarIcon={<SchoolIcon />}>
            <Typography variant="h6" align="center" sx={{ px: 2, mt: 1 }}>
                {translate('app.title')}
            </Typography>
            <LoginForm />
        </Login>
    );
};
