import {
    BooleanField,
    DateField,
    EditButton,
    SelectField,
    Show,
    SimpleShowLayout,
    TextField,
    TopToolbar,
} from 'react-admin';
import { FORMAT_LOCALE } from '../../i18n';
import { ResetPasswordButton } from '../../components/ResetPasswordButton';
import { levelChoices } from './choices';

const ShowActions = () => (
    <TopToolbar>
        <ResetPasswordButton />
        <EditButton />
    </TopToolbar>
);

export const AccountShow = () => (
    <Show actions={<ShowActions />}>
        <SimpleShowLayout>
            <TextField source="username" />
            <TextField source="fullName" emptyText="—" />
            <TextField source="email" emptyText="—" />
            <SelectField source="level" choices={levelChoices()} />
            <TextField source="regionCode" emptyText="—" />
            <TextField source="institutionCode" emptyText="—" />
            <BooleanField source="blocked" looseValue />
            <DateField source="createdAt" showTime locales={FORMAT_LOCALE} />
            <DateField source="updatedAt" showTime locales={FORMAT_LOCALE} emptyText="—" />
        </SimpleShowLayout>
    </Show>
);
