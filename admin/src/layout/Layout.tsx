import { ReactNode } from 'react';
import { Layout as RaLayout } from 'react-admin';
import { AppBar } from './AppBar';
import { Menu } from './Menu';
import { DutyPage } from '../security';
import { getPending } from '../providers/session';

/** A session with duties (change the password, enrol TOTP) sees only them: the server refuses the rest. */
export const Layout = ({ children }: { children: ReactNode }) =>
    getPending().length ? (
        <DutyPage />
    ) : (
        <RaLayout appBar={AppBar} menu={Menu}>
            {children}
        </RaLayout>
    );
