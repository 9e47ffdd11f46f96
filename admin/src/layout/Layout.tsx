import { ReactNode, useEffect } from 'react';
import { Layout as RaLayout } from 'react-admin';
import type { Theme } from '@mui/material/styles';
import { useQueryClient } from '@tanstack/react-query';
import { useLocation } from 'react-router-dom';
import { AppBar } from './AppBar';
import { Menu } from './Menu';
import { Breadcrumbs } from './Breadcrumbs';
import { DutyPage } from '../security';
import { getPending } from '../providers/session';
import { forgetMe } from '../providers/auth';

/**
 * On every navigation the panel asks `/api/me` again (once, shared): a permission taken away in
 * the matrix hides its menus and buttons on the next page, not at the next login.
 */
const FollowServer = () => {
    const location = useLocation();
    const queryClient = useQueryClient();
    useEffect(() => {
        forgetMe();
        queryClient.invalidateQueries({ queryKey: ['auth', 'canAccess'] });
        queryClient.invalidateQueries({ queryKey: ['auth', 'getIdentity'] });
    }, [location.pathname, queryClient]);
    return null;
};

/**
 * On a phone (below MUI's `sm`, 600 px) the page is never wider than the screen. react-admin's layout
 * takes the width of its widest content (`min-width: fit-content`, and the content column is a flex
 * item that does not shrink below its content): a long English tab row, a toolbar or a table then
 * widened the whole page, app bar included. Here the layout and its column keep the screen's width,
 * and every table scrolls sideways in its own box instead (tests/browser/clerk-panel.test.ts).
 */
const fitThePhone = (theme: Theme) => ({
    [theme.breakpoints.down('sm')]: {
        minWidth: 0,
        '& .RaLayout-content': { minWidth: 0 },
        '& table.MuiTable-root': { display: 'block', overflowX: 'auto', maxWidth: '100%' },
    },
});

/** A session with duties (change the password, enrol TOTP) sees only them: the server refuses the rest. */
export const Layout = ({ children }: { children: ReactNode }) =>
    getPending().length ? (
        <DutyPage />
    ) : (
        <RaLayout appBar={AppBar} menu={Menu} sx={fitThePhone}>
            <FollowServer />
            <Breadcrumbs />
            {children}
        </RaLayout>
    );
