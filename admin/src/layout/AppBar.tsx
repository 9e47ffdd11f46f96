import HelpOutlineIcon from '@mui/icons-material/HelpOutline';
import { Box, IconButton, Tooltip, Typography } from '@mui/material';
import { AppBar as RaAppBar, LocalesMenuButton, TitlePortal, ToggleThemeButton, useTranslate } from 'react-admin';
import { SecurityUserMenu } from '../security';

/** App name, page title, help (#/help), the language switch (locales from i18nProvider.getLocales), the user menu (password, one-time code, logout). */
export const AppBar = () => {
    const translate = useTranslate();
    return (
        <RaAppBar
            userMenu={<SecurityUserMenu />}
            toolbar={
                <>
                    <Tooltip title={translate('app.help.menu')}>
                        <IconButton color="inherit" href="#/help" aria-label={translate('app.help.menu')}>
                            <HelpOutlineIcon />
                        </IconButton>
                    </Tooltip>
                    <LocalesMenuButton />
                    <ToggleThemeButton />
                </>
            }
        >
            <Typography variant="h6" component="span" sx={{ mr: 2, whiteSpace: 'nowrap', display: { xs: 'none', md: 'block' } }}>
                {translate('app.title')}
            </Typography>
            <Box component="span" sx={{ opacity: 0.6, mr: 2, display: { xs: 'none', md: 'block' } }}>
                |
            </Box>
            <TitlePortal />
        </RaAppBar>
    );
};
