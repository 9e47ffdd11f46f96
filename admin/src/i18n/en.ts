import { TranslationMessages } from 'react-admin';
import englishMessages from 'ra-language-english';

/** English: react-admin's own messages plus this panel's, with the same keys as zh-CN.ts. */
const messages: TranslationMessages = {
    ...englishMessages,
    app: {
        title: 'National Preschool Education MIS',
        language: 'Language',
        menu: {
            dashboard: 'Dashboard',
            kindergartens: 'Kindergartens',
            regions: 'Regions',
            accounts: 'Accounts',
            my_kindergarten: 'My kindergarten',
        },
        levels: {
            ministry: 'Ministry',
            province: 'Province',
            prefecture: 'Prefecture',
            county: 'County',
            institution: 'Institution',
        },
        dashboard: {
            welcome: 'Welcome, %{name}',
            kindergartens: 'Kindergartens',
            public: 'Public',
            private: 'Private',
            inclusive: 'Inclusive (普惠性)',
            inclusive_rate: 'Inclusive share',
            by_county: 'Kindergartens by region',
            county_code: 'Region code',
            county_name: 'Region',
            count: 'Kindergartens',
            share: 'Share',
            no_counties: 'No region data',
            hidden_rows: '%{count} more regions without kindergartens or not listed',
            my_kindergarten: 'My kindergarten',
            open_my_kindergarten: 'Open my kindergarten',
            scope: 'Reach: %{scope}',
            whole_country: 'Whole country',
        },
        my_kindergarten: {
            not_found: 'Kindergarten %{code} not found',
        },
        errors: {
            load_failed: 'Could not load data: %{message}',
        },
    },
    resources: {
        kindergartens: {
            name: 'Kindergarten |||| Kindergartens',
            fields: {
                id: 'ID',
                code: 'Institution code',
                name: 'Name',
                countyCode: 'County',
                address: 'Address',
                principal: 'Principal',
                phone: 'Phone',
                ownership: 'Ownership',
                inclusive: 'Inclusive',
                status: 'Status',
                createdAt: 'Created at',
                updatedAt: 'Updated at',
                q: 'Search',
            },
            ownership: {
                public: 'Public',
                private: 'Private',
            },
            status: {
                operating: 'Operating',
                suspended: 'Suspended',
                closed: 'Closed',
            },
            helpers: {
                code: '10 digits; cannot be changed after creation',
                countyCode: '6-digit region code',
            },
            sections: {
                basic: 'Basic information',
                contact: 'Contact',
            },
        },
        regions: {
            name: 'Region |||| Regions',
            fields: {
                code: 'Code',
                name: 'Name',
                level: 'Level',
                parentCode: 'Parent code',
            },
            level: {
                province: 'Province',
                prefecture: 'Prefecture',
                county: 'County',
            },
            breadcrumbs: {
                root: 'China',
                label: 'You are here',
            },
            actions: {
                children: 'Subdivisions',
                kindergartens: 'Kindergartens',
            },
            empty: 'No subdivisions',
        },
        accounts: {
            name: 'Account |||| Accounts',
            fields: {
                id: 'ID',
                username: 'Username',
                fullName: 'Full name',
                email: 'Email',
                level: 'Level',
                regionCode: 'Region code',
                institutionCode: 'Institution code',
                blocked: 'Disabled',
                createdAt: 'Created at',
                updatedAt: 'Updated at',
                q: 'Search',
            },
            status: {
                enabled: 'Enabled',
                disabled: 'Disabled',
            },
            actions: {
                reset_password: 'Reset password',
                reset_password_confirm_title: 'Reset password',
                reset_password_confirm_content:
                    'Reset the password of %{username}? The current password stops working at once.',
                copy: 'Copy',
                copied: 'Copied',
            },
            dialogs: {
                temporary_password_title: 'Account created',
                temporary_password_content:
                    'The temporary password of %{username} is below. It is shown only once: hand it to its user now and ask them to change it.',
                new_password_title: 'Password reset',
                new_password_content:
                    'The new password of %{username} is below. It is shown only once: hand it to its user now.',
            },
            helpers: {
                manages: 'New accounts are %{level} accounts',
                regionCode: '6-digit region code inside your reach',
                institutionCode: '10-digit institution code inside your reach',
                blocked: 'A disabled account cannot sign in',
            },
        },
    },
};

export default messages;
