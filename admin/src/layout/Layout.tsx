import { ReactNode, useEffect } from 'react';
import { Layout as RaLayout } from 'react-admin';
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

/** A session with duties (change the password, enrol TOTP) sees only them: the server refuses the rest. */
export const Layout = ({ children }: { children: ReactNode }) =>
    getPending().length ? (
        <DutyPage />
    ) : (
        <RaLayout appBar={AppBar} menu={Menu}>
            <FollowServer />
            <Breadcrumbs />
            {children}
        </RaLayout>
    );
