import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { GuardianApp } from './GuardianApp';

// The guardians' page (guardian.html, served at /guardian): no react-admin, no staff session.
createRoot(document.getElementById('root')!).render(
    <StrictMode>
        <GuardianApp />
    </StrictMode>
);
